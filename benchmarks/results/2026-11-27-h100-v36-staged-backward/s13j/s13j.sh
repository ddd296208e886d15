#!/usr/bin/env bash
# Session 13, call 10 (final build): the backward verified in full (fp32 M = 1 now one block); memcheck;
# the M = 1 shapes, ours only.
set -uo pipefail
R=/tmp/s13j; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s13j.tgz -C $R .
}
cp .gpu/s13j.sh $R/
step 02-verify-backward $B verify --variants-only --match backward
step 03-memcheck compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
step 04-m1 $B run --backward --no-peers --shapes 1x2048:bf16,1x4096:bf16,1x8192:bf16,1x4096:fp16,1x4096:fp32,1x2048:fp32 --output /tmp/o-04-m1
