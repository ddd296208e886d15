#!/usr/bin/env bash
# Session 15, call 2: V44 (M = 1 backward at 8 elements a thread) against 16 (and fp32 at 4), alternated;
# V43 (fused-wide from 64 rows, now the default) against off and against other column-group sizes;
# the backward verified in full on this build; racecheck of the wide and one-row kernels.
set -uo pipefail
R=/tmp/s15b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s15b.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s15b.sh $R/
O=1x2048:bf16,1x4096:bf16,1x5120:bf16,1x7168:bf16,1x8192:bf16,1x16384:bf16,1x4096:fp16,1x8192:fp16,1x4096:fp32,1x8192:fp32
W=32x16384:bf16,48x16384:bf16,64x12288:bf16,64x16384:bf16,128x16384:bf16,256x12288:bf16,256x16384:bf16,384x16384:bf16,512x12288:bf16
for r in 1 2 3; do
  step 10-one8-$r $B run --backward --no-peers --shapes $O --output /tmp/o-10-one8-$r
  RMSNORM_BWD_ONE_ELEMENTS=16 step 11-one16-$r $B run --backward --no-peers --shapes $O --output /tmp/o-11-one16-$r
  RMSNORM_BWD_ONE_ELEMENTS=4 step 12-one4-$r $B run --backward --no-peers --shapes $O --output /tmp/o-12-one4-$r
done
for r in 1 2; do
  step 20-wide-$r $B run --backward --no-peers --shapes $W --output /tmp/o-20-wide-$r
  RMSNORM_BWD_FUSED_WIDE=0 step 21-off-$r $B run --backward --no-peers --shapes $W --output /tmp/o-21-off-$r
  RMSNORM_BWD_ROWS_PER_GROUP=16 step 22-rpg16-$r $B run --backward --no-peers --shapes $W --output /tmp/o-22-rpg16-$r
  RMSNORM_BWD_ROWS_PER_GROUP=8 step 23-rpg8-$r $B run --backward --no-peers --shapes $W --output /tmp/o-23-rpg8-$r
done
step 02-verify-backward $B verify --variants-only --match backward
step 03-racecheck-wide compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match 256x12288
step 04-racecheck-one compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 8200 
