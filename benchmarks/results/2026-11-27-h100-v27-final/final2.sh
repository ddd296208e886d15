#!/usr/bin/env bash
# Session 8 final build (XPOLICY=2 and FP8_PACK=1 defaults, the hold): verify, then the suites with peers. One tarball back.
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
if ls .whl/*.whl >/dev/null 2>&1; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl 2>/dev/null && export PYTHONPATH=/tmp/site; fi
R=/tmp/final; mkdir -p $R
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
step 05-awkward run --suite awkward --output /tmp/o-05-awkward
L=1x4096:bf16,16x4096:bf16,256x4096:bf16,256x2048:bf16,4096x4096:bf16,16384x4096:bf16,4096x8192:bf16,256x4096:fp16,4096x4096:fp16,4096x4096:fp32
step 06-variant-add run --variant add --shapes $L --reps 100 --output /tmp/o-06-variant-add
step 07-variant-fp8 run --variant fp8 --shapes $L,1x8192:bf16 --reps 100 --output /tmp/o-07-variant-fp8
tar czf $OUT/final.tgz -C $R .
grep -h "geometric mean" $R/*.txt
