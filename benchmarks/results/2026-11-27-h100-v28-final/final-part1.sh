#!/usr/bin/env bash
# Session 9 final build, part 1: verify --quick, memcheck of the cluster cases, then llm and seed with peers.
set -uo pipefail
D=$OUT; R=/tmp/final9; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
if ls .whl/*.whl >/dev/null 2>&1; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl 2>/dev/null && export PYTHONPATH=/tmp/site; fi
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    $B "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step 02-verify-quick verify --quick
step 03-llm run --suite llm --output /tmp/o-03-llm
step 04-seed run --suite seed --output /tmp/o-04-seed
tar czf $D/final9a.tgz -C $R .
grep -h "geometric mean" $R/*.txt
