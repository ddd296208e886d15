#!/usr/bin/env bash
# Session 11, call 5: the captured-call thread cap (V32 item 3). verify --quick on this build; graph mode at
# M <= 256, ours only, the previous build (.gpu/rmsnorm-bench.prev) against this one, default and --pdl,
# alternated twice; then graph mode with peers, default and --pdl.
set -uo pipefail
R=/tmp/s11c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
if ls .whl/*.whl >/dev/null 2>&1; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl 2>/dev/null && export PYTHONPATH=/tmp/site; fi
step() {
    local name=$1; local B=$2; shift 2
    local start=$(date +%s)
    $B "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s11c.tgz -C $R .
}
cp .gpu/s11c.sh $R/
{ date -u; nvidia-smi --query-gpu=name,driver_version --format=csv; } > $R/01-env.txt 2>&1
step 02-verify-quick .gpu/rmsnorm-bench verify --quick
G=$(for n in 2048 4096 5120 7168 8192 16384; do for m in 1 16 256; do printf "%sx%s:bf16," $m $n; done; done)1x4096:fp16,16x4096:fp16,256x4096:fp16,1x4096:fp32,16x4096:fp32,256x4096:fp32
A=1x5120:bf16,16x5120:bf16,256x5120:bf16,1x7168:bf16,16x7168:bf16,256x7168:bf16,1x8192:bf16,16x8192:bf16,256x8192:bf16,1x4096:fp32,16x4096:fp32,256x4096:fp32,1x4096:bf16,1x16384:bf16
for r in 1 2; do
  for mode in "" "--pdl"; do
    t=${mode:-default}; t=${t#--}
    step 03-prev-$t-$r .gpu/rmsnorm-bench.prev run --graph $mode --no-peers --shapes $A --output /tmp/o-03-prev-$t-$r
    step 04-new-$t-$r .gpu/rmsnorm-bench run --graph $mode --no-peers --shapes $A --output /tmp/o-04-new-$t-$r
  done
done
step 08-graph-small-m .gpu/rmsnorm-bench run --graph --shapes $G --output /tmp/o-08-graph-small-m
step 08b-graph-small-m-pdl .gpu/rmsnorm-bench run --graph --pdl --shapes $G --output /tmp/o-08b-graph-small-m-pdl
