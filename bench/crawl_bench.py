#!/usr/bin/env python3
"""Crawl benchmark: specsync against the Scrapy baseline on the same 20,000-page site.

usage: python3 bench/crawl_bench.py [--runs 3] [--skip-scrapy] [--concurrency 64]
                                   [--baseline OTHER_SPECSYNC_BINARY]
env:   BENCH_WORK (default /tmp/specsync-bench), N (products, default 20000),
       SPECSYNC (the binary; default: cargo build --release, then target/release/specsync)

What it does, all on 127.0.0.1 (see ../shared/bench/README.md for the site and the baseline):
  1. copies the shared kit to BENCH_WORK and generates the site there (once; 1.9 GB);
  2. starts nginx on 127.0.0.1:18080 with the kit's nginx.conf and warms the page cache;
  3. alternates, --runs times: a Scrapy crawl (the kit's bench_scrapy.py, its fast settings:
     64 concurrent, no delay) and a specsync crawl into a fresh SQLite database (the full
     pipeline: discovery through the category pages as the spider does, fetch, extract,
     normalize, snapshot, diff), then a specsync recrawl of the unchanged site;
     With --baseline, each run also crawls and recrawls with that binary (a previous release),
     right after this one's, so both are measured on the same machine at the same time;
  4. checks every output against the site's truth file with the kit's verify.py (specsync's via
     `specsync export`, reshaped to verify.py's JSON lines);
  5. writes BENCH_WORK/run/specsync_bench.json and prints a Markdown table for BENCHMARKS.md.

Requires nginx and GNU time (apt-get install -y nginx time) and scrapy (pip install scrapy).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
KIT = os.path.normpath(os.path.join(REPO, "..", "shared", "bench"))
WORK = os.environ.get("BENCH_WORK", "/tmp/specsync-bench")
RUN = os.path.join(WORK, "run")
N = int(os.environ.get("N", "20000"))
BASE = "http://127.0.0.1:18080"


def sh(cmd, **kw):
    print("+", " ".join(cmd) if isinstance(cmd, list) else cmd, file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def specsync_binary():
    if os.environ.get("SPECSYNC"):
        return os.environ["SPECSYNC"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    sh(["cargo", "build", "--release", "--quiet"], cwd=REPO)
    return os.path.join(target, "release", "specsync")


def prepare_site():
    os.makedirs(RUN, exist_ok=True)
    for name in os.listdir(KIT):
        if name.endswith((".py", ".conf", ".lua", ".sh")):
            shutil.copy(os.path.join(KIT, name), WORK)
    stats = os.path.join(RUN, "site_stats.json")
    if os.path.exists(stats) and json.load(open(stats))["products"] == N:
        return
    sh([sys.executable, "gen_site.py", "-n", str(N), "--out", "site", "--run-dir", "run"], cwd=WORK)


def start_nginx():
    pid_file = os.path.join(RUN, "nginx.pid")
    if os.path.exists(pid_file):
        subprocess.run(["kill", "-QUIT", open(pid_file).read().strip()], stderr=subprocess.DEVNULL)
        time.sleep(1)
    args = ["-p", WORK + "/", "-c", os.path.join(WORK, "nginx.conf"), "-e", "run/nginx_error.log"]
    sh(["nginx", "-t", "-q"] + args)
    sh(["nginx"] + args)
    for _ in range(50):
        if subprocess.run(["curl", "-sf", "-o", "/dev/null", BASE + "/"]).returncode == 0:
            break
        time.sleep(0.1)
    # The page cache warm: the benchmark reads the site from RAM.
    sh("find site -type f -print0 | xargs -0 cat > /dev/null", shell=True, cwd=WORK)
    return pid_file


def stop_nginx(pid_file):
    if os.path.exists(pid_file):
        subprocess.run(["kill", "-QUIT", open(pid_file).read().strip()], stderr=subprocess.DEVNULL)


def gnu_time(path):
    text = open(path).read()

    def grab(pattern):
        return re.search(pattern, text).group(1)

    wall = 0.0
    for part in grab(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)").split(":"):
        wall = wall * 60 + float(part)
    cpu = float(grab(r"User time \(seconds\): (\S+)")) + float(grab(r"System time \(seconds\): (\S+)"))
    rss_mb = int(grab(r"Maximum resident set size \(kbytes\): (\d+)")) / 1024
    return wall, cpu, rss_mb


def to_verify_shape(product):
    """A specsync product (DESIGN.md JSON) as verify.py's item: options keyed by the page's
    column header, price as a number, stock as the count (0 when out of stock)."""
    labels = {o["name"]: o["label"] for o in product.get("options", [])}
    variants = []
    for v in product["variants"]:
        stock = v.get("stock") or {}
        qty = stock.get("quantity")
        if qty is None:
            qty = 0 if stock.get("status") == "out_of_stock" else None
        price = v.get("price")
        variants.append({
            "sku": v.get("sku"),
            "options": {labels.get(k, k): val for k, val in (v.get("spec") or {}).items()},
            "price": float(price) if price is not None else None,
            "stock": qty,
        })
    return {"url": product["url"], "title": product["title"], "currency": product.get("currency"),
            "variants": variants}


def specsync_crawl(binary, label, db_dir, fresh, concurrency=64):
    """One measured `specsync crawl` (fresh: into a new database); returns the result dict."""
    if fresh:
        shutil.rmtree(db_dir, ignore_errors=True)
        sh([binary, "init", "--dir", db_dir], stdout=subprocess.DEVNULL)
        sh([binary, "source", "add", "bench", "--url", BASE + "/",
            # As fast as the baseline's settings: 64 at once, no delay worth the name.
            "--rate", "1000000/s", "--burst", "64", "--concurrency", str(concurrency),
            "--allow-private-networks",
            "--category", "/", "--category-path", "/collections/", "--product-path", "/products/"],
           cwd=db_dir, stdout=subprocess.DEVNULL)
    time_file = os.path.join(RUN, "time_specsync_%s.txt" % label)
    t0 = time.time()
    out = subprocess.run(["/usr/bin/time", "-v", "-o", time_file, binary, "crawl", "--json"],
                         cwd=db_dir, check=True, capture_output=True, text=True).stdout
    harness = time.time() - t0
    summary = json.loads(out)
    wall, cpu, rss = gnu_time(time_file)
    source = summary["sources"][0]
    fetched = source["pages"] - source.get("disallowed", 0)
    res = {"label": label, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(rss, 1),
           "pages": fetched, "products": summary["products"], "not_modified": source.get("not_modified", 0),
           "failed": summary["failed"], "pages_per_s": round(fetched / wall, 1),
           "cpu_ms_per_page": round(1000 * cpu / max(fetched, 1), 3), "harness_wall_s": round(harness, 2)}
    if fresh:
        items = os.path.join(RUN, "items_specsync_%s.jl" % label)
        export = subprocess.run([binary, "export"], cwd=db_dir, check=True, capture_output=True, text=True)
        with open(items, "w", encoding="utf-8") as f:
            for line in export.stdout.splitlines():
                f.write(json.dumps(to_verify_shape(json.loads(line)), ensure_ascii=False) + "\n")
        ver = subprocess.run([sys.executable, os.path.join(WORK, "verify.py"), os.path.join(RUN, "truth.jsonl"),
                              items], capture_output=True, text=True)
        res["verify"] = json.loads(ver.stdout.strip().splitlines()[0]) if ver.stdout.strip() else ver.stderr[-800:]
        res["verify_ok"] = ver.returncode == 0
        if ver.returncode != 0:
            print(ver.stderr[-2000:], file=sys.stderr)
        os.remove(items)
    print(json.dumps(res), file=sys.stderr)
    return res


def scrapy_crawl(label):
    sh([sys.executable, "bench_scrapy.py", label], cwd=WORK, stdout=subprocess.DEVNULL)
    return json.load(open(os.path.join(RUN, "result_%s.json" % label)))


def median(rows, key):
    return statistics.median(r[key] for r in rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-scrapy", action="store_true")
    ap.add_argument("--concurrency", type=int, default=64,
                    help="specsync's pages at once (the baseline's fast settings use 64)")
    ap.add_argument("--baseline", help="another specsync binary (a previous release) to measure "
                    "alternately with this one")
    args = ap.parse_args()
    binary = specsync_binary()
    prepare_site()
    pid_file = start_nginx()
    scrapy, first, recrawl, base_first, base_recrawl = [], [], [], [], []
    try:
        for i in range(1, args.runs + 1):
            if not args.skip_scrapy:
                time.sleep(3)
                scrapy.append(scrapy_crawl("fast_%d" % i))
            time.sleep(3)
            db_dir = os.path.join(WORK, "specsync_db")
            first.append(specsync_crawl(binary, "first_%d" % i, db_dir, fresh=True,
                                        concurrency=args.concurrency))
            time.sleep(3)
            recrawl.append(specsync_crawl(binary, "recrawl_%d" % i, db_dir, fresh=False,
                                          concurrency=args.concurrency))
            if args.baseline:
                base_dir = os.path.join(WORK, "baseline_db")
                time.sleep(3)
                base_first.append(specsync_crawl(args.baseline, "baseline_first_%d" % i, base_dir,
                                                 fresh=True, concurrency=args.concurrency))
                time.sleep(3)
                base_recrawl.append(specsync_crawl(args.baseline, "baseline_recrawl_%d" % i, base_dir,
                                                   fresh=False, concurrency=args.concurrency))
    finally:
        stop_nginx(pid_file)
    result = {"n": N, "runs": args.runs, "specsync_concurrency": args.concurrency, "scrapy": scrapy, "specsync_first": first, "specsync_recrawl": recrawl,
              "baseline_first": base_first, "baseline_recrawl": base_recrawl,
              "loadavg": open("/proc/loadavg").read().split()[:3]}
    with open(os.path.join(RUN, "specsync_bench.json"), "w") as f:
        json.dump(result, f, indent=1)

    print("| crawler (median of %d) | wall s | pages/s | CPU ms/page | peak RSS MB | all correct |" % args.runs)
    print("|---|---|---|---|---|---|")
    rows = [("Scrapy baseline (64 concurrent)", scrapy), ("specsync, first crawl", first),
            ("specsync, recrawl (unchanged)", recrawl),
            ("baseline binary, first crawl", base_first),
            ("baseline binary, recrawl (unchanged)", base_recrawl)]
    for name, rs in rows:
        if not rs:
            continue
        ok = all(r.get("verify_ok", True) for r in rs)
        print("| %s | %.2f | %.0f | %.3f | %.0f | %s |" % (
            name, median(rs, "wall_s"), median(rs, "pages_per_s"), median(rs, "cpu_ms_per_page"),
            median(rs, "peak_rss_mb"), "yes" if ok else "NO"))
    if scrapy:
        print("\nspecsync/Scrapy pages/s: %.1fx; peak RSS: %.2f of Scrapy's" % (
            median(first, "pages_per_s") / median(scrapy, "pages_per_s"),
            median(first, "peak_rss_mb") / median(scrapy, "peak_rss_mb")))
    print("recrawl/first crawl wall time: %.3f" % (median(recrawl, "wall_s") / median(first, "wall_s")))
    if base_first:
        print("this/baseline wall time: first crawl %.3f, recrawl %.3f" % (
            median(first, "wall_s") / median(base_first, "wall_s"),
            median(recrawl, "wall_s") / median(base_recrawl, "wall_s")))


if __name__ == "__main__":
    main()
