#!/usr/bin/env bash
# Prepared in session 33 for the next session (H200), one call of ~2 minutes: lead 2 of session 33, the bench's arena
# (V87) on the variants. Ours and our copy, pooled (the default) against RMSNORM_BENCH_POOL=0, 4 alternations, the fused
# add, LLaMA and fp8 at 1-, 16- and 256-row shapes. s33k (2 alternations, fused add) was mixed.
#   bash .gpu/s34.sh      (after scripts/build-gpu-binary.sh; carry .gpu)
set -uo pipefail
R=/tmp/s34a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s34.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=1x4096:bf16,16x4096:bf16,16x8192:bf16,16x4096:fp32,256x4096:bf16,256x4096:fp16
for r in 1 2 3 4; do for v in add llama fp8; do for p in 0 1; do
    timeout 30 env RMSNORM_BENCH_POOL=$p .gpu/rmsnorm-bench run --variant $v --shapes $S --no-peers --no-repeat \
        --output /tmp/o-$r-$v-$p > $R/$r-$v-pool$p.txt 2>&1
    cp /tmp/o-$r-$v-$p/benchmark.csv $R/$r-$v-pool$p.csv
done; done; tar czf $OUT/s34a.tgz -C $R .; done
python3 - $R <<'PY' | tee $R/summary.txt
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
tar czf $OUT/s34a.tgz -C $R .
