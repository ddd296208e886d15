#!/usr/bin/env bash
# Session 9, run 4: weight prefetch into L2 in the shared-memory (cluster) kernels.
set -uo pipefail
D=$OUT; R=/tmp/s9d; mkdir -p $R/a $R/b
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
L1=1x262144:fp32,64x262144:fp32,512x65536:fp32,1x65536:fp32,1x131072:bf16,16x65536:bf16,1x32768:fp32,4x262144:bf16
( export OUT=$R/a; bash .gpu/ab3.sh $L1 "X=0" "RMSNORM_KERNEL_DEFINES=WPREFETCH=1" > $R/01-ab-wprefetch.txt 2>&1 )
( export OUT=$R/b VARIANT=add; bash .gpu/ab3.sh 1x262144:fp32,64x262144:fp32,1x65536:bf16 "X=0" "RMSNORM_KERNEL_DEFINES=WPREFETCH=1" > $R/02-ab-wprefetch-add.txt 2>&1 )
grep -h "plan\|^1x\|^64x\|^512x\|^4x\|^16x" $R/a/ab3-1-1.txt | head -12 > $R/03-plans.txt
tar czf $D/s9d.tgz -C $R .
cat $R/01-ab-wprefetch.txt $R/02-ab-wprefetch-add.txt $R/03-plans.txt
