#!/usr/bin/env bash
# Session 19, call 1 (the V52 build): ncu of the backward at 16,384 x 4096 / 2048, 4096 x 16,384 bf16 (kernel times,
# DRAM bytes, stalls; clocks left alone); lead 1 of session 18: fp32 fused add at few rows, 256 x 16 against the default.
set -uo pipefail
R=/tmp/s19a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s19a.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s19a.sh $R/
NCU="ncu --clock-control none --kernel-name regex:rmsnorm_bwd|rmsnorm_dw_reduce --launch-skip 6 --launch-count 4 --section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis"
for s in 16384x4096 16384x2048 4096x16384; do
  step 10-ncu-$s timeout 120 $NCU $B run --variant backward --shapes $s:bf16 --no-peers --reps 10 --output /tmp/o-x
done
S=256x2048:fp32,256x4096:fp32,256x8192:fp32,16x4096:fp32,1x4096:fp32
for r in 1 2 3; do
  step 2$r-add-def timeout 60 $B run --variant add --shapes $S --no-peers --output /tmp/o-2$r-add-def
  RMSNORM_FEW_ROWS_TPR=256 RMSNORM_VARIANT_ELEMENTS=16 step 2$r-add-16 timeout 60 $B run --variant add --shapes $S --no-peers --output /tmp/o-2$r-add-16
  step 2$r-af8-def timeout 60 $B run --variant add-fp8 --shapes $S --no-peers --output /tmp/o-2$r-af8-def
  RMSNORM_FEW_ROWS_TPR=256 RMSNORM_VARIANT_ELEMENTS=16 step 2$r-af8-16 timeout 60 $B run --variant add-fp8 --shapes $S --no-peers --output /tmp/o-2$r-af8-16
done
