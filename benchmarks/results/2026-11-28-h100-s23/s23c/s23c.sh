#!/usr/bin/env bash
# Session 23, call 3 (the s23a binary): graph mode at M <= 256 timed the first four shapes of s23b (and of s17g)
# 17-28% faster than the same shapes timed again at the end of the run, ours and the driver's copy alike. Which
# repetition of the process's timings the change comes at, and whether the SM clock moves with it.
set -uo pipefail
R=/tmp/s23c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,pstate --format=csv -lms 100 > $R/$name-clocks.csv 2>&1 &
    local smi=$!
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    kill $smi 2>/dev/null; wait $smi 2>/dev/null
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s23c.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s23c.sh $R/
S=$(for i in $(seq 12); do printf "1x2048:bf16,"; done)1x2048:bf16
G=$(for n in 2048 4096 5120 7168 8192 16384; do for m in 1 16 256; do printf "%sx%s:bf16," $m $n; done; done)1x4096:fp16,16x4096:fp16,256x4096:fp16,1x4096:fp32,16x4096:fp32,256x4096:fp32
step 02-same-shape timeout 120 $B run --graph --no-peers --shapes $S --output /tmp/o-02-same-shape
step 03-same-shape-1set timeout 120 env RMSNORM_BENCH_PLACEMENTS=1 $B run --graph --no-peers --no-repeat --shapes $S --output /tmp/o-03-same-shape-1set
step 04-suite-no-peers timeout 150 $B run --graph --no-peers --shapes $G --output /tmp/o-04-suite-no-peers
step 05-same-shape-events timeout 120 $B run --no-peers --no-repeat --shapes $S --output /tmp/o-05-same-shape-events
