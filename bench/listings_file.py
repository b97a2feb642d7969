#!/usr/bin/env python3
"""A listings file for `specsync listings import`: N listings (default 100,000) of 4 variants,
each linked to a supplier page. Usage: bench/listings_file.py [N] > listings.json"""
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
items = []
for i in range(n):
    items.append({
        "id": f"L{i}", "title": f"纯棉T恤 {i}", "currency": "CNY",
        "supplier_url": f"http://127.0.0.1:9/products/{i}.html",
        "description": "纯棉 面料，一件代发。", "images": [f"http://127.0.0.1:9/img/{i}.jpg"],
        "variants": [{"sku": f"SP{i}-{c}{s}", "spec": {"颜色": c, "尺码": s}, "price": "29.90",
                      "cost": "12.50", "stock": 5}
                     for c in ["红色", "蓝色"] for s in ["M", "L"]],
    })
json.dump(items, sys.stdout, ensure_ascii=False)
