#!/usr/bin/env bash
# Session 14, call 2: which of V42's changes moves which backward kernel (each define off alone), twice.
set -uo pipefail
R=/tmp/s14b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s14b.tgz -C $R .
}
cp .gpu/s14b.sh $R/
S=4096x7168:bf16,65536x5120:bf16,16384x7168:bf16,65536x4096:bf16,4096x4096:bf16,4096x16384:bf16,199x769:fp32,4096x769:fp16,1000x1001:bf16,256x4096:bf16,65536x2048:bf16,16384x8192:bf16,4096x2048:bf16
for r in 1 2; do
  RMSNORM_KERNEL_DEFINES="BWD_SLOTS2=0,BWD_RED4=0,BWD_KEEPWG=0,BWD_HOIST=0" step 10-off-$r $B run --backward --no-peers --shapes $S --output /tmp/o-10-off-$r
  step 11-on-$r $B run --backward --no-peers --shapes $S --output /tmp/o-11-on-$r
  RMSNORM_KERNEL_DEFINES="BWD_SLOTS2=0" step 12-noslots-$r $B run --backward --no-peers --shapes $S --output /tmp/o-12-noslots-$r
  RMSNORM_KERNEL_DEFINES="BWD_RED4=0" step 13-nored4-$r $B run --backward --no-peers --shapes $S --output /tmp/o-13-nored4-$r
  RMSNORM_KERNEL_DEFINES="BWD_KEEPWG=0" step 14-nokeepwg-$r $B run --backward --no-peers --shapes $S --output /tmp/o-14-nokeepwg-$r
  RMSNORM_KERNEL_DEFINES="BWD_HOIST=0" step 15-nohoist-$r $B run --backward --no-peers --shapes $S --output /tmp/o-15-nohoist-$r
done
