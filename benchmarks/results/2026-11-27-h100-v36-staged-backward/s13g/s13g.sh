#!/usr/bin/env bash
# Session 13, call 7: the one-block M = 1 backward without divisions and with predicated loads (V39):
# A/B against the column blocks, verify of the backward.
set -uo pipefail
R=/tmp/s13g; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s13g.tgz -C $R .
}
cp .gpu/s13g.sh $R/
S=1x2048:bf16,1x4096:bf16,1x5120:bf16,1x7168:bf16,1x8192:bf16,1x16384:bf16,1x4096:fp16,1x1000:bf16,1x769:fp16
for r in 1 2 3; do
  RMSNORM_BWD_ONE=0 step 02-cols-$r $B run --backward --no-peers --shapes $S --output /tmp/o-02-cols-$r
  step 03-one-$r $B run --backward --no-peers --shapes $S --output /tmp/o-03-one-$r
done
step 04-verify-backward $B verify --variants-only --match backward
