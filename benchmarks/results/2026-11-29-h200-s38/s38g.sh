#!/usr/bin/env bash
# s38g: the held weight at 64-256 rows of 4 x 512 (after s38f's gains at 32-64 rows), ab with one operand set. Carry .gpu.
set -uo pipefail
R=/tmp/s38g; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache RMSNORM_BENCH_PLACEMENTS=1
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s38g.tgz -C $R .; }
step 10-bf16-held 60 $B ab --variant add --shapes 48x16384:bf16,128x16384:bf16,256x16384:bf16,64x14336:bf16 --defines WREG_ALL=1 --output $R/bf16-held
step 20-fp16-held 60 $B ab --variant add --shapes 48x16384:fp16,128x16384:fp16,256x16384:fp16,64x12288:fp16 --defines WREG_ALL=1,REG_BOUND=512 --output $R/fp16-held
tar czf $OUT/s38g.tgz -C $R .
