#!/usr/bin/env bash
# Session 9, run 2: tune on the awkward suite (the aligned-width fix), plan A/Bs at few rows and short rows.
set -uo pipefail
D=$OUT; R=/tmp/s9b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
( time $B tune --suite awkward --output /tmp/tune ) > $R/01-tune-awkward.txt 2>&1; echo "tune rc=$?" >> $R/steps.txt
L1=1x4096:fp32,16x4096:fp32,256x4096:fp32,1x8192:fp32,1x4096:bf16,256x4096:bf16,1x8192:bf16,256x8192:bf16,1x16384:bf16,16x16384:bf16,256x7168:bf16,16x5120:bf16,1x5120:bf16
L2=1024x128:fp32,4096x128:fp32,16384x128:fp32,32768x128:fp32,65536x128:fp32,131072x128:fp32,65535x96:fp32
mkdir -p $R/a $R/b $R/c
( export OUT=$R/a; bash .gpu/ab3.sh $L1 "X=0" "RMSNORM_FEW_ROWS_TPR=512" "RMSNORM_FEW_ROWS_TPR=256" > $R/02-ab-fewrows.txt 2>&1 )
( export OUT=$R/b; bash .gpu/ab3.sh $L2 "X=0" "RMSNORM_SHORT_TPR=8" "RMSNORM_SHORT_BLOCK=128" "RMSNORM_SHORT_TPR=8 RMSNORM_SHORT_BLOCK=64" > $R/03-ab-short.txt 2>&1 )
( export OUT=$R/c VARIANT=add; bash .gpu/ab3.sh $L1 "X=0" "RMSNORM_FEW_ROWS_TPR=512" "RMSNORM_FEW_ROWS_TPR=256" > $R/04-ab-fewrows-add.txt 2>&1 )
tar czf $D/s9b.tgz -C $R .
cat $R/steps.txt; tail -3 $R/01-tune-awkward.txt; cat $R/02-ab-fewrows.txt $R/03-ab-short.txt $R/04-ab-fewrows-add.txt
