#!/usr/bin/env bash
# Session 13, call 9: dw reduction with 16 partial rows in flight a thread (V41) against 4; one block for an
# fp32 row with V39's prologue against the column blocks.
set -uo pipefail
R=/tmp/s13i; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s13i.tgz -C $R .
}
cp .gpu/s13i.sh $R/
S=4096x2048:bf16,4096x4096:bf16,16384x2048:bf16,16384x4096:bf16,16384x8192:bf16,65536x4096:bf16,4096x16384:bf16,4096x4096:fp32,16384x4096:fp32
F=1x1000:fp32,1x2048:fp32,1x4096:fp32,1x8192:fp32
for r in 1 2; do
  step 02-u4-$r $B run --backward --no-peers --shapes $S --output /tmp/o-02-u4-$r
  RMSNORM_KERNEL_DEFINES=DW_UNROLL=16 step 03-u16-$r $B run --backward --no-peers --shapes $S --output /tmp/o-03-u16-$r
  step 04-f32cols-$r $B run --backward --no-peers --shapes $F --output /tmp/o-04-f32cols-$r
  RMSNORM_BWD_ONE=all step 05-f32one-$r $B run --backward --no-peers --shapes $F --output /tmp/o-05-f32one-$r
done
RMSNORM_KERNEL_DEFINES=DW_UNROLL=16 step 06-ncu-u16 ncu --metrics gpu__time_duration.sum -k regex:rmsnorm_dw_reduce --launch-skip 2 -c 2 $B run --backward --no-peers --shapes 16384x4096:bf16 --reps 3 --output /tmp/o-ncu
step 07-ncu-u4 ncu --metrics gpu__time_duration.sum -k regex:rmsnorm_dw_reduce --launch-skip 2 -c 2 $B run --backward --no-peers --shapes 16384x4096:bf16 --reps 3 --output /tmp/o-ncu
RMSNORM_KERNEL_DEFINES=DW_UNROLL=16 step 08-verify-backward-u16 $B verify --variants-only --match backward --max-elements 2000000
