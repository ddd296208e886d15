#!/usr/bin/env bash
# Session 9 final build, part 2: awkward, fused add and fp8 with peers, tune over every suite, graph-mode llm.
set -uo pipefail
D=$OUT; R=/tmp/final9b; mkdir -p $R
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
    tar czf $D/final9b.tgz -C $R .
}
step 05-awkward run --suite awkward --output /tmp/o-05-awkward
L=1x4096:bf16,16x4096:bf16,256x4096:bf16,256x2048:bf16,4096x4096:bf16,16384x4096:bf16,4096x8192:bf16,256x4096:fp16,4096x4096:fp16,4096x4096:fp32
step 06-variant-add run --variant add --shapes $L --reps 100 --output /tmp/o-06-variant-add
step 07-variant-fp8 run --variant fp8 --shapes $L,1x8192:bf16 --reps 100 --output /tmp/o-07-variant-fp8
step 08-tune-all tune --suite all --output /tmp/o-08-tune-all
step 09-graph-llm run --suite llm --graph --output /tmp/o-09-graph-llm
grep -h "geometric mean" $R/*.txt
