#!/usr/bin/env bash
# Session 19, call 3 (the V53 + V54 build, as s19b): memcheck over the backward's cases up to 70,000 elements;
# the backward over llm with peers; the fp32 fused add and add + fp8 at the few-row shapes V53 changed, with peers.
set -uo pipefail
R=/tmp/s19c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed\|ERROR SUMMARY' $R/$name.txt | tail -2 | cut -c1-200)" | tee -a $R/steps.txt
    tar czf $OUT/s19c.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s19c.sh $R/
step 11-memcheck-backward timeout 60 compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
step 30-backward timeout 190 $B run --variant backward --suite llm --output /tmp/o-30-backward
AD=1x8192:fp32,16x8192:fp32,256x8192:fp32,16x16384:fp32,256x16384:fp32,256x5120:fp32
step 40-add-fp32 timeout 80 $B run --variant add --shapes $AD --output /tmp/o-40-add-fp32
step 41-add-fp8-fp32 timeout 80 $B run --variant add-fp8 --shapes $AD --output /tmp/o-41-add-fp8-fp32
