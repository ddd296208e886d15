#!/usr/bin/env bash
# s39f: V99 (bf16's fused add held at 512 threads a row up to SMs rows): verify of the fused add's bf16 cases (the new
# 97 x 12,000 among them) and the held-against-not A/B again in a second process, reversed: arm A is V99's default (held
# at 4 x 512), arm B WREG_ALL=0 (an experiment define replaces the module's own), so B should read + what s39e read -.
# 132 x 8192 (4 x 256, not held by V99) is the control (~0%). Carry .gpu.
set -uo pipefail
R=/tmp/s39f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s39f.tgz -C $R .; }
step 10-verify-add-bf16 240 $B verify --quick --variants-only --match "add bf16"
step 20-ab-rule 60 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --shapes 80x16384:bf16,128x12288:bf16,100x14336:bf16,132x8192:bf16 --defines WREG_ALL=0 --output $R/ab-rule
tar czf $OUT/s39f.tgz -C $R .
