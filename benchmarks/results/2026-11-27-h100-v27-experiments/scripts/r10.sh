#!/usr/bin/env bash
# Session 8: L2 policies for the weight's loads and y's stores (WPOLICY, YPOLICY) against the default, alternated
# twice, ours only; then the build under memcheck.
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
R=$OUT; mkdir -p $R/h
( export OUT=$R/h; bash .gpu/ab3.sh 16x4096:bf16,256x4096:bf16,4096x4096:bf16,16384x4096:bf16,4096x4096:fp32,32768x128:fp32 "X=0" "RMSNORM_KERNEL_DEFINES=WPOLICY=2" "RMSNORM_KERNEL_DEFINES=YPOLICY=1" "RMSNORM_KERNEL_DEFINES=YPOLICY=2" > $R/wy-policy-forward.txt 2>&1 ); rm -rf $R/h; mkdir -p $R/h
cat $R/wy-policy-forward.txt
( export OUT=$R/h; VARIANT=add bash .gpu/ab3.sh 256x4096:bf16,4096x4096:bf16 "X=0" "RMSNORM_KERNEL_DEFINES=WPOLICY=2" "RMSNORM_KERNEL_DEFINES=YPOLICY=1" "RMSNORM_KERNEL_DEFINES=YPOLICY=2" > $R/wy-policy-add.txt 2>&1 ); rm -rf $R/h; mkdir -p $R/h
cat $R/wy-policy-add.txt
rm -rf $R/h
