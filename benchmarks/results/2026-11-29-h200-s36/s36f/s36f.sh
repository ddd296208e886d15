#!/usr/bin/env bash
# s36f: V93 as a rule (the fused add's 32-element row kernels hold their weight at <= 16 rows or 64 threads a row).
# verify of the variants (quick), then an ours-only A/B against RMSNORM_ADD_WEIGHT_HELD=0, two alternations.
set -uo pipefail
R=/tmp/s36f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s36f.tgz -C $R .; }
step 02-verify-variants 200 $B verify --quick --variants-only
A=1x16384:bf16,16x16384:bf16,1x16384:fp16,4096x2048:bf16,16384x2048:bf16,65536x2048:bf16,4096x2048:fp16,256x16384:bf16
for r in 1 2; do
  step 1$r-add-held 60 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/add-held-$r
  step 1$r-add-off 60 env RMSNORM_ADD_WEIGHT_HELD=0 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/add-off-$r
done
tar czf $OUT/s36f.tgz -C $R .
