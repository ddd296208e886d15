#!/usr/bin/env bash
# Session 13, call 8 (final build): the backward `llm` suite with peers; odd-N backward at 8 elements a
# thread against 16 (V40); verify --quick; memcheck of the backward.
set -uo pipefail
R=/tmp/s13h; mkdir -p $R
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
    tar czf $OUT/s13h.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
cp .gpu/s13h.sh $R/
step 02-backward-llm $B run --suite llm --backward --output /tmp/o-02-backward-llm
S=1x769:fp16,7x769:fp16,199x769:fp16,199x769:bf16,1000x1001:bf16,4096x769:fp16,7x7001:bf16,199x769:fp32
for r in 1 2; do
  RMSNORM_BWD_ELEMENTS=16 step 03-e16-$r $B run --backward --no-peers --shapes $S --output /tmp/o-03-e16-$r
  step 04-default-$r $B run --backward --no-peers --shapes $S --output /tmp/o-04-default-$r
done
step 05-verify-quick $B verify --quick
step 06-memcheck compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
