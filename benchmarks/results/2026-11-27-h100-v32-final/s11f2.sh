#!/usr/bin/env bash
# Session 11 final build, part 2: huge N, fused add, graph mode at M <= 256 (default and --pdl), fp8, all with peers.
set -uo pipefail
D=$OUT; R=/tmp/final11b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
if ls .whl/*.whl >/dev/null 2>&1; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl 2>/dev/null && export PYTHONPATH=/tmp/site; fi
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    $B "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    [ -f /tmp/o-$name/tune.csv ] && cp /tmp/o-$name/tune.csv $R/$name.csv
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $D/final11b.tgz -C $R .
}
cp .gpu/s11f2.sh $R/
step 06-huge-n run --shapes 1x131072:fp32,1x262144:fp32,2x262144:fp32,1x262144:bf16,4x262144:bf16,16x262144:bf16 --reps 100 --output /tmp/o-06-huge-n
L=1x4096:bf16,16x4096:bf16,256x4096:bf16,256x2048:bf16,4096x4096:bf16,16384x4096:bf16,4096x8192:bf16,256x4096:fp16,4096x4096:fp16,4096x4096:fp32
step 07-variant-add run --variant add --shapes $L,1x262144:fp32,4x262144:bf16 --reps 100 --output /tmp/o-07-variant-add
G=$(for n in 2048 4096 5120 7168 8192 16384; do for m in 1 16 256; do printf "%sx%s:bf16," $m $n; done; done)1x4096:fp16,16x4096:fp16,256x4096:fp16,1x4096:fp32,16x4096:fp32,256x4096:fp32
step 08-graph-small-m run --graph --shapes $G --output /tmp/o-08-graph-small-m
step 08b-graph-small-m-pdl run --graph --pdl --shapes $G --output /tmp/o-08b-graph-small-m-pdl
step 09-variant-fp8 run --variant fp8 --shapes $L,1x8192:bf16 --reps 100 --output /tmp/o-09-variant-fp8
grep -h "geometric mean" $R/*.txt
