#!/usr/bin/env bash
# Session 33, call 6 (H200): ncu on the pipelined kernel (V86c) and the cluster-a-row kernel at 64 x 262,144 and
# 512 x 65,536 fp32: grid, throughput, warp stall reasons.
set -uo pipefail
R=/tmp/s33f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s33f.sh $R/
{ date -u; nvidia-smi; ncu --version; } > $R/01-env.txt 2>&1
prof() {  # prof NAME SHAPE KERNEL-REGEX [env...]
    local name=$1 shape=$2 k=$3; shift 3
    timeout 120 env "$@" ncu --kernel-name regex:$k --launch-skip 3 --launch-count 1 \
        --section SpeedOfLight --section LaunchStats --section Occupancy --section WarpStateStats \
        --section MemoryWorkloadAnalysis --section SchedulerStats \
        $B run --shapes $shape --no-peers --no-repeat --reps 3 --output /tmp/o-$name > $R/$name.txt 2>&1
    echo "$name: rc=$?" | tee -a $R/steps.txt
    tar czf $OUT/s33f.tgz -C $R .
}
prof p-64 64x262144:fp32 rmsnorm_fwd_smem_p16
prof c-64 64x262144:fp32 rmsnorm_fwd_smem_c16 RMSNORM_PIPELINE=0
prof p-512 512x65536:fp32 rmsnorm_fwd_smem_p4
prof c-512 512x65536:fp32 rmsnorm_fwd_smem_c4 RMSNORM_PIPELINE=0
prof copy-64 64x262144:fp32 rmsnorm_copy RMSNORM_BENCH_COPY=kernel
tar czf $OUT/s33f.tgz -C $R .
