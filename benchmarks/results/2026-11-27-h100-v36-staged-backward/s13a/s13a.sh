#!/usr/bin/env bash
# Session 13, call 1: the staged backward (V36) and the one-block backward at M = 1 (V37): verify, sanitizers,
# A/B against the register / fused kernels (ours only, alternated), stage counts.
set -uo pipefail
R=/tmp/s13a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s13a.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s13a.sh $R/
step 02-verify-backward $B verify --variants-only --match backward
RMSNORM_BWD_STAGES=2 step 03-verify-backward-s2 $B verify --variants-only --match backward --max-elements 20000000
step 04-racecheck compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
step 05-memcheck compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
for r in 1 2; do
  RMSNORM_BWD_STAGES=0 RMSNORM_BWD_ONE=0 step 06-off-$r $B run --suite llm --backward --no-peers --output /tmp/o-06-off-$r
  step 07-on-$r $B run --suite llm --backward --no-peers --output /tmp/o-07-on-$r
done
S=4096x2048:bf16,65536x2048:bf16,4096x4096:bf16,65536x4096:bf16,4096x7168:bf16,65536x7168:bf16,4096x16384:bf16,65536x16384:bf16,4096x4096:fp32,65536x4096:fp32
RMSNORM_BWD_STAGES=2 step 08-s2 $B run --backward --no-peers --shapes $S --output /tmp/o-08-s2
RMSNORM_BWD_STAGES=3 step 09-s3 $B run --backward --no-peers --shapes $S --output /tmp/o-09-s3
step 10-s4 $B run --backward --no-peers --shapes $S --output /tmp/o-10-s4
