#!/usr/bin/env bash
# Session 17, call 9 (V51): the forward at few rows with a 256-thread cap (RMSNORM_FEW_ROWS_TPR=256: 4 vectors x 256
# threads instead of 2 x 512) against the default 512, at 1-256 rows, ours only, paced, alternated three times;
# then verify --quick with the 256 cap (every plan it makes checked against the fp64 reference).
set -uo pipefail
R=/tmp/s17i; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt | cut -c1-100)" | tee -a $R/steps.txt
    tar czf $OUT/s17i.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s17i.sh $R/
F=$(for n in 5120 8192; do for m in 1 2 4 8 16 64 256; do printf "%sx%s:bf16," $m $n; done; done)1x7168:bf16,16x7168:bf16,256x7168:bf16,1x4096:fp32,16x4096:fp32,256x4096:fp32,1x8192:fp32,16x8192:fp32
for t in 512 256; do RMSNORM_FEW_ROWS_TPR=$t step 09-warm-$t $B run --no-peers --shapes $F --output /tmp/o-09; done
for r in 1 2 3; do
  for t in 512 256; do
    RMSNORM_FEW_ROWS_TPR=$t step 1$r-fwd-t$t $B run --no-peers --shapes $F --output /tmp/o-1$r-fwd-t$t
  done
done
RMSNORM_FEW_ROWS_TPR=256 step 20-verify-quick-t256 timeout 300 $B verify --quick
