#!/usr/bin/env bash
# Session 19, call 2 (the V53 + V54 build): verify --quick --variants-only; V54 A/B (RMSNORM_PDL=0 against the
# default) over backward shapes with partial rows; V53 A/B (RMSNORM_VARIANT_ELEMENTS=8, the old cap, against the
# default) over fp32 fused add and add + fp8 at few rows; ncu kernel times of the backward at 16,384 x 4096 bf16.
set -uo pipefail
R=/tmp/s19b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    tar czf $OUT/s19b.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s19b.sh $R/
step 02-verify-variants timeout 300 $B verify --quick --variants-only
BW=2048x4096:bf16,4096x2048:bf16,4096x4096:bf16,4096x8192:bf16,4096x4096:fp32,16384x4096:bf16,4096x16384:bf16
AD=1x8192:fp32,16x8192:fp32,256x8192:fp32,1x16384:fp32,16x16384:fp32,256x16384:fp32,256x5120:fp32,256x4096:fp32
for r in 1 2 3; do
  step 1$r-bwd-pdl timeout 60 $B run --variant backward --shapes $BW --no-peers --output /tmp/o-1$r-bwd-pdl
  RMSNORM_PDL=0 step 1$r-bwd-nopdl timeout 60 $B run --variant backward --shapes $BW --no-peers --output /tmp/o-1$r-bwd-nopdl
  step 2$r-add-new timeout 60 $B run --variant add --shapes $AD --no-peers --output /tmp/o-2$r-add-new
  RMSNORM_VARIANT_ELEMENTS=8 step 2$r-add-old timeout 60 $B run --variant add --shapes $AD --no-peers --output /tmp/o-2$r-add-old
  step 2$r-af8-new timeout 60 $B run --variant add-fp8 --shapes $AD --no-peers --output /tmp/o-2$r-af8-new
  RMSNORM_VARIANT_ELEMENTS=8 step 2$r-af8-old timeout 60 $B run --variant add-fp8 --shapes $AD --no-peers --output /tmp/o-2$r-af8-old
done
step 30-ncu-bwd timeout 90 ncu --clock-control none --kernel-name regex:"rmsnorm_bwd|rmsnorm_dw_reduce" --launch-skip 40 --launch-count 6 \
  --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,launch__grid_size,launch__block_size,dram__throughput.avg.pct_of_peak_sustained_elapsed \
  $B run --variant backward --shapes 16384x4096:bf16 --no-peers --reps 20 --output /tmp/o-x
