#!/usr/bin/env bash
# Session 15, call 4: V45, the backward's row loads (x, dy, dres; cp.async of the staged kernels) with the
# L2 evict_last priority (RMSNORM_KERNEL_DEFINES=BWD_XPOLICY=2) against plain loads, alternated twice;
# the backward verified with it.
set -uo pipefail
R=/tmp/s15d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s15d.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s15d.sh $R/
P=1x4096:bf16,16x4096:bf16,256x4096:bf16,256x16384:bf16,4096x2048:bf16,4096x4096:bf16,4096x7168:bf16,4096x16384:bf16,16384x4096:bf16,65536x4096:bf16,256x4096:fp32,4096x4096:fp32,1x4096:fp32,4096x4096:fp16
for r in 1 2; do
  step 10-plain-$r $B run --backward --no-peers --shapes $P --output /tmp/o-10-plain-$r
  RMSNORM_KERNEL_DEFINES=BWD_XPOLICY=2 step 11-pol-$r $B run --backward --no-peers --shapes $P --output /tmp/o-11-pol-$r
done
RMSNORM_KERNEL_DEFINES=BWD_XPOLICY=2 step 02-verify-backward-pol $B verify --variants-only --match backward
