#!/usr/bin/env bash
# Session 26, call 1 (HEAD e8a9d16's build): the first run on an H200 (the device tool now lends H200s only).
# The suites with peers, as on the H100: llm forward, seed, awkward, then plain graph mode at 1-256 rows.
set -uo pipefail
R=/tmp/s26a; mkdir -p $R
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
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|geometric mean' $R/$name.txt | tail -1 | cut -c1-160)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 200000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s26a.tgz -C $R .
}
cp .gpu/s26a.sh $R/
{ date -u; nvidia-smi; nvidia-smi -q | grep -iE "product name|driver|cuda|clocks|bus|memory" | head -40; python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__); p=torch.cuda.get_device_properties(0); print(p)'; } > $R/01-env.txt 2>&1
step 02-llm timeout 210 $B run --suite llm --output /tmp/o-02-llm
step 03-seed timeout 100 $B run --suite seed --output /tmp/o-03-seed
step 04-awkward timeout 90 $B run --suite awkward --output /tmp/o-04-awkward
G=1x2048:bf16,16x2048:bf16,256x2048:bf16,1x4096:bf16,16x4096:bf16,256x4096:bf16,1x5120:bf16,16x5120:bf16,256x5120:bf16,1x7168:bf16,16x7168:bf16,256x7168:bf16,1x8192:bf16,16x8192:bf16,256x8192:bf16,1x16384:bf16,16x16384:bf16,256x16384:bf16,1x4096:fp16,16x4096:fp16,256x4096:fp16,1x4096:fp32,16x4096:fp32,256x4096:fp32
step 05-graph-small-m timeout 140 $B run --graph --shapes $G --output /tmp/o-05-graph-small-m
tar czf $OUT/s26a.tgz -C $R .
