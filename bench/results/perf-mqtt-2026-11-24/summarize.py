#!/usr/bin/env python3
"""Medians per scenario and broker from results.tsv: python3 summarize.py results.tsv"""
import sys, statistics, collections
rows = collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    f = line.rstrip('\n').split('\t')
    if len(f) < 9 or not f[4]:
        continue
    key = (f[0], f[1])
    if key not in rows:
        order.append(key)
    rows[key].append(f)
def med(xs):
    xs = [float(x) for x in xs if x not in ('', None)]
    return statistics.median(xs) if xs else float('nan')
print('| scenario | broker | runs | delivered/s median (min – max) | p50 ms | p99 ms (min – max) | broker µs/msg | load avg | lost |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|')
for key in order:
    r = rows[key]
    d = [float(x[4]) for x in r]; p99 = [float(x[6]) for x in r]
    print(f'| {key[0]} | {key[1]} | {len(r)} | {med(d):,.0f} ({min(d):,.0f} – {max(d):,.0f}) | {med([x[5] for x in r]):.3f} '
          f'| {med(p99):.3f} ({min(p99):.3f} – {max(p99):.3f}) | {med([x[7] for x in r]):.2f} '
          f'| {min(float(x[3]) for x in r):.1f}–{max(float(x[3]) for x in r):.1f} | {sum(int(x[8] or 0) for x in r)} |')
