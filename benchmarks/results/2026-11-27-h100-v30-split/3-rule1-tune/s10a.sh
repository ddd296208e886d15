#!/usr/bin/env bash
# Session 10, call 3: split default (rows >= 512 KB) against RMSNORM_SPLIT=0, forward and fused add; tune with split candidates; memcheck of split plans.
set -u
R=$OUT
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
mkdir -p $R/fwd $R/add
( export OUT=$R/fwd; bash .gpu/ab3.sh 1x131072:fp32,2x262144:fp32,1x262144:fp32,4x262144:bf16,16x262144:bf16,32x131072:fp32,1x262144:bf16 "RMSNORM_SPLIT=0" "X=1" > $R/ab-forward.txt 2>&1 )
echo "ab fwd done $(date +%T)"
( export OUT=$R/add VARIANT=add; bash .gpu/ab3.sh 1x262144:fp32,4x262144:bf16,16x262144:bf16,1x131072:fp32 "RMSNORM_SPLIT=0" "X=1" > $R/ab-add.txt 2>&1 )
echo "ab add done $(date +%T)"
.gpu/rmsnorm-bench tune --shapes 1x32768:fp32,1x65536:fp32,1x131072:bf16,16x65536:bf16,1x262144:fp32,4x262144:bf16,16x262144:bf16 --output /tmp/tune > $R/tune.txt 2>&1
echo "tune done $(date +%T)"
OUT=$R/san SAN_TIMEOUT=240 bash scripts/device-check.sh memcheck-split
