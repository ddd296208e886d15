#!/usr/bin/env bash
# Session 10, call 8: split plans while capturing (rows 64-512 KB): verify's graph check, then graph mode SPLIT=0 vs default, twice.
set -u
R=$OUT/s10d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
.gpu/rmsnorm-bench verify --quick --match "graph capture" > $R/verify-graph.txt 2>&1; echo "verify rc=$?" >> $R/verify-graph.txt
S=1x16384:fp32,1x32768:fp32,1x65536:fp32,1x65536:bf16,1x131072:bf16,16x65536:bf16,16x16384:fp32,8x32768:bf16
for r in 1 2; do
  for cfg in "RMSNORM_SPLIT=0" "X=1"; do
    echo "== $cfg round $r" >> $R/graph-ab.txt
    env $cfg .gpu/rmsnorm-bench run --graph --no-peers --shapes $S --output /tmp/g > /tmp/g.txt 2>&1
    grep -E "^[0-9]+x|FAIL" /tmp/g.txt >> $R/graph-ab.txt
  done
done
.gpu/rmsnorm-bench run --no-peers --shapes $S --reps 100 --output /tmp/e > $R/event-default.txt 2>&1
cp .gpu/s10d.sh $R/
cat $R/verify-graph.txt | tail -3; cat $R/graph-ab.txt; grep -E "^[0-9]+x" $R/event-default.txt
cd $OUT && tar czf s10d.tgz s10d && rm -rf s10d
