#!/usr/bin/env bash
# Session 12, call 2: the fused few-rows backward (V34): verify, sanitizers, A/B against the two-kernel path;
# PDL trigger after the wait (V35) against at entry, graph --pdl.
set -uo pipefail
R=/tmp/s12b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s12b.tgz -C $R .
}
cp .gpu/s12b.sh $R/
step 01-verify-variants-quick $B verify --quick --variants-only
step 02-verify-backward $B verify --variants-only --match backward
step 03-memcheck compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
step 04-racecheck compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
S=1x2048:bf16,16x2048:bf16,256x2048:bf16,1024x2048:bf16,4096x2048:bf16,1x4096:bf16,16x4096:bf16,256x4096:bf16,1024x4096:bf16,4096x4096:bf16,1x7168:bf16,16x7168:bf16,256x7168:bf16,1024x7168:bf16,4096x7168:bf16,1x16384:bf16,16x16384:bf16,256x16384:bf16,1024x16384:bf16,4096x16384:bf16,16x4096:fp32,256x4096:fp32,1024x4096:fp32,16x4096:fp16,256x4096:fp16
for r in 1 2; do
  RMSNORM_BWD_FUSED_ROWS=0 step 05-bwd-two-$r $B run --backward --no-peers --shapes $S --output /tmp/o-05-bwd-two-$r
  step 06-bwd-default-$r $B run --backward --no-peers --shapes $S --output /tmp/o-06-bwd-default-$r
  RMSNORM_BWD_FUSED_ROWS=100000 RMSNORM_BWD_FUSED_MB=100000 step 07-bwd-all-$r $B run --backward --no-peers --shapes $S --output /tmp/o-07-bwd-all-$r
done
P=256x2048:bf16,256x4096:bf16,16x4096:bf16,1x7168:bf16,16x8192:bf16,256x4096:fp32,4096x4096:bf16,32768x128:fp32
for r in 1 2; do
  for v in forward add; do
    step 08-$v-entry-$r $B run --graph --pdl --variant $v --no-peers --shapes $P --output /tmp/o-08-$v-entry-$r
    RMSNORM_KERNEL_DEFINES=PDL_TRIGGER=2 step 09-$v-after-$r $B run --graph --pdl --variant $v --no-peers --shapes $P --output /tmp/o-09-$v-after-$r
  done
done
