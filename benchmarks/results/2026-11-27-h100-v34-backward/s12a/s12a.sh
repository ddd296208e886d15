#!/usr/bin/env bash
# Session 12, call 1: tune awkward with V33's rotated rounds; PDL_TRIGGER=0 A/B (graph --pdl, ours only);
# tune --graph --pdl around 256 x 2048; backward llm with peers (issue 4 status on the current kernels).
set -uo pipefail
R=/tmp/s12a; mkdir -p $R
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
    tar czf $OUT/s12a.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
cp .gpu/s12a.sh $R/
step 02-tune-awkward tune --suite awkward --output /tmp/o-02-tune-awkward
S=256x2048:bf16,256x4096:bf16,16x4096:bf16,1x7168:bf16,16x8192:bf16,256x4096:fp32,4096x4096:bf16,32768x128:fp32
for r in 1 2; do
  for v in forward add; do
    step 03-$v-entry-$r run --graph --pdl --variant $v --no-peers --shapes $S --output /tmp/o-03-$v-entry-$r
    RMSNORM_KERNEL_DEFINES=PDL_TRIGGER=0 step 04-$v-none-$r run --graph --pdl --variant $v --no-peers --shapes $S --output /tmp/o-04-$v-none-$r
  done
done
step 05-tune-graph-pdl tune --graph --pdl --shapes 256x1024:bf16,256x2048:bf16,256x3072:bf16,64x2048:bf16,128x2048:bf16,256x2048:fp16,256x1024:fp32 --output /tmp/o-05-tune-graph-pdl
step 06-backward-llm run --suite llm --backward --output /tmp/o-06-backward-llm
