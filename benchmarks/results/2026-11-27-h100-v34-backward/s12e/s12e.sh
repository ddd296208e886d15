#!/usr/bin/env bash
# Session 12, call 5 (final build, 4 rows a column-block thread): verify --quick; the backward verified in full and under memcheck and
# racecheck; the backward `llm` suite with peers.
set -uo pipefail
R=/tmp/s12e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
if ls .whl/*.whl >/dev/null 2>&1; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl 2>/dev/null && export PYTHONPATH=/tmp/site; fi
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s12e.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
cp .gpu/s12e.sh $R/
step 02-backward-llm $B run --suite llm --backward --output /tmp/o-02-backward-llm
step 04-verify-backward $B verify --variants-only --match backward
