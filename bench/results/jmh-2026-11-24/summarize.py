#!/usr/bin/env python3
"""Markdown tables from JMH JSON results: per benchmark and parameters, the median, best and worst measured
iteration (the machine is shared, so the spread says more than JMH's confidence interval) and, when the run
had -prof gc, the bytes allocated per operation.

    summarize.py DIR...
"""
import glob
import json
import statistics
import sys


def best(unit, scores):
    return min(scores) if unit.endswith("/op") else max(scores)


for d in sys.argv[1:]:
    print(f"## {d}\n")
    print("| benchmark | params | median | best | worst | unit | B/op |")
    print("|---|---|---:|---:|---:|---|---:|")
    for path in sorted(glob.glob(f"{d}/*.json")):
        for r in json.load(open(path)):
            name = r["benchmark"].rsplit(".", 2)
            name = f"{name[-2]}.{name[-1]}"
            params = ", ".join(f"{k}={v}" for k, v in sorted(r.get("params", {}).items()))
            pm = r["primaryMetric"]
            scores = [s for fork in pm["rawData"] for s in fork]
            unit = pm["scoreUnit"]
            worst = max(scores) if unit.endswith("/op") else min(scores)
            alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
            alloc = f"{alloc['score']:,.0f}" if alloc else ""
            print(f"| {name} | {params} | {statistics.median(scores):,.0f} | {best(unit, scores):,.0f} | "
                  f"{worst:,.0f} | {unit} | {alloc} |")
    print()
