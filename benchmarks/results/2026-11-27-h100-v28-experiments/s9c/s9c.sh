#!/usr/bin/env bash
# Session 9, run 3: streaming stores of y (YSTREAM) and x load policies at mid M; the few-rows rule (V28) in place.
set -uo pipefail
D=$OUT; R=/tmp/s9c; mkdir -p $R/a $R/b
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
L1=4096x2048:bf16,16384x2048:bf16,4096x4096:bf16,16384x4096:bf16,4096x5120:bf16,4096x7168:bf16,3000x7168:bf16,8191x4096:bf16,65536x4096:bf16,4096x4096:fp32,256x4096:bf16,16x4096:bf16,32768x128:fp32,1x8192:fp32,16x16384:bf16
( export OUT=$R/a; bash .gpu/ab3.sh $L1 "X=0" "RMSNORM_KERNEL_DEFINES=YSTREAM=1" "RMSNORM_KERNEL_DEFINES=XPOLICY=3,YSTREAM=1" "RMSNORM_KERNEL_DEFINES=XPOLICY=0,YSTREAM=1" > $R/01-ab-ystream.txt 2>&1 )
L2=16x4096:bf16,256x4096:bf16,4096x4096:bf16,16384x4096:bf16,4096x4096:fp32,4096x8192:bf16
( export OUT=$R/b VARIANT=add; bash .gpu/ab3.sh $L2 "X=0" "RMSNORM_KERNEL_DEFINES=YSTREAM=1" "RMSNORM_KERNEL_DEFINES=XPOLICY=3,YSTREAM=1" > $R/02-ab-ystream-add.txt 2>&1 )
tar czf $D/s9c.tgz -C $R .
cat $R/01-ab-ystream.txt $R/02-ab-ystream-add.txt
