#!/usr/bin/env bash
# Session 26, call 2 (the s26a binary, H200): verify --quick and the llm backward with peers.
set -uo pipefail
R=/tmp/s26b; mkdir -p $R
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
    tar czf $OUT/s26b.tgz -C $R .
}
cp .gpu/s26b.sh $R/
{ date -u; nvidia-smi; nvidia-smi -q | grep -iE "product name|driver|cuda|clocks|bus|memory" | head -40; python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__); p=torch.cuda.get_device_properties(0); print(p)'; } > $R/01-env.txt 2>&1
step 10-verify timeout 330 stdbuf -oL $B verify --quick
step 20-llm-backward timeout 240 $B run --suite llm --backward --output /tmp/o-20-llm-backward
tar czf $OUT/s26b.tgz -C $R .
