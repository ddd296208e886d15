#!/usr/bin/env bash
# Session 22, call 1: the dw reduction's share of the backward (measurement only, RMSNORM_KERNEL_DEFINES=DW_SKIP=1:
# rmsnorm_dw_reduce returns at entry; DW_SKIP=2: it returns after its wait for the row kernel), ours only, against
# the default, alternated twice; then ncu's source view of the staged backward kernel at 4096 x 16,384 bf16.
set -uo pipefail
R=/tmp/s22a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s22a.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s22a.sh $R/
S=4096x2048:bf16,4096x4096:bf16,4096x8192:bf16,4096x16384:bf16,16384x4096:bf16,16384x7168:bf16,16384x16384:bf16,65536x4096:bf16,16384x4096:fp32,4096x4096:fp32
for r in 1 2; do
  step 1$r-base timeout 90 $B run --variant backward --shapes $S --no-peers --output /tmp/o-1$r-base
  step 2$r-skip2 timeout 90 env RMSNORM_KERNEL_DEFINES=DW_SKIP=2 $B run --variant backward --shapes $S --no-peers --output /tmp/o-2$r-skip2
  step 3$r-skip1 timeout 90 env RMSNORM_KERNEL_DEFINES=DW_SKIP=1 $B run --variant backward --shapes $S --no-peers --output /tmp/o-3$r-skip1
done
step 40-ncu timeout 150 ncu --clock-control none --cache-control none --kernel-name regex:rmsnorm_bwd_async \
    --launch-skip 3 --launch-count 1 --set full --import-source no --export $R/stg \
    $B run --variant backward --shapes 4096x16384:bf16 --no-peers --reps 5 --output /tmp/o-40
step 41-page-details timeout 60 ncu --import $R/stg.ncu-rep --page details
step 42-page-source timeout 60 ncu --import $R/stg.ncu-rep --page source --csv --print-source sass
ls -la $R >> $R/steps.txt
tar czf $OUT/s22a.tgz -C $R .
