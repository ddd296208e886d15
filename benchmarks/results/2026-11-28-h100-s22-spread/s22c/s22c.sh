#!/usr/bin/env bash
# Session 22, call 3 (same build as s22b): is the per-SM spread of s22b's staged backward (1,024-thread blocks, one
# an SM, shared-memory stages) a property of that kernel? ncu's per-SM active cycles for the register kernel at
# N = 16,384 (RMSNORM_BWD_STAGES=0: 1,024 threads, no stages) and for the staged 512-thread _r128 kernel
# (4096 x 8192); the bench with and without stages at N = 16,384, ours only, two alternations.
set -uo pipefail
R=/tmp/s22c; mkdir -p $R
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
    tar czf $OUT/s22c.tgz -C $R .
}
cp .gpu/s22c.sh $R/
M=gpu__time_duration.sum,sm__cycles_active.min,sm__cycles_active.avg,sm__cycles_active.max,sm__cycles_elapsed.avg,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size,launch__block_size,launch__registers_per_thread
probe() {  # name shape kernel-regex [env…]
    local name=$1 shape=$2 k=$3; shift 3
    step $name timeout 90 env "$@" ncu --clock-control none --cache-control none --kernel-name regex:"$k" --launch-skip 10 --launch-count 1 \
        --metrics $M $B run --variant backward --shapes $shape --no-peers --reps 20 --output /tmp/o-$name
}
probe 10-reg-16384x16384 16384x16384:bf16 rmsnorm_bwd_reg RMSNORM_BWD_STAGES=0
probe 11-reg-4096x16384 4096x16384:bf16 rmsnorm_bwd_reg RMSNORM_BWD_STAGES=0
probe 12-r128-4096x8192 4096x8192:bf16 rmsnorm_bwd_async RMSNORM_X=1
probe 13-r128-16384x5120 16384x5120:bf16 rmsnorm_bwd_reg RMSNORM_X=1
S=4096x16384:bf16,16384x16384:bf16,65536x16384:bf16
for r in 1 2; do
  step 2$r-staged timeout 90 $B run --variant backward --shapes $S --no-peers --output /tmp/o-2$r-staged
  step 3$r-regs timeout 90 env RMSNORM_BWD_STAGES=0 $B run --variant backward --shapes $S --no-peers --output /tmp/o-3$r-regs
done
tar czf $OUT/s22c.tgz -C $R .
