#!/usr/bin/env python3
"""Medians per scenario and variant from ab.sh's MqttLoad outputs. Usage: summarize.py DIR"""
import glob, os, re, statistics, sys
d = sys.argv[1]
rows = {}
for f in sorted(glob.glob(os.path.join(d, '*.txt'))):
    m = re.match(r'(.+)-(base|noleak|new)-(\d+)\.txt$', os.path.basename(f))
    if not m:
        continue
    t = open(f).read()
    def num(pat, g=1):
        x = re.search(pat, t, re.M)
        return float(x.group(g)) if x else None
    r = {
        'deliv': num(r'^delivered\s+\d+\s+\d+\s+([\d.]+)'),
        'p50': num(r'^end to end\s+([\d.]+)'),
        'p99': num(r'^end to end\s+[\d.]+\s+[\d.]+\s+([\d.]+)'),
        'p999': num(r'^end to end\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)'),
        'us': num(r'\(([\d.]+) us per delivered'),
        'vol': num(r'message \(whole run incl\. warm-up\): ([\d.]+) vol'),
        'invol': num(r'vol ([\d.]+) invol'),
        'load': num(r'^load at start: ([\d.]+)'),
        'samples': num(r'^end to end(?:\s+[\d.]+){6}\s+(\d+)'),
    }
    rows.setdefault((m.group(1), m.group(2)), []).append(r)
def med(rs, k):
    v = [r[k] for r in rs if r[k] is not None and (k not in ('p50', 'p99', 'p999') or r['samples'])]
    return statistics.median(v) if v else None
def fmt(x, nd=3):
    return '-' if x is None else (f'{x:,.0f}' if nd == 0 else f'{x:.{nd}f}')
print('| scenario | jar | runs | delivered/s | p50 ms | p99 ms | p99.9 ms | broker µs/msg | broker wake-ups/msg (voluntary) | preemptions/msg | load avg |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
order = {'base': 0, 'noleak': 1, 'new': 2}
def scenario_key(sc):
    m = re.search(r'-([\d.]+)k$', sc)
    return (re.sub(r'-([\d.]+k|flat)$', '', sc), float(m.group(1)) if m else float('inf'))
for (sc, v) in sorted(rows, key=lambda k: (scenario_key(k[0]), order[k[1]])):
    rs = rows[(sc, v)]
    name = {'base': 'base', 'noleak': 'base, leak detector off', 'new': 'new'}[v]
    print(f"| {sc} | {name} | {len(rs)} | {fmt(med(rs,'deliv'),0)} | {fmt(med(rs,'p50'))} | {fmt(med(rs,'p99'))} | {fmt(med(rs,'p999'))} | {fmt(med(rs,'us'),2)} | {fmt(med(rs,'vol'),2)} | {fmt(med(rs,'invol'),2)} | {fmt(med(rs,'load'),1)} |")
