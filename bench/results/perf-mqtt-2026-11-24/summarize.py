#!/usr/bin/env python3
"""Medians per scenario and broker. Usage: summarize.py RUNDIR (reads RUNDIR/results.tsv for the order and
the load average, and each run's generator output RUNDIR/<scenario>-<broker>-<rep>.txt for the figures)."""
import sys, os, re, statistics, collections
run = sys.argv[1]
rows = collections.OrderedDict()
for line in open(os.path.join(run, 'results.tsv')):
    f = line.rstrip('\n').split('\t')
    sc, broker, rep, load = f[0], f[1], f[2], float(f[3])
    txt = open(os.path.join(run, f'{sc}-{broker}-{rep}.txt')).read()
    m = re.search(r'^delivered\s+\d+\s+\d+\s+([\d.]+)', txt, re.M)
    e = re.search(r'^end to end\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)', txt, re.M)
    c = re.search(r'broker ([\d.]+) s \(([\d.]+) us', txt)
    l = re.search(r'lost (\d+)', txt)
    if not (m and e):
        continue
    rows.setdefault((sc, broker), []).append(dict(d=float(m.group(1)), p50=float(e.group(1)), p99=float(e.group(3)),
        p999=float(e.group(4)), us=float(c.group(2)) if c else float('nan'), lost=int(l.group(1)) if l else 0, load=load))
med = lambda xs: statistics.median(xs)
print('| scenario | broker | runs | delivered/s, median (min – max) | p50 ms | p99 ms, median (min – max) | broker µs/msg | load avg | lost |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|')
for (sc, b), r in rows.items():
    d = [x['d'] for x in r]; p99 = [x['p99'] for x in r]
    print(f"| {sc} | {b} | {len(r)} | {med(d):,.0f} ({min(d):,.0f} – {max(d):,.0f}) | {med([x['p50'] for x in r]):.3f} "
          f"| {med(p99):.3f} ({min(p99):.3f} – {max(p99):.3f}) | {med([x['us'] for x in r]):.2f} "
          f"| {min(x['load'] for x in r):.1f}–{max(x['load'] for x in r):.1f} | {sum(x['lost'] for x in r)} |")
