#!/usr/bin/env bash
# Session 33, call 8 (H200): the bench's operands carved from one allocation (RMSNORM_BENCH_POOL=1, as PyTorch's
# caching allocator packs a peer's tensors) against one allocation each (the default), ours and our copy only, 1-, 16-
# and 256-row shapes, 4 alternations. Prediction (NOTES): pooled, ours and our copy -2 to -3% at 1-16 rows.
set -uo pipefail
R=/tmp/s33h; mkdir -p $R
T0=$(date +%s)
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s33h.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=1x4096:bf16,16x2048:bf16,16x4096:bf16,16x7168:bf16,16x8192:bf16,16x4096:fp32,256x2048:bf16,256x4096:bf16,256x8192:bf16,256x4096:fp32
for r in 1 2 3 4; do
    for p in 0 1; do
        timeout 40 env RMSNORM_BENCH_POOL=$p $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-$p > $R/$r-pool$p.txt 2>&1
        echo "$r-pool$p: rc=$?" >> $R/steps.txt
        cp /tmp/o-$r-$p/benchmark.csv $R/$r-pool$p.csv
    done
    tar czf $OUT/s33h.tgz -C $R .
done
python3 - $R <<'PY' | tee $R/summary.txt
import csv, glob, sys, statistics as st, collections
d = collections.defaultdict(list)
for f in sorted(glob.glob(sys.argv[1] + '/*-pool*.csv')):
    p = f.split('-pool')[1][0]
    for r in csv.DictReader(open(f)):
        d[(r['M'], r['N'], r['dtype'], r['method'], p)].append(float(r['median_us']))
for key in sorted({k[:4] for k in d}, key=lambda k: (k[3], int(k[0]), k[2], int(k[1]))):
    a, b = d[key + ('0',)], d[key + ('1',)]
    print('%-5s %4sx%-5s %s  separate %s  pooled %s  change %+.1f%%' % (key[3], key[0], key[1], key[2],
          ' '.join('%.2f' % v for v in a), ' '.join('%.2f' % v for v in b), 100 * (st.mean(b) / st.mean(a) - 1)))
PY
tar czf $OUT/s33h.tgz -C $R .
