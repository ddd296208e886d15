#!/usr/bin/env bash
# Session 19, call 4 (the V53 + V54 build): memcheck over the backward's cases and the fp32 fused add's, up to
# 70,000 elements (s19c's memcheck stopped at its 60 s limit while compiling on a fresh machine, nothing printed).
set -uo pipefail
R=/tmp/s19d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|ERROR SUMMARY' $R/$name.txt | tail -2 | tr '\n' ' ' | cut -c1-200)" | tee -a $R/steps.txt
    tar czf $OUT/s19d.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s19d.sh $R/
step 11-memcheck-backward timeout 170 stdbuf -oL compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
step 12-memcheck-add-fp32 timeout 110 stdbuf -oL compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match "add fp32" --max-elements 70000
