#!/usr/bin/env bash
# s38h: V96 (the fused add holds its weight at <= 64 rows; fp16 at no more rows than SMs): verify of the fused add's
# 16-bit cases, and ab against WREG_ALL=1 everywhere (both arms hold at <= 64 rows now: ~0%). Carry .gpu.
set -uo pipefail
R=/tmp/s38h; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s38h.tgz -C $R .; }
step 10-verify-add-fp16 60 $B verify --quick --variants-only --match "add fp16"
step 11-verify-add-bf16 60 $B verify --quick --variants-only --match "add bf16"
step 20-ab-rule-bf16 40 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --shapes 32x16384:bf16,64x16384:bf16 --defines WREG_ALL=1 --output $R/ab-rule-bf16
step 21-ab-rule-fp16 40 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --shapes 64x16384:fp16,32x12288:fp16 --defines WREG_ALL=1,REG_BOUND=512 --output $R/ab-rule-fp16
tar czf $OUT/s38h.tgz -C $R .
