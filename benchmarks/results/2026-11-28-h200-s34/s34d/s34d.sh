#!/usr/bin/env bash
# Session 34, call d (H200): (1) the fused add at few rows, plan A/B (ours only, 2 alternations): default against
# RMSNORM_FEW_ROWS_TPR=1024 (2 vectors x 1,024 threads at 16,384 columns), RMSNORM_VARIANT_ELEMENTS=8 and =4 (fewer
# vectors a thread, more threads); the forward at the same shapes default against FEW_ROWS_TPR=1024.
# (2) s34-prepared (lead 2 of session 33): the arena on the variants, pooled against RMSNORM_BENCH_POOL=0, 4 alternations.
set -uo pipefail
R=/tmp/s34d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s34d.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=1x16384:bf16,16x16384:bf16,1x8192:bf16,16x8192:bf16,1x4096:bf16,16x4096:bf16,256x2048:bf16,256x4096:bf16,16x4096:fp32,256x4096:fp32
B=$(date +%s)
for r in 1 2; do for c in default tpr1024 el8 el4; do
    case $c in default) E=;; tpr1024) E=RMSNORM_FEW_ROWS_TPR=1024;; el8) E=RMSNORM_VARIANT_ELEMENTS=8;; el4) E=RMSNORM_VARIANT_ELEMENTS=4;; esac
    timeout 60 env $E .gpu/rmsnorm-bench run --variant add --shapes $S --no-peers --no-repeat --output /tmp/o > $R/a$r-add-$c.txt 2>&1
    cp /tmp/o/benchmark.csv $R/a$r-add-$c.csv
done
for c in default tpr1024; do
    case $c in default) E=;; tpr1024) E=RMSNORM_FEW_ROWS_TPR=1024;; esac
    timeout 60 env $E .gpu/rmsnorm-bench run --shapes 1x16384:bf16,16x16384:bf16,1x8192:bf16,16x8192:bf16 --no-peers --no-repeat --output /tmp/o > $R/a$r-fwd-$c.txt 2>&1
    cp /tmp/o/benchmark.csv $R/a$r-fwd-$c.csv
done; done
tar czf $OUT/s34d.tgz -C $R .
echo "part 1: $(( $(date +%s) - B )) s"
python3 - $R <<'PY' | tee $R/summary-plans.txt
import csv, glob, sys, statistics as st, collections
d = collections.defaultdict(list); plan = {}
for f in sorted(glob.glob(sys.argv[1] + '/a*-*-*.csv')):
    _, v, c = f.split('/')[-1][:-4].split('-')
    for r in csv.DictReader(open(f)):
        if r['method'] == 'ours': d[(v, r['M'], r['N'], r['dtype'], c)].append(float(r['median_us']))
for key in sorted({k[:4] for k in d}, key=lambda k: (k[0], k[3], int(k[1]), int(k[2]))):
    base = d[key + ('default',)]
    out = '%-4s %5sx%-6s %s default %s' % (key + (' '.join('%.2f' % x for x in base),))
    for c in ('tpr1024', 'el8', 'el4'):
        if d.get(key + (c,)): out += '  %s %s (%+.1f%%)' % (c, ' '.join('%.2f' % x for x in d[key + (c,)]), 100 * (st.mean(d[key + (c,)]) / st.mean(base) - 1))
    print(out)
PY
grep -h "registers\|smem\|split" $R/a1-*.txt | awk '{print FILENAME}' >/dev/null
for f in $R/a1-*.txt; do echo "== $f"; grep -E "^[0-9]+x[0-9]+:" $f | grep -E "registers|smem|split|loop" ; done > $R/plans.txt 2>&1
# part 2: s34-prepared
S=1x4096:bf16,16x4096:bf16,16x8192:bf16,16x4096:fp32,256x4096:bf16,256x4096:fp16
for r in 1 2 3 4; do for v in add llama fp8; do for p in 0 1; do
    timeout 30 env RMSNORM_BENCH_POOL=$p .gpu/rmsnorm-bench run --variant $v --shapes $S --no-peers --no-repeat \
        --output /tmp/o-$r-$v-$p > $R/$r-$v-pool$p.txt 2>&1
    cp /tmp/o-$r-$v-$p/benchmark.csv $R/$r-$v-pool$p.csv
done; done; done
python3 - $R <<'PY' | tee $R/summary-pool.txt
import csv, glob, sys, statistics as st, collections
d = collections.defaultdict(list)
for f in sorted(glob.glob(sys.argv[1] + '/*-pool*.csv')):
    v, p = f.split('/')[-1].split('-')[1], f.split('-pool')[1][0]
    for r in csv.DictReader(open(f)):
        d[(v, r['method'], r['M'], r['N'], r['dtype'], p)].append(float(r['median_us']))
for key in sorted({k[:5] for k in d}):
    a, b = d[key + ('0',)], d[key + ('1',)]
    print('%-6s %-5s %4sx%-5s %s  separate %s  pooled %s  change %+.1f%%' % (key + (' '.join('%.2f' % x for x in a),
          ' '.join('%.2f' % x for x in b), 100 * (st.mean(b) / st.mean(a) - 1))))
PY
echo "total: $(( $(date +%s) - B )) s"
tar czf $OUT/s34d.tgz -C $R .
