#!/usr/bin/env bash
# Session 21, call 3: are there better plans in our own candidate space at the forward shapes where ours trails?
# `tune --verbose` (every candidate's median), then the bench with the heuristic against `--autotune` (the tuned
# winners from the same disk cache), ours only, alternated twice.
set -uo pipefail
R=/tmp/s21c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    [ -f /tmp/o-$name/tune.csv ] && cp /tmp/o-$name/tune.csv $R/$name.csv
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s21c.tgz -C $R .
}
cp .gpu/s21c.sh $R/
S=1024x128:fp32,8192x128:fp32,16384x128:fp32,32768x128:fp32,65536x128:fp32,65535x96:fp32,4096x769:fp32,4096x2048:bf16,16x4096:bf16,256x4096:bf16,256x7168:bf16,16x8192:bf16,256x4096:fp32
step 02-tune timeout 240 $B tune --shapes $S --verbose --output /tmp/o-02-tune
for r in 1 2; do
  step 1$r-heur timeout 60 $B run --shapes $S --no-peers --output /tmp/o-1$r-heur
  step 2$r-tuned timeout 120 $B run --shapes $S --no-peers --autotune --output /tmp/o-2$r-tuned
done
