import sys, re, collections
# usage: jfr print --events jdk.ExecutionSample --stack-depth 64 f.jfr | python3 agg.py [thread-substr]
thr = sys.argv[1] if len(sys.argv) > 1 else 'ratatoskr-mqtt-io'
self_c = collections.Counter(); incl = collections.Counter(); total = 0
cur = None; frames = []; tname = ''
def flush():
    global total
    if frames and thr in tname:
        total += 1
        self_c[frames[0]] += 1
        for f in set(frames): incl[f] += 1
for line in sys.stdin:
    s = line.strip()
    if s.startswith('jdk.ExecutionSample'):
        flush(); frames = []; tname = ''
    elif s.startswith('sampledThread'):
        tname = s
    elif re.match(r'^[\w$.<>/]+\(.*\)\s+line:', s) or re.match(r'^[\w$.<>/]+\(.*\)', s) and 'line:' in s:
        f = re.sub(r'\s+line:.*', '', s)
        f = re.sub(r'\(.*\)', '', f)
        frames.append(f)
flush()
print('samples', total)
print('--- self')
for f, c in self_c.most_common(35): print(f'{100*c/total:5.1f}% {f}')
print('--- inclusive')
for f, c in incl.most_common(70): print(f'{100*c/total:5.1f}% {f}')
