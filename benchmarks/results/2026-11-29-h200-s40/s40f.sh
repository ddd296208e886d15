#!/usr/bin/env bash
# s40f: V102 (bf16's 4 x 512 read-twice fused add takes the packed sum): verify of the fused add's bf16 cases; the rule
# against HADD_PACKED=0 (the rule off). Carry .gpu. Predictions in NOTES ("s40f").
set -uo pipefail
R=/tmp/s40f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s40f.tgz -C $R .; }
step 10-verify-add-bf16 150 $B verify --quick --variants-only --match "add bf16"
step 20-ab 60 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --shapes 4096x16384:bf16,4096x14336:bf16,16384x16384:bf16,65536x8192:bf16 --defines HADD_PACKED=0 --output $R/ab
tar czf $OUT/s40f.tgz -C $R .
