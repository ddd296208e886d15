#!/usr/bin/env bash
# Session 34, call j (H200): the wide-row cluster rule (s34i). (1) verify the new cases in a fresh process; (2) ours
# only, the rule against RMSNORM_WIDE_ROW_CLUSTERS=0, two alternations; (3) with peers at four of the shapes.
set -uo pipefail
R=/tmp/s34j; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s34j.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
B=$(date +%s)
step() { local name=$1 limit=$2; shift 2; timeout $limit "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - B )) s" | tee -a $R/steps.txt; tar czf $OUT/s34j.tgz -C $R .; }
step 10-verify-264 150 .gpu/rmsnorm-bench verify --match 264x
S=2048x65536:bf16,1024x32768:fp32,1024x49152:bf16,4096x32768:bf16,4096x24576:bf16,264x65536:bf16,512x32768:fp32,4096x20000:fp32,4096x16384:bf16
for r in 1 2; do for c in 0 1; do
  step 2$r-ab-wide$c 90 env RMSNORM_WIDE_ROW_CLUSTERS=$c .gpu/rmsnorm-bench run --shapes $S --no-peers --no-repeat --output $R/2$r-ab-wide$c
done; done
step 30-peers 200 .gpu/rmsnorm-bench run --shapes 2048x65536:bf16,1024x32768:fp32,4096x32768:bf16,4096x24576:bf16 --output $R/30-peers
tail -2 $R/10-verify-264.txt; grep FAIL $R/10-verify-264.txt | head
python3 - $R <<'PY' | tee $R/summary-ab.txt
import csv, glob, sys, collections, statistics as st
d = collections.defaultdict(list)
for f in sorted(glob.glob(sys.argv[1] + '/2?-ab-wide?/benchmark.csv')):
    c = f.split('wide')[1][0]
    for r in csv.DictReader(open(f)):
        if r['method'] == 'ours': d[(r['M'], r['N'], r['dtype'], c)].append(float(r['median_us']))
for k in sorted({k[:3] for k in d}, key=lambda k: (k[2], int(k[1]))):
    a, b = d[k + ('0',)], d[k + ('1',)]
    print('%5sx%-6s %s  staged %s  clusters %s  change %+.1f%%' % (k + (' '.join('%.1f' % x for x in a), ' '.join('%.1f' % x for x in b), 100 * (st.mean(b) / st.mean(a) - 1))))
PY
grep -A8 "^Sweep" $R/30-peers.txt
tar czf $OUT/s34j.tgz -C $R .
