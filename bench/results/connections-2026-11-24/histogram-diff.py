#!/usr/bin/env python3
"""Per-connection heap by class: the difference of two `jcmd GC.class_histogram` outputs divided by N.

    histogram-diff.py BEFORE.txt AFTER.txt N [TOP]
"""
import re
import sys


def read(path):
    classes = {}
    for line in open(path):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            classes[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return classes


before, after, n = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
top = int(sys.argv[4]) if len(sys.argv) > 4 else 25
rows = []
for name in set(before) | set(after):
    i0, b0 = before.get(name, (0, 0))
    i1, b1 = after.get(name, (0, 0))
    rows.append((b1 - b0, i1 - i0, name))
rows.sort(reverse=True)
total = sum(r[0] for r in rows)
print(f"{'B/conn':>9} {'objects/conn':>13}  class   (total {total / n:,.0f} B per connection over {n:,})")
for db, di, name in rows[:top]:
    print(f"{db / n:9.1f} {di / n:13.2f}  {name}")
