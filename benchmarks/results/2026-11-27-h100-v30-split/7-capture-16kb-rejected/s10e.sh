#!/usr/bin/env bash
# Session 10, call 9: split while capturing from 16 KB rows: graph mode SPLIT=0 vs default, twice; verify's graph check.
set -u
R=$OUT/s10e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
S=1x4096:fp32,16x4096:fp32,1x8192:bf16,16x8192:bf16,1x16384:bf16,16x16384:bf16,1x8192:fp32,1x7168:bf16
for r in 1 2; do
  for cfg in "RMSNORM_SPLIT=0" "X=1"; do
    echo "== $cfg round $r" >> $R/graph-ab.txt
    env $cfg .gpu/rmsnorm-bench run --graph --no-peers --shapes $S --output /tmp/g > /tmp/g.txt 2>&1
    grep -E "^[0-9]+x|FAIL" /tmp/g.txt >> $R/graph-ab.txt
  done
done
.gpu/rmsnorm-bench verify --quick --match "graph capture" > $R/verify-graph.txt 2>&1; echo "verify rc=$?" >> $R/verify-graph.txt
cp .gpu/s10e.sh $R/
tail -2 $R/verify-graph.txt; cat $R/graph-ab.txt
cd $OUT && tar czf s10e.tgz s10e && rm -rf s10e
