#!/usr/bin/env bash
# Session 8, call 4: torch.compile's generated kernels at 256 x 4096 bf16; the add harness with cache hints.
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
mkdir -p $OUT/d
TORCH_LOGS=output_code python3 .gpu/dump_inductor.py 256 4096 > $OUT/d/1-inductor-256x4096.txt 2>&1
B=.gpu/rmsnorm-bench
$B run --variant add --shapes 16x4096:bf16,256x4096:bf16 --no-peers --reps 20 --output /tmp/o > /dev/null 2>&1
SKIP=torch_compile:graph,copy_two VARIANTS=ours:npt2,ours:npt2+CACHE_HINTS=1,ours:npt2+X=1 N=4096 DT=bf16 timeout 150 python3 benchmarks/scripts/add_harness.py 16 256 > $OUT/d/2-add-harness-hints.txt 2>&1
tail -20 $OUT/d/2-add-harness-hints.txt
grep -n "@triton.jit" -A60 $OUT/d/1-inductor-256x4096.txt | grep -E "def |triton_heuristics|XBLOCK|R0_BLOCK|RBLOCK|num_warps|load|store|grid|######" | head -80
