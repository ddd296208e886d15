#!/usr/bin/env bash
# Session 13, call 5: the staged backward's 128-register kernel (V38): verify, racecheck, A/B against the
# 64-register staged kernel and the register kernel.
set -uo pipefail
R=/tmp/s13e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s13e.tgz -C $R .
}
cp .gpu/s13e.sh $R/
S=4096x2048:bf16,4096x4096:bf16,4096x5120:bf16,4096x7168:bf16,4096x8192:bf16,4096x4096:fp16,2048x8192:bf16,4096x256:bf16,8192x4096:bf16,1024x16384:bf16
for r in 1 2; do
  RMSNORM_BWD_STAGES=0 step 02-reg-$r $B run --backward --no-peers --shapes $S --output /tmp/o-02-reg-$r
  RMSNORM_BWD_KEEP=0 step 03-s64-$r $B run --backward --no-peers --shapes $S --output /tmp/o-03-s64-$r
  step 04-r128-$r $B run --backward --no-peers --shapes $S --output /tmp/o-04-r128-$r
done
step 05-verify-backward $B verify --variants-only --match backward
step 06-racecheck compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
