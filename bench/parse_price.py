#!/usr/bin/env python3
"""Benchmark: `specsync parse price` on a million price strings.

Generates a deterministic mix of price strings as shops write them (every separator style,
symbols before and after, ranges, old and new prices, hints after a TAB), runs the release
binary on them RUNS times, and prints wall time, lines per second and peak RSS (median of the
runs). The target of issue #5: a million lines in under a second.

    python3 bench/parse_price.py [--lines 1000000] [--runs 5] [--bin PATH]
"""
import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time

TEMPLATES = [
    "¥{a}.{c}", "￥{a}", "{a}.{c}元", "¥{a}起", "¥{a}-{b}", "${g}.{c}", "US$ {a}.{c}", "${a} – ${b}",
    "Was ${b}.{c} Now ${a}.{c}", "{ge},{c} €", "{a},{c} €", "EUR {a},{c}", "{gs},{c} €", "£{g}.{c}",
    "CHF {ga}.{c}", "R$ {ge},{c}", "MXN${ge},{c}", "{gs} zł", "{a} ₽", "₹{g}", "{a} ر.س", "{a}円",
    "₩{g}", "{a}\tCNY", "{a}.{c}\t$", "", "free", "{a}",
]


def group(n, sep):
    s = str(n)
    out = []
    for i, ch in enumerate(s):
        if i and (len(s) - i) % 3 == 0:
            out.append(sep)
        out.append(ch)
    return "".join(out)


def line(r):
    a = r.randint(1, 99999)
    b = a + r.randint(1, 500)
    t = r.choice(TEMPLATES)
    return t.format(a=a, b=b, c="%02d" % r.randint(0, 99), g=group(a, ","), ge=group(a, "."),
                    gs=group(a, "\u202f"), ga=group(a, "'"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/specsync-target"))
    ap.add_argument("--bin", default=os.path.join(target, "release", "specsync"))
    args = ap.parse_args()
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin} not found: build it with `cargo build --release` first")

    r = random.Random(20261122)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "prices.txt")
        with open(path, "w", encoding="utf-8") as f:
            for _ in range(args.lines):
                f.write(line(r) + "\n")
        size = os.path.getsize(path)
        walls, rss = [], []
        for _ in range(args.runs):
            with open(path, "rb") as stdin, open(os.devnull, "wb") as devnull:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([args.bin, "--config", os.path.join(tmp, "none.toml"), "parse", "price",
                                "--currency", "CNY"], stdin=stdin, stdout=devnull, check=True)
                walls.append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                rss.append(after.ru_maxrss)
        # Check the output once: one JSON line per input line.
        with open(path, "rb") as stdin:
            out = subprocess.run([args.bin, "--config", os.path.join(tmp, "none.toml"), "parse", "price"],
                                 stdin=stdin, capture_output=True, check=True).stdout
        assert out.count(b"\n") == args.lines, "one output line per input line"

    wall = statistics.median(walls)
    print(f"input: {args.lines:,} lines, {size / 1e6:.1f} MB")
    print(f"wall (median of {args.runs}): {wall:.3f} s  (min {min(walls):.3f} s, max {max(walls):.3f} s)")
    print(f"throughput: {args.lines / wall:,.0f} lines/s")
    print(f"peak RSS: {max(rss) / 1024:.1f} MB")


if __name__ == "__main__":
    main()
