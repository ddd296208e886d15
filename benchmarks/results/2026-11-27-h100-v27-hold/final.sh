#!/usr/bin/env bash
# Session 8 final runs, one part per device call: final.sh A|B|C. Logs and bench outputs under $OUT.
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
if ls .whl/*.whl >/dev/null 2>&1; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site; fi
B=.gpu/rmsnorm-bench
step() {  # step NAME ARGS...: rmsnorm-bench ARGS, log and outputs kept as NAME.*
    local name=$1; shift
    local start=$(date +%s)
    $B "$@" > $OUT/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $OUT/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $OUT/$name.txt)" | tee -a $OUT/steps.txt
}
case $1 in
A) { date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $OUT/01-env.txt 2>&1
   step 02-verify-quick verify --quick
   step 03-awkward run --suite awkward --output /tmp/o-03-awkward ;;
B) step 04-llm run --suite llm --output /tmp/o-04-llm
   step 05-graph-llm run --suite llm --graph --output /tmp/o-05-graph-llm ;;
C) step 06-seed run --suite seed --output /tmp/o-06-seed
   L=1x4096:bf16,16x4096:bf16,256x4096:bf16,256x2048:bf16,4096x4096:bf16,16384x4096:bf16,4096x8192:bf16,256x4096:fp16,4096x4096:fp16,4096x4096:fp32
   step 07-variant-add run --variant add --shapes $L --reps 100 --output /tmp/o-07-variant-add
   step 08-variant-fp8 run --variant fp8 --shapes $L,1x8192:bf16 --reps 100 --output /tmp/o-08-variant-fp8 ;;
esac
