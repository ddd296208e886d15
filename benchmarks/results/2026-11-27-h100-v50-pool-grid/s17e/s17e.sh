#!/usr/bin/env bash
# Session 17, call 5 (V50): (1) the default pool keeps 256 MB across synchronisations (RMSNORM_POOL_KEEP_MB): ours'
# backward enqueue (the paced check's slowest kept enqueue) against s17d's 70-711 us, with 0 (the driver's
# default) alternated; (2) RMSNORM_BWD_GROUPS_PER_BLOCK 16 (default) against 32 over more backward shapes,
# ours only, alternated twice.
set -uo pipefail
R=/tmp/s17e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep '^Paced' $R/$name.txt | cut -c1-250)" | tee -a $R/steps.txt
    tar czf $OUT/s17e.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s17e.sh $R/
P=16384x2048:bf16,16384x4096:bf16,16384x16384:bf16,4096x8192:bf16,65536x4096:bf16
step 09-warm $B run --backward --no-peers --shapes $P --output /tmp/o-09-warm
for r in 1 2; do
  RMSNORM_POOL_KEEP_MB=0 step 1$r-pool0 $B run --backward --no-peers --shapes $P --output /tmp/o-1$r-pool0
  step 1$r-pool256 $B run --backward --no-peers --shapes $P --output /tmp/o-1$r-pool256
done
S=4096x2048:bf16,4096x4096:bf16,4096x5120:bf16,4096x7168:bf16,4096x8192:bf16,4096x16384:bf16,4096x4096:fp16,4096x4096:fp32,1024x4096:bf16,2048x4096:bf16,8192x4096:bf16,8192x8192:bf16,16384x2048:bf16,65536x2048:bf16,16384x5120:bf16,3000x7168:bf16,4093x5120:bf16
step 19-warm $B run --backward --no-peers --shapes $S --output /tmp/o-19-warm
for r in 1 2; do
  for g in 16 32; do
    RMSNORM_BWD_GROUPS_PER_BLOCK=$g step 2$r-g$g timeout 60 $B run --backward --no-peers --shapes $S --output /tmp/o-2$r-g$g
  done
done
