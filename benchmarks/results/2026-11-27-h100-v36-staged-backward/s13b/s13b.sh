#!/usr/bin/env bash
# Session 13, call 2: the staged backward after the fixes (shared-memory limit raised only, a weight copy per
# row group, 16-bit 16-element plans only); the one-block M = 1 backward and the fused kernel with vector dw
# stores; ncu of the two-kernel backward (register kernel + dw reduction) and the staged one.
set -uo pipefail
R=/tmp/s13b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s13b.tgz -C $R .
}
cp .gpu/s13b.sh $R/
step 02-verify-backward $B verify --variants-only --match backward
step 03-racecheck compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
step 04-memcheck compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
S=1x2048:bf16,1x4096:bf16,1x5120:bf16,1x7168:bf16,1x8192:bf16,1x16384:bf16,1x4096:fp16,1x4096:fp32,16x2048:bf16,16x4096:bf16,16x8192:bf16,256x2048:bf16,256x4096:bf16,256x16384:bf16,256x4096:fp32
for r in 1 2; do
  RMSNORM_BWD_ONE=0 step 05-cols-$r $B run --backward --no-peers --shapes $S --output /tmp/o-05-cols-$r
  step 06-one-$r $B run --backward --no-peers --shapes $S --output /tmp/o-06-one-$r
done
for sh in 16384x4096:bf16 4096x4096:bf16 4096x2048:bf16; do
  step 07-ncu-$sh ncu --metrics gpu__time_duration.sum -k regex:"rmsnorm_(bwd|dw)" -c 8 $B run --backward --no-peers --shapes $sh --output /tmp/o-ncu
done
RMSNORM_BWD_STAGES=0 step 08-ncu-4096x4096-reg ncu --metrics gpu__time_duration.sum -k regex:"rmsnorm_(bwd|dw)" -c 8 $B run --backward --no-peers --shapes 4096x4096:bf16 --output /tmp/o-ncu
