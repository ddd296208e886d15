#!/usr/bin/env bash
# Session 17 final build (V49 paced default, V50 pool and grid), part 1: verify --quick, then llm forward and
# llm backward with peers (paced, the method's default now).
set -uo pipefail
R=/tmp/s17f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt | cut -c1-120)" | tee -a $R/steps.txt
    tar czf $OUT/s17f.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton, liger_kernel; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
cp .gpu/s17f.sh $R/
step 02-verify-quick timeout 280 $B verify --quick
step 04-llm timeout 170 $B run --suite llm --output /tmp/o-04-llm
step 10-backward-llm timeout 140 $B run --backward --suite llm --output /tmp/o-10-backward-llm
grep -h "geometric mean\|^Paced" $R/*.txt | cut -c1-400
