#!/usr/bin/env bash
# Session 12, call 4: the fused backward's knobs, ours only, alternated twice: elements a thread (8 before 16)
# and rows a column-block thread sums (4, 8 = default, 16); verify of the backward under the elements setting.
set -uo pipefail
R=/tmp/s12d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s12d.tgz -C $R .
}
cp .gpu/s12d.sh $R/
S=1x2048:bf16,1x4096:bf16,1x5120:bf16,1x8192:bf16,1x4096:fp32,16x4096:bf16,16x8192:bf16,256x4096:bf16,256x8192:bf16,256x16384:bf16,1024x2048:bf16,1024x4096:bf16
for r in 1 2; do
  step 01-default-$r $B run --backward --no-peers --shapes $S --output /tmp/o-01-default-$r
  RMSNORM_BWD_ELEMENTS=8,16 step 02-e8-$r $B run --backward --no-peers --shapes $S --output /tmp/o-02-e8-$r
  RMSNORM_BWD_ROWS_PER_GROUP=4 step 03-g4-$r $B run --backward --no-peers --shapes $S --output /tmp/o-03-g4-$r
  RMSNORM_BWD_ROWS_PER_GROUP=16 step 04-g16-$r $B run --backward --no-peers --shapes $S --output /tmp/o-04-g16-$r
done
RMSNORM_BWD_ELEMENTS=8,16 step 05-verify-backward-e8 $B verify --variants-only --match backward
