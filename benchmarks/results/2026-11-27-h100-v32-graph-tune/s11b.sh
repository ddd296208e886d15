#!/usr/bin/env bash
# Session 11, call 4: which plans win in graph mode at M <= 256, with and without programmatic launch;
# split rows against clusters under --pdl.
set -uo pipefail
R=/tmp/s11b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    $B "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    [ -f /tmp/o-$name/tune.csv ] && cp /tmp/o-$name/tune.csv $R/$name.csv
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s11b.tgz -C $R .
}
cp .gpu/s11b.sh $R/
G=$(for n in 2048 4096 5120 7168 8192 16384; do for m in 1 16 256; do printf "%sx%s:bf16," $m $n; done; done)1x4096:fp16,16x4096:fp16,256x4096:fp16,1x4096:fp32,16x4096:fp32,256x4096:fp32
step 01-tune-graph-pdl tune --graph --pdl --shapes $G --output /tmp/o-01-tune-graph-pdl
step 02-tune-graph tune --graph --shapes $G --output /tmp/o-02-tune-graph
S=1x32768:fp32,1x65536:fp32,1x131072:bf16,4x262144:bf16,16x65536:bf16
for r in 1 2; do
  step 03-split-pdl-$r run --graph --pdl --no-peers --shapes $S --output /tmp/o-03-split-pdl-$r
  RMSNORM_SPLIT=0 step 04-nosplit-pdl-$r run --graph --pdl --no-peers --shapes $S --output /tmp/o-04-nosplit-pdl-$r
done
