#!/usr/bin/env bash
# Session 16, call 1: one row's backward in one process (bwd_harness.py, ours against torch.compile's), and
# BWD_COLS_FIRST=1 (the fused backward's column blocks first in the grid): verified, then A/B alternated twice.
set -uo pipefail
R=/tmp/s16a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16a.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c "import torch, triton; print(torch.__version__, triton.__version__)"; } > $R/01-env.txt 2>&1
cp .gpu/s16a.sh $R/
M1=1x2048:bf16,1x4096:bf16,1x8192:bf16,1x4096:fp32,1x4096:fp16
step 02-m1-bench $B run --backward --no-peers --shapes $M1 --output /tmp/o-02-m1-bench
DT=bf16 ROUNDS=10 step 03-harness-bf16 python3 benchmarks/scripts/bwd_harness.py 2048 4096 8192
DT=fp32 ROUNDS=10 step 04-harness-fp32 python3 benchmarks/scripts/bwd_harness.py 4096
DT=fp16 ROUNDS=10 step 05-harness-fp16 python3 benchmarks/scripts/bwd_harness.py 4096
RMSNORM_KERNEL_DEFINES=BWD_COLS_FIRST=1 step 06-verify-cols-first $B verify --variants-only --match backward
P=128x16384:bf16,256x16384:bf16,256x16384:fp16,384x16384:bf16,512x12288:bf16,256x8192:bf16,256x4096:bf16,256x4096:fp32,16x4096:bf16
for r in 1 2; do
  step 10-base-$r $B run --backward --no-peers --shapes $P --output /tmp/o-10-base-$r
  RMSNORM_KERNEL_DEFINES=BWD_COLS_FIRST=1 step 11-cols-$r $B run --backward --no-peers --shapes $P --output /tmp/o-11-cols-$r
done
