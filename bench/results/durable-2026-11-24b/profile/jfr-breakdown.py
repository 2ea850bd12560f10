import json,sys,subprocess,collections,re
jfr=sys.argv[1]; J=sys.argv[2]
def load(ev):
    out=subprocess.run([J+'/bin/jfr','print','--json','--stack-depth','64','--events',ev,jfr],capture_output=True,text=True).stdout
    return json.loads(out)['recording']['events']
def tname(e,k='sampledThread'):
    t=e['values'].get(k) or e['values'].get('eventThread') or {}
    name=t.get('javaName') or t.get('osName') or '?'
    return re.sub(r'-\d+$','',re.sub(r'(log-(writer|completer)-).*',r'\1',name))
def fn(f): m=f['method']; return m['type']['name'].split('.')[-1]+'.'+m['name']
ev=load('jdk.ExecutionSample')
if len(sys.argv)>3:
    marks=[e['values']['startTime'] for e in ev if sys.argv[3] in json.dumps(e['values']['stackTrace'])]
    t0=min(marks); print('from',t0); ev=[e for e in ev if e['values']['startTime']>=t0]

byth=collections.Counter(); leaf=collections.defaultdict(collections.Counter); incl=collections.defaultdict(collections.Counter)
for e in ev:
    th=tname(e); byth[th]+=1
    fr=e['values']['stackTrace']['frames']
    if fr: leaf[th][fn(fr[0])]+=1
    seen=set()
    for f in fr:
        n=fn(f)
        if n not in seen: seen.add(n); incl[th][n]+=1
tot=sum(byth.values()); print('samples',tot)
for th,c in byth.most_common(6):
    print(f"{100*c/tot:5.1f}% {th}")
    print("   leaf:", ", ".join(f"{m} {100*k/tot:.1f}" for m,k in leaf[th].most_common(14)))
    print("   incl:", ", ".join(f"{m} {100*k/tot:.1f}" for m,k in incl[th].most_common(45) if not m.startswith(('Thread.','SingleThreadEventExecutor','NioEventLoop','EpollEventLoop','FastThreadLocalRunnable','ThreadExecutorMap','AbstractChannelHandlerContext','DefaultChannelPipeline'))))
a=load('jdk.ObjectAllocationSample')
w=collections.Counter(); site=collections.Counter()
for e in a:
    cls=e['values']['objectClass']['name']; wt=e['values']['weight']; w[cls]+=wt
    fr=e['values']['stackTrace']['frames'] if e['values'].get('stackTrace') else []
    s=next((fn(f) for f in fr if 'ratatoskr' in f['method']['type']['name']), fn(fr[0]) if fr else '?')
    site[cls.split('.')[-1]+' @ '+s]+=wt
tw=sum(w.values()); print('alloc total MB',tw/1e6)
for c,k in w.most_common(15): print(f"  {100*k/tw:5.1f}% {c}")
for c,k in site.most_common(25): print(f"  {100*k/tw:5.1f}% {c}")
