#!/usr/bin/env bash
# Session 22, call 2 (the HEAD build, 9a85b3f's kernels = s21f's): verify --quick in full (session 21's review change
# to the explicit-plan branch had no GPU run), then each SM's active cycles (min/avg/max, ncu) for persistent backward
# kernels and grid=all forward kernels, to see whether s22a's finding (the staged backward's SMs active 62-95% of
# the kernel at 4096 x 16,384) is general to the persistent grid.
set -uo pipefail
R=/tmp/s22b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    tar czf $OUT/s22b.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s22b.sh $R/
step 02-verify-quick timeout 330 stdbuf -oL $B verify --quick
M=gpu__time_duration.sum,sm__cycles_active.min,sm__cycles_active.avg,sm__cycles_active.max,sm__cycles_elapsed.avg,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size,launch__block_size
probe() {  # name variant shape kernel-regex
    step $1 timeout 90 ncu --clock-control none --cache-control none --kernel-name regex:"$4" --launch-skip 10 --launch-count 1 \
        --metrics $M $B run --variant $2 --shapes $3 --no-peers --reps 20 --output /tmp/o-$1
}
probe 10-bwd-4096x16384 backward 4096x16384:bf16 rmsnorm_bwd_async
probe 11-bwd-16384x16384 backward 16384x16384:bf16 rmsnorm_bwd_async
probe 12-bwd-65536x16384 backward 65536x16384:bf16 rmsnorm_bwd_async
probe 13-bwd-16384x4096 backward 16384x4096:bf16 rmsnorm_bwd_reg
probe 14-bwd-65536x4096 backward 65536x4096:bf16 rmsnorm_bwd_reg
probe 15-bwd-4096x4096 backward 4096x4096:bf16 rmsnorm_bwd
probe 20-fwd-4096x16384 forward 4096x16384:bf16 rmsnorm_fwd
probe 21-fwd-16384x4096 forward 16384x4096:bf16 rmsnorm_fwd
probe 22-fwd-65536x4096 forward 65536x4096:bf16 rmsnorm_fwd
tar czf $OUT/s22b.tgz -C $R .
