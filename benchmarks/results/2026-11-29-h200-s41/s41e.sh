#!/usr/bin/env bash
# s41e: what a backward row module would gain: BWD_TPR=T (the backward kernels' threads a row as a compile-time
# constant, reductions unrolled) against the default's runtime argument, one process per T (ab), each with only shapes
# whose plans have T threads a row. Carry .gpu. Predictions in NOTES ("s41e").
set -uo pipefail
R=/tmp/s41e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s41e.tgz -C $R .; }
step 10-ab-224 60 $B ab --variant backward --shapes 65536x7168:bf16,16384x7168:bf16 --defines BWD_TPR=224 --output $R/ab-224
step 11-ab-320 60 $B ab --variant backward --shapes 65536x5120:bf16,16384x5120:bf16 --defines BWD_TPR=320 --output $R/ab-320
step 12-ab-128 60 $B ab --variant backward --shapes 65536x4096:bf16,16384x4096:bf16,16384x4096:fp16 --defines BWD_TPR=128 --output $R/ab-128
step 13-ab-256 60 $B ab --variant backward --shapes 65536x8192:bf16,16384x8192:bf16 --defines BWD_TPR=256 --output $R/ab-256
step 14-ab-64 60 $B ab --variant backward --shapes 65536x2048:bf16,16384x2048:bf16 --defines BWD_TPR=64 --output $R/ab-64
tar czf $OUT/s41e.tgz -C $R .
