#!/usr/bin/env bash
# Session 9, run 6: a floor on the grid's threads at moderate M (more threads a row), odd and aligned N.
set -uo pipefail
D=$OUT; R=/tmp/s9f; mkdir -p $R/a
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
L1=1021x769:bf16,1021x1001:fp16,4096x769:fp32,4096x769:bf16,1024x1024:bf16,1024x768:bf16,2048x1024:bf16,1024x2048:bf16,1024x1024:fp32,1024x128:fp32,4096x128:fp32,4096x1000:fp32,1000x4096:bf16,300x1024:bf16
( export OUT=$R/a; bash .gpu/ab3.sh $L1 "X=0" "RMSNORM_MIN_THREADS=65536" "RMSNORM_MIN_THREADS=131072" > $R/01-ab-minthreads.txt 2>&1 )
for i in 1 2 3; do grep -E "^[0-9]+x" $R/a/ab3-1-$i.txt | awk '{print $1, $NF, $(NF-1), $(NF-2), $(NF-3), $(NF-4), $(NF-5)}'; done > $R/02-plans.txt
tar czf $D/s9f.tgz -C $R .
cat $R/01-ab-minthreads.txt $R/02-plans.txt
