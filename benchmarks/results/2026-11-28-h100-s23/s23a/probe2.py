# Per-launch SM busy time and end times from SMPROBE lines (any number of blocks a launch, one block an SM at a time).
import gzip,sys,statistics as st,collections
f=sys.argv[1]
op=gzip.open if f.endswith('.gz') else open
L=[l.split() for l in op(f,'rt') if l.startswith('SMPROBE')]
L=[(int(b),int(s),int(t0),int(t1)) for _,b,s,t0,t1,_m in L]
L.sort(key=lambda x:x[2])
launches=[];cur=[];curend=-1
for x in L:
    if cur and x[2]>curend: launches.append(cur);cur=[];curend=-1
    cur.append(x);curend=max(curend,x[3])
launches.append(cur)
print(f,"launches",len(launches),"blocks",[len(l) for l in launches][:3])
res=[]
for ln in launches[-5:]:
    t0=min(x[2] for x in ln);t1=max(x[3] for x in ln);span=t1-t0
    sm=collections.defaultdict(list)
    for b,s,a,e in ln: sm[s].append((a,e))
    busy=[sum(e-a for a,e in v)/span for v in sm.values()]
    ends=[(max(e for a,e in v)-t0)/span for v in sm.values()]
    starts=sorted(a-t0 for b,s,a,e in ln)
    # gaps between consecutive blocks on one SM
    gaps=[]
    for v in sm.values():
        v.sort()
        gaps+=[(v[i+1][0]-v[i][1]) for i in range(len(v)-1)]
    durs=collections.defaultdict(list)
    for b,s,a,e in ln: durs[b].append(e-a)
    res.append((span/1000,st.mean(busy),min(busy),min(ends),st.median(ends),st.median(gaps)/1000 if gaps else 0,max(gaps)/1000 if gaps else 0,len(sm)))
for r in res: print("span %.1f us  busy mean %.3f min %.3f  SM last-end min %.3f median %.3f  gap median %.2f us max %.2f us  SMs %d"%r)
# per block-size: duration per row
ln=launches[-1]
