#!/usr/bin/env bash
# Session 13, call 3: where the backward's time goes at 4096-65,536 rows (ncu: the row kernel and the dw
# reduction); the rows a backward block stands for (grid size) A/B.
set -uo pipefail
R=/tmp/s13c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s13c.tgz -C $R .
}
cp .gpu/s13c.sh $R/
K='regex:rmsnorm_bwd_(reg|async)|rmsnorm_dw_reduce'
for sh in 4096x2048:bf16 4096x4096:bf16 16384x4096:bf16 65536x4096:bf16 4096x16384:bf16 65536x16384:bf16; do
  step 02-ncu-$sh ncu --metrics gpu__time_duration.sum,dram__bytes.sum,sm__warps_active.avg.pct_of_peak_sustained_active -k "$K" -c 4 $B run --backward --no-peers --shapes $sh --output /tmp/o-ncu
done
S=4096x2048:bf16,4096x4096:bf16,4096x7168:bf16,4096x16384:bf16,16384x2048:bf16,16384x4096:bf16,16384x8192:bf16,4096x4096:fp32,16384x4096:fp32
for r in 1 2; do
  for g in 16 8 4; do
    RMSNORM_BWD_GROUPS_PER_BLOCK=$g step 03-g$g-$r $B run --backward --no-peers --shapes $S --output /tmp/o-03-g$g-$r
  done
done
