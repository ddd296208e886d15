#!/usr/bin/env bash
# Session 8, call 2: FP8_PACK A/B (ours only, alternated twice); the hold checked with peers (fused add, forward).
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
mkdir -p $OUT/a $OUT/b
( export OUT=$OUT/a; VARIANT=fp8 bash .gpu/ab3.sh 1x8192:bf16,256x4096:bf16,4096x4096:bf16,16384x4096:bf16,4096x8192:fp16,4096x4096:fp32 "X=0" "RMSNORM_KERNEL_DEFINES=FP8_PACK=1" > $OUT/fp8pack-ab.txt 2>&1 )
cat $OUT/fp8pack-ab.txt
S=1x4096:bf16,16x4096:bf16,256x4096:bf16,4096x4096:bf16
.gpu/rmsnorm-bench run --variant add --shapes $S --reps 100 --output /tmp/b1 > $OUT/b/add-hold.txt 2>&1
RMSNORM_BENCH_HOLD=0 .gpu/rmsnorm-bench run --variant add --shapes $S --reps 100 --output /tmp/b2 > $OUT/b/add-nohold.txt 2>&1
.gpu/rmsnorm-bench run --suite llm --shapes 1x2048:bf16,16x2048:bf16,256x2048:bf16,1x4096:bf16,16x4096:bf16,256x4096:bf16,16x7168:bf16,1x4096:fp16,16x4096:fp32 > $OUT/b/fwd-hold.txt 2>&1
for f in $OUT/b/*.txt; do echo "== $f"; grep -E "^(Timing|[0-9]+x[0-9]+:)" $f; done
