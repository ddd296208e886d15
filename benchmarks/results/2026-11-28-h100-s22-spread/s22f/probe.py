import gzip,sys,statistics as st,collections
f=sys.argv[1]
L=[l.split() for l in gzip.open(f,'rt') if l.startswith('SMPROBE')]
launches=[L[i:i+132] for i in range(0,len(L),132)]
per_sm=collections.defaultdict(list); spreads=[]
smset=set()
for ln in launches[5:]:
    t0=min(int(x[3]) for x in ln); tend=max(int(x[4]) for x in ln)
    d={int(x[2]):(int(x[4])-int(x[3])) for x in ln}
    startoff=[int(x[3])-t0 for x in ln]
    for s,v in d.items(): per_sm[s].append(v/(tend-t0))
    durs=sorted(d.values()); spreads.append((durs[0]/durs[-1], max(startoff)/1000))
print(f, "launches", len(launches), "min/max dur ratio per launch (median)", st.median(s for s,_ in spreads), "max start offset us", st.median(o for _,o in spreads))
sm=sorted(per_sm)
print("SMs",len(sm), "smid range", sm[0], sm[-1])
# consistency: correlation of per-SM relative duration between first and second half of launches
import math
a=[st.mean(per_sm[s][:len(per_sm[s])//2]) for s in sm]; b=[st.mean(per_sm[s][len(per_sm[s])//2:]) for s in sm]
ma,mb=st.mean(a),st.mean(b)
cor=sum((x-ma)*(y-mb) for x,y in zip(a,b))/math.sqrt(sum((x-ma)**2 for x in a)*sum((y-mb)**2 for y in b))
print("per-SM duration (fraction of launch) min %.3f max %.3f; halves correlation %.2f"%(min(a+b),max(a+b),cor))
line=""
for s in sm:
    line+="%3d:%.2f "%(s, st.mean(per_sm[s]))
    if s%12==11: print(line); line=""
print(line)
