#!/usr/bin/env python3
"""Prints the A/B table of docs/benchmarks.md from the <round>-<jar>.json files of ab.sh.

Per benchmark, parameters and jar: the median and best ns/op over the measured iterations of all rounds,
each round's median, and the bytes allocated per op (gc.alloc.rate.norm, the mean over rounds)."""
import glob
import json
import os
import statistics
import sys

d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
rows = {}
for path in sorted(glob.glob(os.path.join(d, "*-*.json"))):
    rnd, jar = os.path.basename(path)[:-5].split("-", 1)
    for e in json.load(open(path)):
        p = e["params"]
        key = (e["benchmark"].split(".")[-1], p["version"], int(p["payloadBytes"]))
        r = rows.setdefault(key, {}).setdefault(jar, {"iters": [], "rounds": [], "alloc": []})
        it = [x for fork in e["primaryMetric"]["rawData"] for x in fork]
        r["iters"] += it
        r["rounds"].append(statistics.median(it))
        r["alloc"].append(e["secondaryMetrics"]["gc.alloc.rate.norm"]["score"])

print("| benchmark | MQTT | payload | jar | median ns/op | best ns/op | round medians | B/op |")
print("|---|---|---:|---|---:|---:|---|---:|")
for key in sorted(rows, key=lambda k: (k[0], k[2], k[1])):
    for jar in ("base", "new"):
        r = rows[key].get(jar)
        if not r:
            continue
        print(f"| {key[0]} | {key[1]} | {key[2]} B | {jar} | {statistics.median(r['iters']):,.0f} | "
              f"{min(r['iters']):,.0f} | {', '.join(f'{m:,.0f}' for m in r['rounds'])} | "
              f"{statistics.mean(r['alloc']):,.0f} |")
