#!/usr/bin/env bash
# Session 11, call 7: programmatic dependent launch for the variants in graph mode (ours only): fused add,
# fp8 output and backward, default vs --pdl, alternated twice.
set -uo pipefail
R=/tmp/s11e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    $B "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s11e.tgz -C $R .
}
cp .gpu/s11e.sh $R/
{ date -u; nvidia-smi --query-gpu=name,driver_version --format=csv; } > $R/01-env.txt 2>&1
S=1x4096:bf16,16x4096:bf16,256x4096:bf16,256x2048:bf16,1x7168:bf16,16x8192:bf16,256x4096:fp32,4096x4096:bf16
for r in 1 2; do
  for v in add fp8 backward; do
    step 02-$v-graph-$r run --graph --variant $v --no-peers --shapes $S --output /tmp/o-02-$v-graph-$r
    step 03-$v-graph-pdl-$r run --graph --pdl --variant $v --no-peers --shapes $S --output /tmp/o-03-$v-graph-pdl-$r
  done
done
