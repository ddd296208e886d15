#!/usr/bin/env bash
# Session 20, call 8 (the final build, b2df6c6: V57 + V58 + the _r128 bound): verify --quick in full; memcheck over
# the backward's cases; the backward over llm with peers (V58b's check: 16,384 and 65,536 × 5120 back to s19c's).
set -uo pipefail
R=/tmp/s20h; mkdir -p $R
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
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed\|ERROR SUMMARY' $R/$name.txt | tail -1 | cut -c1-200)" | tee -a $R/steps.txt
    tar czf $OUT/s20h.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s20h.sh $R/
step 02-verify-quick timeout 330 stdbuf -oL $B verify --quick
step 03-memcheck-backward timeout 60 compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
step 30-backward timeout 200 $B run --variant backward --suite llm --output /tmp/o-30-backward
