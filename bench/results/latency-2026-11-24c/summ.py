import sys, glob, re, os, statistics as st
d = sys.argv[1]
rows = {}
for f in sorted(glob.glob(d + '/*.out')):
    base = f[:-4]
    sc, lab, rep = os.path.basename(base).rsplit('.', 2)
    if rep == '0': continue
    t = open(f).read()
    m = re.search(r'end to end\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)', t)
    c = re.search(r'broker ([\d.]+) s \(([\d.]+) us per delivered', t)
    dl = re.search(r'delivered\s+\d+\s+(\d+)\s+([\d.]+)', t)
    lost = re.search(r'lost (\d+)', t)
    ctx = open(base + '.ctx').read().split()
    v = int(ctx[2]) - int(ctx[0]); n = int(ctx[3]) - int(ctx[1])
    load = float(open(base + '.load').read().split()[0])
    if not (m and c and dl):
        print('bad', f); continue
    total = int(re.search(r'delivered\s+(\d+)', t).group(1))
    rows.setdefault((sc, lab), []).append(dict(p50=float(m.group(1)), p99=float(m.group(3)), p999=float(m.group(4)),
        us=float(c.group(2)), rate=float(dl.group(2)), wk=v / total, pre=n / total, load=load, lost=int(lost.group(1)) if lost else -1))
print('| scenario | broker | runs | delivered/s | p50 ms | p99 ms | p99.9 ms | broker µs/msg | wake-ups/msg | preemptions/msg | lost | load |')
print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for (sc, lab), rs in rows.items():
    med = lambda k: st.median(r[k] for r in rs)
    print(f"| {sc} | {lab} | {len(rs)} | {med('rate'):,.0f} | {med('p50'):.3f} | {med('p99'):.3f} | {med('p999'):.3f} | {med('us'):.2f} | {med('wk'):.2f} | {med('pre'):.2f} | {sum(r['lost'] for r in rs)} | {med('load'):.1f} |")
    p99s = ' '.join('%.2f' % r['p99'] for r in rs)
    uss = ' '.join('%.1f' % r['us'] for r in rs)
    wks = ' '.join('%.2f' % r['wk'] for r in rs)
    print(f"|  | per run: p99 ms {p99s}; µs/msg {uss}; wake-ups/msg {wks} |||||||||||")
