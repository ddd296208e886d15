#!/usr/bin/env bash
# Session 23, call 4 (the s23a binary): which shape of the graph-mode list puts the process in the slow state
# that s23b/s23c found (the first four shapes 17-28% faster than when timed again at the end). Each line a new
# process: 1x2048 bf16, then the shape(s) under test, then 1x2048 bf16 again; ours only, no repeat.
set -uo pipefail
R=/tmp/s23d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s23d.sh $R/
A=1x2048:bf16
i=10
for X in 16x4096:bf16 1x4096:bf16 256x2048:bf16 256x4096:bf16 1x4096:fp16 16x2048:bf16 1x16384:bf16 \
         16x2048:bf16,256x2048:bf16,1x4096:bf16 16x2048:bf16,256x2048:bf16,1x4096:bf16,16x4096:bf16; do
  i=$((i+1))
  timeout 60 $B run --graph --no-peers --no-repeat --shapes $A,$X,$A --output /tmp/o-$i > $R/$i.txt 2>&1
  echo "$i [$X]: $(grep -E ',ours,|,copy,' /tmp/o-$i/benchmark.csv | awk -F, '{printf "%sx%s:%s %s=%s  ", $2,$3,$4,$5,$6}')" | tee -a $R/steps.txt
  tar czf $OUT/s23d.tgz -C $R .
done
