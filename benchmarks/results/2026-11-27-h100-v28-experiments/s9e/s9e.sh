#!/usr/bin/env bash
# Session 9, run 5: aligned-interior plans' elements per thread (odd N).
set -uo pipefail
D=$OUT; R=/tmp/s9e; mkdir -p $R/a
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
L1=1021x769:bf16,4096x769:fp32,4096x769:bf16,199x769:bf16,4096x5001:bf16,1021x1001:fp16,65535x97:fp32,16x7169:bf16,4093x4097:bf16
( export OUT=$R/a; bash .gpu/ab3.sh $L1 "X=0" "RMSNORM_INTERIOR_ELEMENTS=8" "RMSNORM_INTERIOR_ELEMENTS=16" > $R/01-ab-interior.txt 2>&1 )
for i in 1 2 3; do grep -E "^[0-9]+x" $R/a/ab3-1-$i.txt | awk '{print $1, $NF, $(NF-1), $(NF-2), $(NF-3), $(NF-4), $(NF-5)}'; done > $R/02-plans.txt
tar czf $D/s9e.tgz -C $R .
cat $R/01-ab-interior.txt $R/02-plans.txt
