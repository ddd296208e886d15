#!/usr/bin/env bash
# Session 14, call 3: V42 with a lean mask per kernel family: verified, raced; the llm backward suite and
# awkward shapes against all masks 0 (the session-13 loop), alternated twice; the staged r128 mask.
set -uo pipefail
R=/tmp/s14c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s14c.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s14c.sh $R/
OFF="BWD_LEAN_REG=0,BWD_LEAN_R128=0,BWD_LEAN_ASYNC=0,BWD_LEAN_ASYNC_R128=0,BWD_LEAN_FUSED=0,BWD_LEAN_ONE=0"
A=199x769:fp32,199x769:fp16,1000x1001:bf16,1000x1001:fp32,256x4096:fp32,256x2048:fp32,16x4096:fp32,4096x769:fp32,4096x769:fp16,7x7001:bf16,1x769:fp16,65535x96:fp32,256x16384:bf16
for r in 1 2; do
  RMSNORM_KERNEL_DEFINES=$OFF step 20-llm-off-$r $B run --suite llm --backward --no-peers --output /tmp/o-20-llm-off-$r
  step 21-llm-on-$r $B run --suite llm --backward --no-peers --output /tmp/o-21-llm-on-$r
  RMSNORM_KERNEL_DEFINES=$OFF step 22-awk-off-$r $B run --backward --no-peers --shapes $A --output /tmp/o-22-awk-off-$r
  step 23-awk-on-$r $B run --backward --no-peers --shapes $A --output /tmp/o-23-awk-on-$r
  RMSNORM_KERNEL_DEFINES=BWD_LEAN_FUSED=15 step 24-awk-fused15-$r $B run --backward --no-peers --shapes $A --output /tmp/o-24-awk-fused15-$r
done
step 02-verify-backward $B verify --variants-only --match backward
step 03-racecheck compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
