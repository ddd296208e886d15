#!/usr/bin/env bash
# Session 33, call 11 (H200): V87's arena on the fused add, ours only: pooled (default) against RMSNORM_BENCH_POOL=0, 2 alternations.
set -uo pipefail
R=/tmp/s33k; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s33k.sh $R/
S=1x4096:bf16,16x4096:bf16,16x8192:bf16,16x4096:fp32,256x4096:fp16
for r in 1 2; do for p in 0 1; do
    timeout 25 env RMSNORM_BENCH_POOL=$p .gpu/rmsnorm-bench run --variant add --shapes $S --no-peers --no-repeat --output /tmp/o-$r-$p > $R/$r-pool$p.txt 2>&1
    cp /tmp/o-$r-$p/benchmark.csv $R/$r-pool$p.csv; echo "$r-pool$p $(grep ',ours,' $R/$r-pool$p.csv | cut -d, -f2,3,6 | tr '\n' ' ')" | tee -a $R/summary.txt
done; done
tar czf $OUT/s33k.tgz -C $R .
