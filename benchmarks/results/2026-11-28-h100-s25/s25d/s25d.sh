#!/usr/bin/env bash
# Session 25, call 4 (the V67 rule, the s25c binary): the fused add of short rows with peers, the awkward suite with
# peers, verify --quick on the defaults.
set -uo pipefail
R=/tmp/s25d; mkdir -p $R
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
    tar czf $OUT/s25d.tgz -C $R .
}
cp .gpu/s25d.sh $R/
{ date -u; nvidia-smi; nvidia-smi -q | grep -iE "product name|driver|cuda|clocks" | head -20; python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'; } > $R/01-env.txt 2>&1
A=4096x128:fp32,16384x128:fp32,32768x128:fp32,65536x128:fp32,16384x256:bf16,32768x256:bf16,8192x512:bf16,65536x128:bf16
step 10-add-short-peers timeout 100 $B run --variant add --shapes $A --output /tmp/o-10-add-short-peers
step 20-awkward-peers timeout 120 $B run --suite awkward --output /tmp/o-20-awkward-peers
step 30-verify timeout 330 stdbuf -oL $B verify --quick
