#!/usr/bin/env bash
# Session 8: L2 eviction priority of x's loads (XPOLICY 0 / 1 evict_first / 2 evict_last), ours only, alternated twice.
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
mkdir -p $OUT/h1 $OUT/h2
R=$OUT; ( export OUT=$R/h1; bash .gpu/ab3.sh 16384x128:fp32,32768x128:fp32,65536x128:fp32,262144x128:fp32,256x4096:bf16,4096x4096:bf16,65536x4096:bf16,4096x4096:fp32,16x4096:bf16 "X=0" "RMSNORM_KERNEL_DEFINES=XPOLICY=1" "RMSNORM_KERNEL_DEFINES=XPOLICY=2" > $R/xpolicy-forward.txt 2>&1 )
( export OUT=$R/h2; VARIANT=add bash .gpu/ab3.sh 16x4096:bf16,256x4096:bf16,256x2048:bf16,4096x4096:bf16,16384x4096:bf16,256x4096:fp32 "X=0" "RMSNORM_KERNEL_DEFINES=XPOLICY=1" "RMSNORM_KERNEL_DEFINES=XPOLICY=2" > $R/xpolicy-add.txt 2>&1 )
rm -rf $OUT/h1 $OUT/h2
cat $OUT/xpolicy-forward.txt $OUT/xpolicy-add.txt
