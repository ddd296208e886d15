#!/usr/bin/env bash
# s38f: the held-weight rules' row bound (16) by ab with one operand set (steadier arms, s38e): bf16 (WREG_ALL=1 as
# arm B) and fp16 (WREG_ALL=1,REG_BOUND=512) at 16-128 rows, and V95 again. Carry .gpu.
set -uo pipefail
R=/tmp/s38f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache RMSNORM_BENCH_PLACEMENTS=1
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s38f.tgz -C $R .; }
step 10-bf16-held 90 $B ab --variant add --shapes 16x16384:bf16,32x16384:bf16,64x16384:bf16,32x8192:bf16,64x8192:bf16,128x8192:bf16 --defines WREG_ALL=1 --output $R/bf16-held
step 20-fp16-held 90 $B ab --variant add --shapes 16x16384:fp16,32x16384:fp16,64x16384:fp16,32x12288:fp16 --defines WREG_ALL=1,REG_BOUND=512 --output $R/fp16-held
tar czf $OUT/s38f.tgz -C $R .
