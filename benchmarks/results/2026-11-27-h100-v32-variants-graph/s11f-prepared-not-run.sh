#!/usr/bin/env bash
# Session 11, call 8: where PDL kernels trigger their dependents: at entry (default) against not at all
# (dependents start as the blocks exit; RMSNORM_KERNEL_DEFINES=PDL_TRIGGER=0), graph mode --pdl, ours only.
set -uo pipefail
R=/tmp/s11f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    $B "$@" > $R/$name.txt 2>&1
    echo "$name: rc=$?" | tee -a $R/steps.txt
    [ -f /tmp/o-$name/benchmark.csv ] && cp /tmp/o-$name/benchmark.csv $R/$name.csv
    tar czf $OUT/s11f.tgz -C $R .
}
cp .gpu/s11f.sh $R/
S=256x2048:bf16,256x4096:bf16,16x4096:bf16,1x7168:bf16,16x8192:bf16,256x4096:fp32,4096x4096:bf16,32768x128:fp32
for r in 1 2; do
  for v in forward add; do
    step 01-$v-entry-$r run --graph --pdl --variant $v --no-peers --shapes $S --output /tmp/o-01-$v-entry-$r
    RMSNORM_KERNEL_DEFINES=PDL_TRIGGER=0 step 02-$v-none-$r run --graph --pdl --variant $v --no-peers --shapes $S --output /tmp/o-02-$v-none-$r
  done
done
