#!/usr/bin/env bash
# Session 14, call 1: V42 (the backward loop's instruction diet, each change a define) verified, raced,
# counted (ncu instructions) and timed against all-off; staged plans at >= 16,384 rows against the
# 32-element register kernel.
set -uo pipefail
R=/tmp/s14a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s14a.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s14a.sh $R/
OFF="BWD_SLOTS2=0,BWD_RED4=0,BWD_KEEPWG=0,BWD_HOIST=0"
step 02-verify-backward $B verify --variants-only --match backward
step 03-racecheck compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
K='regex:rmsnorm_bwd_(async|reg|fused|one)'
for sh in 4096x2048:bf16 4096x4096:fp16 4096x16384:bf16 65536x4096:bf16 16384x7168:bf16; do
  step 04-ncu-on-$sh ncu --metrics smsp__inst_executed.sum,gpu__time_duration.sum -k "$K" --launch-skip 2 -c 2 $B run --backward --no-peers --shapes $sh --reps 3 --output /tmp/o-ncu
  RMSNORM_KERNEL_DEFINES=$OFF step 04-ncu-off-$sh ncu --metrics smsp__inst_executed.sum,gpu__time_duration.sum -k "$K" --launch-skip 2 -c 2 $B run --backward --no-peers --shapes $sh --reps 3 --output /tmp/o-ncu
done
S=4096x2048:bf16,4096x4096:fp16,4096x4096:bf16,4096x7168:bf16,4096x16384:bf16,1024x16384:bf16,65536x4096:bf16,16384x7168:bf16,65536x5120:bf16,65536x16384:bf16,256x16384:bf16,256x4096:bf16,1x4096:bf16,4096x4096:fp32,65536x4096:fp32
for r in 1 2; do
  RMSNORM_KERNEL_DEFINES=$OFF step 05-off-$r $B run --backward --no-peers --shapes $S --output /tmp/o-05-off-$r
  step 06-on-$r $B run --backward --no-peers --shapes $S --output /tmp/o-06-on-$r
done
L=16384x4096:bf16,16384x7168:bf16,16384x8192:bf16,65536x2048:bf16,65536x4096:bf16,65536x7168:bf16,65536x8192:bf16,65536x5120:bf16,16384x4096:fp16
for r in 1 2; do
  step 07-reg32-$r $B run --backward --no-peers --shapes $L --output /tmp/o-07-reg32-$r
  RMSNORM_BWD_LARGE_STAGED=1 step 08-staged-$r $B run --backward --no-peers --shapes $L --output /tmp/o-08-staged-$r
done
