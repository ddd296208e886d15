#!/usr/bin/env bash
# Session 20, call 3 (the ce0cebf build again, as s20a): where the backward's time goes at N = 16,384 bf16 (4096 ×
# 16,384 at 76-78% of a same-size copy): ncu per kernel at 4096 and 16,384 rows, a full ncu section set on one
# launch of the staged row kernel and of dw_reduce at 4096 × 16,384, and the stage count (2 against 3).
set -uo pipefail
R=/tmp/s20c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
[ -x .gpu/rmsnorm-bench ] || { gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench; }
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s20c.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s20c.sh $R/
RMSNORM_BENCH=$B step 10-ncu-backward timeout 150 bash scripts/ncu-backward.sh $R/ncu 4096x16384:bf16 16384x16384:bf16 4096x8192:bf16
step 20-ncu-full timeout 200 ncu --clock-control none --cache-control none --set full --kernel-name regex:"rmsnorm_bwd_async|rmsnorm_dw_reduce" \
    --launch-skip 40 --launch-count 2 -o $R/full-4096x16384 $B run --variant backward --shapes 4096x16384:bf16 --no-peers --reps 20 --output /tmp/o-20
ncu --import $R/full-4096x16384.ncu-rep --page details > $R/21-full-details.txt 2>&1
ncu --import $R/full-4096x16384.ncu-rep --page raw --csv > $R/22-full-raw.csv 2>&1
tar czf $OUT/s20c.tgz -C $R .
S=4096x16384:bf16,16384x16384:bf16,65536x16384:bf16,4096x8192:bf16
for r in 1 2; do
  step 3$r-stages3 timeout 60 $B run --variant backward --shapes $S --no-peers --output /tmp/o-3$r-stages3
  RMSNORM_BWD_STAGES=2 step 4$r-stages2 timeout 60 $B run --variant backward --shapes $S --no-peers --output /tmp/o-4$r-stages2
done
