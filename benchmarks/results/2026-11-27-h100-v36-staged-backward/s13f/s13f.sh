#!/usr/bin/env bash
# Session 13, call 6 (final build): the backward `llm` suite with peers; verify --quick; memcheck of the
# backward; the fused few-rows kernel against the staged two-kernel path at 256-1024 rows of long rows.
set -uo pipefail
R=/tmp/s13f; mkdir -p $R
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
    tar czf $OUT/s13f.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
cp .gpu/s13f.sh $R/
step 02-backward-llm $B run --suite llm --backward --output /tmp/o-02-backward-llm
step 03-verify-quick $B verify --quick
step 04-memcheck compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
S=256x8192:bf16,256x16384:bf16,512x16384:bf16,1024x4096:bf16,1024x8192:bf16,1024x4096:fp32
for r in 1 2; do
  RMSNORM_BWD_FUSED_ROWS=0 step 05-unfused-$r $B run --backward --no-peers --shapes $S --output /tmp/o-05-unfused-$r
  step 06-default-$r $B run --backward --no-peers --shapes $S --output /tmp/o-06-default-$r
done
