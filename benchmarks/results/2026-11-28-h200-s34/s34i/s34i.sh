#!/usr/bin/env bash
# Session 34, call i (H200): rows of 48-128 KB at M >= SMs run staged one a block at 43-75% of a copy (s34h: 2048 x
# 65,536 bf16 43%, 1024 x 32,768 fp32 45%); what do cluster plans (slices <= 64 KB) give there? `tune --verbose`.
set -uo pipefail
R=/tmp/s34i; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s34i.sh $R/
B=$(date +%s)
timeout 230 .gpu/rmsnorm-bench tune --verbose --reps 20 --shapes 2048x65536:bf16,1024x32768:fp32,4096x32768:bf16,4096x24576:bf16,1024x49152:bf16,512x32768:fp32,264x65536:bf16,4096x16384:bf16 --output $R/tune > $R/10-tune.txt 2>&1
echo "tune rc=$? $(( $(date +%s) - B )) s"
grep -v "^  " $R/10-tune.txt | tail -14
tar czf $OUT/s34i.tgz -C $R .
