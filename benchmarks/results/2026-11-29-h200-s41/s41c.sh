#!/usr/bin/env bash
# s41c: V104 (BWD_PF2=1: the backward's 32-element register kernels keep two rows in flight, the row after next loaded
# into the registers of this row's packed x and dy once converted) against the default, in one process (ab); verify of
# the backward with it; the backward's default plans again with the copy (s41b's default arms did not run). Carry .gpu.
set -uo pipefail
R=/tmp/s41c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s41c.tgz -C $R .; }
BW=65536x7168:bf16,16384x7168:bf16,65536x4096:bf16,16384x4096:bf16,65536x8192:bf16,16384x8192:bf16,65536x2048:bf16,16384x2048:bf16,65536x4096:fp16,16384x4096:fp16,65536x4096:fp32,65536x5120:bf16
step 10-ab-pf2 150 $B ab --variant backward --shapes $BW --defines BWD_PF2=1 --output $R/ab-pf2
step 20-verify-pf2 200 env RMSNORM_KERNEL_DEFINES=BWD_PF2=1 $B verify --quick --variants-only --match backward
step 30-default 120 $B run --variant backward --no-peers --no-repeat --shapes $BW,65536x16384:bf16,16384x16384:bf16,4096x16384:bf16,4096x8192:bf16,4096x7168:bf16,4096x5120:bf16,4096x4096:bf16,16384x5120:bf16 --output $R/default
tar czf $OUT/s41c.tgz -C $R .
