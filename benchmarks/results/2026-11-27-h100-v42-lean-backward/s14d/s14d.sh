#!/usr/bin/env bash
# Session 14, call 4: few-row backward shapes, the fused row blocks lean (default) or not, order
# alternated; the llm backward suite with peers; the backward verified with the fused mask 0.
set -uo pipefail
R=/tmp/s14d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s14d.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
cp .gpu/s14d.sh $R/
if ls .whl/*.whl >/dev/null 2>&1; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl 2>/dev/null && export PYTHONPATH=/tmp/site; fi
F=1x2048:bf16,1x4096:bf16,16x2048:bf16,16x4096:bf16,16x8192:bf16,16x16384:bf16,256x2048:bf16,256x4096:bf16,256x8192:bf16,256x16384:bf16,16x4096:fp16,256x4096:fp32,199x769:fp16,1000x1001:bf16
step 30-few-on-1 $B run --backward --no-peers --shapes $F --output /tmp/o-30-few-on-1
RMSNORM_KERNEL_DEFINES=BWD_LEAN_FUSED=0 step 31-few-f0-1 $B run --backward --no-peers --shapes $F --output /tmp/o-31-few-f0-1
RMSNORM_KERNEL_DEFINES=BWD_LEAN_FUSED=0 step 31-few-f0-2 $B run --backward --no-peers --shapes $F --output /tmp/o-31-few-f0-2
step 30-few-on-2 $B run --backward --no-peers --shapes $F --output /tmp/o-30-few-on-2
step 30-few-on-3 $B run --backward --no-peers --shapes $F --output /tmp/o-30-few-on-3
RMSNORM_KERNEL_DEFINES=BWD_LEAN_FUSED=0 step 31-few-f0-3 $B run --backward --no-peers --shapes $F --output /tmp/o-31-few-f0-3
step 40-backward-llm $B run --suite llm --backward --output /tmp/o-40-backward-llm
RMSNORM_KERNEL_DEFINES=BWD_LEAN_FUSED=0 step 41-llm-f0 $B run --suite llm --backward --no-peers --output /tmp/o-41-llm-f0
RMSNORM_KERNEL_DEFINES=BWD_LEAN_FUSED=0 step 42-verify-backward-f0 $B verify --variants-only --match backward
