#!/usr/bin/env bash
# Session 13, call 4: ncu sections of the backward row kernels at 4096 and 16,384 rows (staged and register).
set -uo pipefail
R=/tmp/s13d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s13d.tgz -C $R .
}
cp .gpu/s13d.sh $R/
SEC="--section SpeedOfLight --section Occupancy --section WarpStateStats --section MemoryWorkloadAnalysis --section LaunchStats --section SchedulerStats"
K='regex:rmsnorm_bwd_(reg|async)|rmsnorm_dw_reduce'
step 02-ncu-4096x4096-staged ncu $SEC -k "$K" --launch-skip 2 -c 2 $B run --backward --no-peers --shapes 4096x4096:bf16 --reps 3 --output /tmp/o-ncu
RMSNORM_BWD_STAGES=0 step 03-ncu-4096x4096-reg ncu $SEC -k "$K" --launch-skip 2 -c 2 $B run --backward --no-peers --shapes 4096x4096:bf16 --reps 3 --output /tmp/o-ncu
step 04-ncu-16384x4096-reg ncu $SEC -k "$K" --launch-skip 2 -c 2 $B run --backward --no-peers --shapes 16384x4096:bf16 --reps 3 --output /tmp/o-ncu
step 05-ncu-fwd-16384x4096 ncu $SEC -k "regex:rmsnorm_fwd" --launch-skip 12 -c 1 $B run --no-peers --shapes 16384x4096:bf16 --reps 3 --output /tmp/o-ncu
