#!/usr/bin/env bash
# Session 8, call 7: the fused add's event-time overhead: launch entry point (cuLaunchKernelEx) and sm_90a.
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
mkdir -p $OUT/g
.gpu/rmsnorm-bench run --variant add --shapes 16x4096:bf16,256x4096:bf16 --no-peers --reps 20 --output /tmp/o > /dev/null 2>&1
SKIP=torch_compile:graph,copy_two VARIANTS='ours:npt2,ours:npt2!ex,ours:npt2+arch=sm_90a,ours:npt2+X=1,probe_add_256x2,probe_add_256x2!ex,ours:npt2#b' N=4096 DT=bf16 timeout 200 python3 benchmarks/scripts/add_harness.py 16 256 > $OUT/g/1-launch-arch.txt 2>&1
tail -24 $OUT/g/1-launch-arch.txt
