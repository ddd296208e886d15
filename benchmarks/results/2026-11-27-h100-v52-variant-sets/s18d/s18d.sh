#!/usr/bin/env bash
# Session 18, call 4 (the V52 build: h stored late where SMs < M < 2 x SMs): verify --quick, then the fused add
# over llm with peers over 8 input sets.
set -uo pipefail
R=/tmp/s18d; mkdir -p $R
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
    tar czf $OUT/s18d.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s18d.sh $R/
step 02-verify-quick timeout 330 $B verify --quick
step 10-add timeout 200 $B run --variant add --suite llm --output /tmp/o-10-add
