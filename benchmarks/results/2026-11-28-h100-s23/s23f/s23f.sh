#!/usr/bin/env bash
# Session 23, call 6: s23e's plain graph-mode step again (it ran out of its 100 s limit while compiling on a cold cache):
# graph mode with the untimed pass over the shapes first, with peers, the s17g shape list.
set -uo pipefail
R=/tmp/s23f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean' $R/$name.txt | head -1 | cut -c1-200)" | tee -a $R/steps.txt
    tar czf $OUT/s23f.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'; } > $R/01-env.txt 2>&1
cp .gpu/s23f.sh $R/
L=1x4096:bf16,16x4096:bf16,256x4096:bf16,256x2048:bf16,4096x4096:bf16,16384x4096:bf16,4096x8192:bf16,256x4096:fp16,4096x4096:fp16,4096x4096:fp32
G=$(for n in 2048 4096 5120 7168 8192 16384; do for m in 1 16 256; do printf "%sx%s:bf16," $m $n; done; done)1x4096:fp16,16x4096:fp16,256x4096:fp16,1x4096:fp32,16x4096:fp32,256x4096:fp32



step 08-graph-small-m timeout 280 $B run --graph --shapes $G --output /tmp/o-08-graph-small-m
grep -h "geometric mean\|^Paced" $R/*.txt | cut -c1-400
