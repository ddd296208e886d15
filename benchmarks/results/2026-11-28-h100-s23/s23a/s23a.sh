#!/usr/bin/env bash
# Session 23, call 1 (HEAD cf52c61's kernels): where V64 still idles (the probe on the range kernel), the backward's
# row groups a block at 16,384-65,536 rows (RMSNORM_BWD_GROUPS_PER_BLOCK), the range schedule's threshold and
# smallest range at N = 16,384, then `verify --quick` on this build (not rerun since V64).
set -uo pipefail
R=/tmp/s23a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|ERROR SUMMARY' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 200000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s23a.tgz -C $R .
}
cp .gpu/s23a.sh $R/
{ date -u; nvidia-smi; nvidia-smi -q | grep -iE "product name|driver|cuda|clocks" | head -20; } > $R/01-env.txt 2>&1
P="RMSNORM_KERNEL_DEFINES=BWD_SMPROBE=1"
step 02-probe-65536 timeout 60 env $P $B run --variant backward --shapes 65536x16384:bf16 --no-peers --no-repeat --reps 5 --output /tmp/o-02
step 03-probe-16384-rng timeout 60 env $P RMSNORM_BWD_RANGES=1 $B run --variant backward --shapes 16384x16384:bf16 --no-peers --no-repeat --reps 5 --output /tmp/o-03
S=16384x2048:bf16,16384x4096:bf16,16384x4096:fp16,16384x4096:fp32,16384x5120:bf16,16384x7168:bf16,16384x8192:bf16,65536x2048:bf16,65536x4096:bf16,65536x7168:bf16
for r in 1 2; do
  step 1$r-g0 timeout 90 $B run --variant backward --shapes $S --no-peers --no-repeat --output /tmp/o-1$r-g0
  step 2$r-g32 timeout 90 env RMSNORM_BWD_GROUPS_PER_BLOCK=32 $B run --variant backward --shapes $S --no-peers --no-repeat --output /tmp/o-2$r-g32
  step 3$r-g64 timeout 90 env RMSNORM_BWD_GROUPS_PER_BLOCK=64 $B run --variant backward --shapes $S --no-peers --no-repeat --output /tmp/o-3$r-g64
done
S2=4096x16384:bf16,16384x16384:bf16,20480x16384:bf16,24576x16384:bf16,32768x16384:bf16
for r in 1 2; do
  step 4$r-off timeout 90 env RMSNORM_BWD_RANGES=0 $B run --variant backward --shapes $S2 --no-peers --no-repeat --output /tmp/o-4$r-off
  step 5$r-r8 timeout 90 env RMSNORM_BWD_RANGES=1 $B run --variant backward --shapes $S2 --no-peers --no-repeat --output /tmp/o-5$r-r8
  step 6$r-r16 timeout 90 env RMSNORM_BWD_RANGES=1 RMSNORM_BWD_RANGE_MIN=16 $B run --variant backward --shapes $S2 --no-peers --no-repeat --output /tmp/o-6$r-r16
  step 7$r-r32 timeout 90 env RMSNORM_BWD_RANGES=1 RMSNORM_BWD_RANGE_MIN=32 $B run --variant backward --shapes $S2 --no-peers --no-repeat --output /tmp/o-7$r-r32
done
step 90-verify-quick timeout 400 $B verify --quick
