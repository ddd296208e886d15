#!/usr/bin/env bash
# Session 24, call 4 (the final build: V66's rule at rows <= 1 KB and 2 MB <= y < 16 MB): the seed suite with peers,
# then verify --quick on this build's defaults.
set -uo pipefail
R=/tmp/s24d; mkdir -p $R
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
    tar czf $OUT/s24d.tgz -C $R .
}
cp .gpu/s24d.sh $R/
{ date -u; nvidia-smi; nvidia-smi -q | grep -iE "product name|driver|cuda|clocks" | head -20; python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'; } > $R/01-env.txt 2>&1
step 10-seed-peers timeout 120 $B run --suite seed --output /tmp/o-10-seed-peers
step 20-verify-quick timeout 330 stdbuf -oL $B verify --quick
