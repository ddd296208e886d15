#!/usr/bin/env bash
# Session 29, call 6 (H200): V76 (16-bit rows filling >= 7/8 of 4 x 256 read twice at >= 64 rows an SM, i.e. 7168
# columns joins 8192) against the s29c build, two alternations, ours only; verify of the 8,448-row cases (new: bf16
# 7168 padded, fp16 7176 in place, bf16 7680 dense).
set -uo pipefail
R=/tmp/s29f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
gunzip -c .gpu/s29c.gz > .gpu/prev-bench; chmod +x .gpu/prev-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s29f.tgz -C $R .
}
cp .gpu/s29f.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 30-verify-new timeout 150 stdbuf -oL $B verify --match 8448x
S=65536x7168:bf16,16384x7168:bf16,65536x7168:fp16,16384x7168:fp16,65536x7680:bf16,4096x7168:bf16,65536x8192:bf16,65536x6144:fp16
for r in 1 2; do
  step $r-prev timeout 60 .gpu/prev-bench run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-prev
  step $r-new timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-new
  for v in prev new; do cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
tar czf $OUT/s29f.tgz -C $R .
