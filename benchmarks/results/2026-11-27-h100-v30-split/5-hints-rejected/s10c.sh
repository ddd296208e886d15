#!/usr/bin/env bash
# Session 10, call 7: cache hints (.cs loads and stores) and 8 threads a row for short rows, against the default (tune's "+hints" winners).
set -u
R=$OUT/s10c
mkdir -p $R/ab
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
( export OUT=$R/ab; bash .gpu/ab3.sh 65535x96:fp32,32768x128:fp32,65536x128:fp32,131072x128:fp32,3000x7168:bf16,4093x5120:bf16,8191x4096:bf16,4096x4096:bf16,256x4096:bf16 "X=1" "RMSNORM_CACHE_HINTS=1" "RMSNORM_MIN_TPR=8" "RMSNORM_CACHE_HINTS=1 RMSNORM_MIN_TPR=8" > $R/ab.txt 2>&1 )
cp .gpu/s10c.sh $R/
cat $R/ab.txt
cd $OUT && tar czf s10c.tgz s10c && rm -rf s10c
