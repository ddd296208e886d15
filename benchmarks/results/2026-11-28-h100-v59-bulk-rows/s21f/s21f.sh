#!/usr/bin/env bash
# Session 21, call 6 (the final build: kernels as b2df6c6's, V59-V62 taken back out; the launcher's own
# aligned-interior plan accepted when given back): verify --quick in full (with the new cases), memcheck over the
# backward's cases, the forward over llm with peers (the first forward record since session 17's).
set -uo pipefail
R=/tmp/s21f; mkdir -p $R
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
    tar czf $OUT/s21f.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s21f.sh $R/
step 02-verify-quick timeout 330 stdbuf -oL $B verify --quick
step 03-memcheck-backward timeout 40 compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
step 04-llm timeout 170 $B run --suite llm --output /tmp/o-04-llm
