#!/usr/bin/env bash
# Session 12, call 3 (final build): verify --quick; the backward verified in full and under memcheck and
# racecheck; the backward `llm` suite with peers.
set -uo pipefail
R=/tmp/s12c; mkdir -p $R
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
    tar czf $OUT/s12c.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
cp .gpu/s12c.sh $R/
step 02-backward-llm $B run --suite llm --backward --output /tmp/o-02-backward-llm
step 03-verify-quick $B verify --quick
step 04-verify-backward $B verify --variants-only --match backward
step 05-memcheck compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
step 06-racecheck compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
