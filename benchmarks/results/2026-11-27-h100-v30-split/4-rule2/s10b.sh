#!/usr/bin/env bash
# Session 10, call 4: the revised split rule (<=4 blocks/SM, 8 KB slices, 256 threads, x <= 8 MB) against RMSNORM_SPLIT=0; memcheck of split plans; graph mode.
set -u
R=$OUT/s10b
mkdir -p $R/fwd $R/add
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
( export OUT=$R/fwd; bash .gpu/ab3.sh 1x131072:fp32,2x262144:fp32,1x262144:fp32,4x262144:bf16,16x262144:bf16,16x131072:fp32,1x262144:bf16,8x65536:fp32 "RMSNORM_SPLIT=0" "X=1" > $R/ab-forward.txt 2>&1 )
echo "ab fwd done $(date +%T)"
( export OUT=$R/add VARIANT=add; bash .gpu/ab3.sh 1x262144:fp32,4x262144:bf16,16x262144:bf16,1x131072:fp32 "RMSNORM_SPLIT=0" "X=1" > $R/ab-add.txt 2>&1 )
echo "ab add done $(date +%T)"
OUT=$R/dc SAN_TIMEOUT=240 bash scripts/device-check.sh split-graph memcheck-split
cp .gpu/s10b.sh $R/
cd $OUT && tar czf s10b.tgz s10b && rm -rf s10b
