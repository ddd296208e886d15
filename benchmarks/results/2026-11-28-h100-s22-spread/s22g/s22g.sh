#!/usr/bin/env bash
# Session 22, call 7: V64, the staged 1,024-thread backward over falling row ranges (rmsnorm_bwd_async_npt2_rng).
# Verify with the ranges forced on every staged 1,024-thread plan (RMSNORM_BWD_RANGES=1, ranges down to 1 row,
# the fused plan off so that 7-199 rows take partial rows too), memcheck on the small ones, then ours only at
# N = 16,384, ranges forced on against off, two alternations.
set -uo pipefail
R=/tmp/s22g; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|ERROR SUMMARY' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    tar czf $OUT/s22g.tgz -C $R .
}
cp .gpu/s22g.sh $R/
F="RMSNORM_BWD_RANGES=1 RMSNORM_BWD_RANGE_MIN=1 RMSNORM_BWD_FUSED_ROWS=0"
step 02-verify-ranges timeout 150 env $F $B verify --variants-only --match x16384
step 03-verify-ranges-16000 timeout 60 env $F $B verify --variants-only --match x16000
step 04-memcheck-ranges timeout 90 env $F compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match x16384 --max-elements 3500000
S=16384x16384:bf16,32768x16384:bf16,65536x16384:bf16
for r in 1 2; do
  step 1$r-off timeout 60 env RMSNORM_BWD_RANGES=0 $B run --variant backward --shapes $S --no-peers --no-repeat --output /tmp/o-1$r-off
  step 2$r-ranges timeout 60 env RMSNORM_BWD_RANGES=1 $B run --variant backward --shapes $S --no-peers --no-repeat --output /tmp/o-2$r-ranges
done
