#!/usr/bin/env python3
"""Medians per scenario and broker of an A/B/Kafka run directory: msg/s (acked for publish scenarios,
delivered for drains), broker CPU µs per message, others' CPU (cores), 1-minute load at the start.
Usage: summarize.py RUN_DIR"""
import json, statistics, sys, glob, os, collections
rows = collections.defaultdict(list)
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.json'))):
    d = json.load(open(f))
    lab = d['labels']
    counted = d['delivered'] if d['delivered']['measured'] else d['acked']
    rate = counted['perSecond']
    if d.get('preload') and d['delivered']['measured'] == 0 and d['delivered']['total']:
        rate = d['delivered']['perSecond']
    rows[(lab['scenario'], lab['broker'])].append(
        (rate, d['cpu']['brokerPerMessageMicros'] or float('nan'), d['cpu']['othersSeconds'] / d['measuredSeconds'],
         float(lab.get('load1', 'nan')), d['lost'], d['duplicates']))
print('| scenario | broker | runs | msg/s (median) | min – max | broker µs/msg (median) | others\' CPU (cores, median) | load1 | lost | duplicates |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
for (s, b), r in sorted(rows.items()):
    med = lambda i: statistics.median(x[i] for x in r)
    print(f"| {s} | {b} | {len(r)} | {med(0):,.0f} | {min(x[0] for x in r):,.0f} – {max(x[0] for x in r):,.0f} | "
          f"{med(1):.2f} | {med(2):.2f} | {min(x[3] for x in r):.1f}–{max(x[3] for x in r):.1f} | "
          f"{sum(x[4] for x in r)} | {sum(x[5] for x in r)} |")
print()
print('| scenario | new / base (msg/s) | new / base (µs/msg) | base / kafka | new / kafka |')
print('|---|---:|---:|---:|---:|')
for s in sorted({k[0] for k in rows}):
    m = {b: (statistics.median(x[0] for x in rows[(s, b)]), statistics.median(x[1] for x in rows[(s, b)]))
         for b in ('base', 'new', 'kafka') if (s, b) in rows}
    f = lambda a, b, i: f"{m[a][i] / m[b][i]:.2f}x" if a in m and b in m and m[b][i] else '-'
    print(f"| {s} | {f('new', 'base', 0)} | {f('new', 'base', 1)} | {f('base', 'kafka', 0)} | {f('new', 'kafka', 0)} |")
