#!/usr/bin/env bash
# s40d: V101 (the fused add's h as one packed 16-bit add a pair) and V100 at 120 rows an SM: every pair of 16-bit values
# checked against the fp32 path; verify of the fused add's cases; ab against HADD_PACKED=0. Carry .gpu.
# Predictions in NOTES ("s40d").
set -uo pipefail
R=/tmp/s40d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s40d.tgz -C $R .; }
step 05-hadd 120 python3 .gpu/s40d_hadd.py
step 10-verify-add 200 $B verify --quick --variants-only --match add
S=65536x4096:bf16,65536x4096:fp16,16384x4096:bf16,4096x4096:bf16,4096x4096:fp16,4096x5120:bf16,4096x8192:bf16,65536x8192:bf16,65536x2048:bf16,4096x16384:bf16,256x4096:bf16,1x4096:bf16
step 20-ab 120 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --shapes $S --defines HADD_PACKED=0 --output $R/ab
step 21-ab-fp8 60 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add-fp8 --shapes 65536x4096:bf16,4096x4096:bf16,4096x4096:fp16 --defines HADD_PACKED=0 --output $R/ab-fp8
tar czf $OUT/s40d.tgz -C $R .
