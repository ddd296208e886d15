#!/usr/bin/env bash
# Session 29, call 8 (H200): ours and our copy at 1-256 rows ran +2-6% slower in s29e/s29g than in s28c, with the same
# small-M SASS. This build against s28c's (437169f), three alternations, ours only: the binary or the machine?
set -uo pipefail
R=/tmp/s29h; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
gunzip -c .gpu/s28c.gz > .gpu/prev-bench; chmod +x .gpu/prev-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s29h.tgz -C $R .
}
cp .gpu/s29h.sh $R/
S=1x4096:bf16,1x7168:bf16,16x4096:bf16,16x8192:bf16,16x16384:bf16,256x4096:bf16,256x7168:bf16,16x4096:fp32,4096x4096:bf16
for r in 1 2 3; do
  step $r-old timeout 60 .gpu/prev-bench run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-old
  step $r-new timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-new
  for v in old new; do cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
tar czf $OUT/s29h.tgz -C $R .
