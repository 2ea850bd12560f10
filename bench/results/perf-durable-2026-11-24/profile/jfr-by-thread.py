import json,sys,subprocess,collections,re
jfr=sys.argv[1]; J=sys.argv[2]
out=subprocess.run([J+'/bin/jfr','print','--json','--events','jdk.ExecutionSample',jfr],capture_output=True,text=True).stdout
d=json.loads(out)
ev=d['recording']['events']
byth=collections.Counter(); top=collections.defaultdict(collections.Counter)
for e in ev:
    t=e['values']['sampledThread']
    name=t.get('javaName') or t.get('osName') or '?'
    name=re.sub(r'-\d+$','',re.sub(r'(log-(writer|completer)-).*',r'\1',name))
    byth[name]+=1
    fr=e['values']['stackTrace']['frames']
    f0=None
    for f in fr:
        m=f['method']; n=m['type']['name']+'.'+m['name']
        if n.startswith('io.ratatoskr') or n.startswith('io/ratatoskr'):
            f0=n;break
    top[name][f0 or (fr[0]['method']['type']['name']+'.'+fr[0]['method']['name'] if fr else '?')]+=1
tot=sum(byth.values()); print('samples',tot)
for th,c in byth.most_common(8):
    print(f"{100*c/tot:5.1f}% {th}")
    for m,k in top[th].most_common(int(sys.argv[3]) if len(sys.argv)>3 else 6):
        print(f"        {100*k/tot:5.1f}% {m}")
