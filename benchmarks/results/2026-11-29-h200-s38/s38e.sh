#!/usr/bin/env bash
# s38e: do the few-row levels follow the operands' placement? ab's A/A (4 rounds: 16 timings a shape, each with fresh
# operands) with one operand set (RMSNORM_BENCH_PLACEMENTS=1), one set in separate allocations (and POOL=0), and the
# default (8 sets carved from one allocation). Carry .gpu.
set -uo pipefail
R=/tmp/s38e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s38e.tgz -C $R .; }
Q=1x4096:bf16,16x4096:bf16,256x2048:bf16,256x4096:fp16
step 10-one-set 80 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --rounds 4 --shapes $Q --defines AB_NOOP=1 --output $R/one-set
step 20-one-set-own 80 env RMSNORM_BENCH_PLACEMENTS=1 RMSNORM_BENCH_POOL=0 $B ab --variant add --rounds 4 --shapes $Q --defines AB_NOOP=1 --output $R/one-set-own
step 30-default 80 $B ab --variant add --rounds 4 --shapes $Q --defines AB_NOOP=1 --output $R/default
tar czf $OUT/s38e.tgz -C $R .
