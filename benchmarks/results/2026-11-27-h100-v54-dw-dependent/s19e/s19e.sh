#!/usr/bin/env bash
# Session 19, call 5 (the V55 build: dw_reduce's columns a block as an argument, default 32 as before): V55 A/B,
# RMSNORM_DW_COLUMNS=16 against the default, ours only, alternated; then the backward's verify cases with 16.
set -uo pipefail
R=/tmp/s19e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    tar czf $OUT/s19e.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s19e.sh $R/
BW=4096x2048:bf16,4096x4096:bf16,16384x2048:bf16,16384x4096:bf16,4096x4096:fp32
for r in 1 2; do
  step 1$r-bwd-c32 timeout 40 $B run --variant backward --shapes $BW --no-peers --output /tmp/o-1$r-bwd-c32
  RMSNORM_DW_COLUMNS=16 step 1$r-bwd-c16 timeout 40 $B run --variant backward --shapes $BW --no-peers --output /tmp/o-1$r-bwd-c16
done
RMSNORM_DW_COLUMNS=16 step 20-verify-bwd-c16 timeout 100 stdbuf -oL $B verify --quick --variants-only --match backward
