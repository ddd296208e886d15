#!/usr/bin/env bash
# Session 20, call 6 (the V57 build, d700ef5): the staged backward's stage cap, default (4) against 2 and 3, ours
# only, alternated twice, at the shapes that take staged plans.
set -uo pipefail
R=/tmp/s20f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s20f.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s20f.sh $R/
S=4096x2048:bf16,4096x4096:bf16,4096x5120:bf16,4096x7168:bf16,4096x8192:bf16,4096x16384:bf16,1024x16384:bf16,16384x16384:bf16,2048x4096:bf16,4096x4096:fp16
for r in 1 2; do
  step 1$r-s4 timeout 60 $B run --variant backward --shapes $S --no-peers --output /tmp/o-1$r-s4
  RMSNORM_BWD_STAGES=2 step 2$r-s2 timeout 60 $B run --variant backward --shapes $S --no-peers --output /tmp/o-2$r-s2
  RMSNORM_BWD_STAGES=3 step 3$r-s3 timeout 60 $B run --variant backward --shapes $S --no-peers --output /tmp/o-3$r-s3
done
