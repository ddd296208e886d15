#!/usr/bin/env bash
# Session 11 final build (programmatic dependent launch, opt-in), part 1: verify --quick, then awkward, llm and seed with peers.
set -uo pipefail
D=$OUT; R=/tmp/final11a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
if ls .whl/*.whl >/dev/null 2>&1; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl 2>/dev/null && export PYTHONPATH=/tmp/site; fi
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    $B "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    [ -f /tmp/o-$name/tune.csv ] && cp /tmp/o-$name/tune.csv $R/$name.csv
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $D/final11a.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
cp .gpu/s11f1.sh $R/
step 02-verify-quick verify --quick
step 03-awkward run --suite awkward --output /tmp/o-03-awkward
step 04-llm run --suite llm --output /tmp/o-04-llm
step 05-seed run --suite seed --output /tmp/o-05-seed
grep -h "geometric mean" $R/*.txt
