#!/usr/bin/env bash
# Session 27, second call (H200): V70 (the two-pass loop as Inductor runs it: one block a row, LOOP_HINTS,
# SLICE_PAIRS) through `tune --verbose` with and without the defines; then V69's A/B (ROW_MINB), ours only.
set -uo pipefail
R=/tmp/s27c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s27c.tgz -C $R .
}
cp .gpu/s27c.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
T=65536x8192:bf16,16384x8192:bf16,4096x8192:bf16,65536x4096:fp32,16384x4096:fp32,65536x7168:bf16,16384x7168:bf16,65536x5120:bf16,65536x4096:bf16,65536x16384:bf16
step 10-tune-base timeout 150 $B tune --shapes $T --verbose --reps 20 --output /tmp/o-10
cp /tmp/o-10/tune.csv $R/10-tune-base.csv
step 11-tune-hints timeout 150 env RMSNORM_KERNEL_DEFINES=LOOP_HINTS=1,SLICE_PAIRS=1 $B tune --shapes $T --verbose --reps 20 --output /tmp/o-11
cp /tmp/o-11/tune.csv $R/11-tune-hints.csv
S2=65536x8192:bf16,16384x8192:bf16,65536x7168:bf16,65536x5120:bf16,16384x5120:bf16,4096x8192:bf16,65536x4096:bf16,16384x4096:bf16,65536x4096:fp32,16384x4096:fp32
for r in 1 2; do
  step 4$r-base timeout 60 $B run --shapes $S2 --no-peers --no-repeat --output /tmp/o-4$r-base
  step 5$r-minb5p0 timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=5,PACKED32=0 $B run --shapes $S2 --no-peers --no-repeat --output /tmp/o-5$r-minb5p0
  step 6$r-minb5 timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=5 $B run --shapes $S2 --no-peers --no-repeat --output /tmp/o-6$r-minb5
  for v in base minb5p0 minb5; do cp /tmp/o-*$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
tar czf $OUT/s27c.tgz -C $R .
