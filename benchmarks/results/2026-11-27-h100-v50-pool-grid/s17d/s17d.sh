#!/usr/bin/env bash
# Session 17, call 4 (V50): the backward's row groups a block stands for (RMSNORM_BWD_GROUPS_PER_BLOCK, default 16),
# which sets the grid and so the dw partial rows (grid x N x 4 bytes, written and read again): 16 / 32 / 64 / 128,
# ours only, alternated twice, at 4096-65,536 rows; paced (the new default).
set -uo pipefail
R=/tmp/s17d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep '^Paced' $R/$name.txt | cut -c1-250)" | tee -a $R/steps.txt
    tar czf $OUT/s17d.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s17d.sh $R/
S=16384x2048:bf16,16384x4096:bf16,16384x7168:bf16,16384x8192:bf16,16384x4096:fp32,65536x4096:bf16,4096x4096:bf16,4096x8192:bf16,16384x16384:bf16
step 09-warm $B run --backward --no-peers --shapes $S --output /tmp/o-09-warm
for r in 1 2; do
  for g in 16 64 32 128; do
    RMSNORM_BWD_GROUPS_PER_BLOCK=$g step 1$r-g$g timeout 60 $B run --backward --no-peers --shapes $S --output /tmp/o-1$r-g$g
  done
done
