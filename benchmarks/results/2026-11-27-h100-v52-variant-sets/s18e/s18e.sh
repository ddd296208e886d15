#!/usr/bin/env bash
# Session 18, call 5 (the V52 build, as s18d): verify --quick in full (s18d cut it at 330 s, 3,559 passed, none failed),
# then the backward over llm with peers over 8 input sets.
set -uo pipefail
R=/tmp/s18e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed' $R/$name.txt | tail -2 | cut -c1-160)" | tee -a $R/steps.txt
    tar czf $OUT/s18e.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s18e.sh $R/
step 02-verify-quick timeout 420 $B verify --quick
step 30-backward timeout 175 $B run --variant backward --suite llm --output /tmp/o-30-backward
