#!/usr/bin/env bash
# Session 15, call 5 (final build): V45, evict_last on the fused backward row blocks' loads of x and dy (the default)
# against plain loads (BWD_XPOLICY=0), alternated twice; the backward verified on this build.
set -uo pipefail
R=/tmp/s15e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s15e.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s15e.sh $R/
P=16x4096:bf16,256x2048:bf16,256x4096:bf16,256x7168:bf16,256x16384:bf16,256x4096:fp16,256x4096:fp32,16x4096:fp32
for r in 1 2; do
  step 10-pol-$r $B run --backward --no-peers --shapes $P --output /tmp/o-10-pol-$r
  RMSNORM_KERNEL_DEFINES=BWD_XPOLICY=0 step 11-plain-$r $B run --backward --no-peers --shapes $P --output /tmp/o-11-plain-$r
done
step 02-verify-backward $B verify --variants-only --match backward
