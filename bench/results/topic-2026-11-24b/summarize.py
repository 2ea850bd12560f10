#!/usr/bin/env python3
"""Prints the A/B table of TopicMatchBenchmark from <round>-<jar>.json in this directory (or argv[1]):
per jar the median and best (lowest) ns/op over all measured iterations of all rounds, and bytes per op."""
import glob, json, os, statistics, sys

d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
rows = {}
for f in sorted(glob.glob(os.path.join(d, '*-*.json'))):
    jar = os.path.basename(f).split('-', 1)[1][:-5]
    for r in json.load(open(f)):
        name = r['benchmark'].rsplit('.', 1)[1]
        e = rows.setdefault((name, jar), {'ns': [], 'round': [], 'alloc': []})
        raw = [x for fork in r['primaryMetric']['rawData'] for x in fork]
        e['ns'] += raw
        e['round'].append(statistics.median(raw))
        e['alloc'].append(r['secondaryMetrics']['gc.alloc.rate.norm']['score'])
print('| benchmark | jar | median of round medians | median | best | unit | allocated per op |')
print('|---|---|---:|---:|---:|---|---:|')
for (name, jar), e in sorted(rows.items()):
    print(f"| {name} | {jar} | {statistics.median(e['round']):,.0f} | {statistics.median(e['ns']):,.0f} | "
          f"{min(e['ns']):,.0f} | ns/op | {statistics.median(e['alloc']):,.2f} B |")
