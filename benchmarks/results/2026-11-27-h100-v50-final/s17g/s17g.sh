#!/usr/bin/env bash
# Session 17 final build, part 2: awkward and seed, huge N, fused add, fp8 output, graph mode at M <= 256 (plain and
# --pdl), with peers, paced; then memcheck over the backward up to 70,000 elements (the V50 grid rule).
set -uo pipefail
R=/tmp/s17g; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt | cut -c1-120)" | tee -a $R/steps.txt
    tar czf $OUT/s17g.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s17g.sh $R/
L=1x4096:bf16,16x4096:bf16,256x4096:bf16,256x2048:bf16,4096x4096:bf16,16384x4096:bf16,4096x8192:bf16,256x4096:fp16,4096x4096:fp16,4096x4096:fp32
G=$(for n in 2048 4096 5120 7168 8192 16384; do for m in 1 16 256; do printf "%sx%s:bf16," $m $n; done; done)1x4096:fp16,16x4096:fp16,256x4096:fp16,1x4096:fp32,16x4096:fp32,256x4096:fp32
step 03-awkward timeout 110 $B run --suite awkward --output /tmp/o-03-awkward
step 05-seed timeout 80 $B run --suite seed --output /tmp/o-05-seed
step 06-huge-n timeout 50 $B run --shapes 1x131072:fp32,1x262144:fp32,2x262144:fp32,1x262144:bf16,4x262144:bf16,16x262144:bf16 --reps 100 --output /tmp/o-06-huge-n
step 07-variant-add timeout 70 $B run --variant add --shapes $L,1x262144:fp32,4x262144:bf16 --reps 100 --output /tmp/o-07-variant-add
step 09-variant-fp8 timeout 50 $B run --variant fp8 --shapes $L,1x8192:bf16 --reps 100 --output /tmp/o-09-variant-fp8
step 08-graph-small-m timeout 70 $B run --graph --shapes $G --output /tmp/o-08-graph-small-m
step 08b-graph-small-m-pdl timeout 70 $B run --graph --pdl --shapes $G --output /tmp/o-08b-graph-small-m-pdl
step 11-memcheck-backward timeout 100 compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
grep -h "geometric mean\|^Paced" $R/*.txt | cut -c1-400
