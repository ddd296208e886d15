#!/usr/bin/env bash
# Session 26, call 3 (the s26a binary, H200): tune --verbose where ours trails on the H200 (s26a): is a better plan
# in our space, and how far is the heuristic from it?
set -uo pipefail
R=/tmp/s26c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s26c.tgz -C $R .
}
cp .gpu/s26c.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=4096x11008:bf16,65536x5120:bf16,16384x5120:bf16,4096x5120:bf16,65536x4096:fp32,16384x4096:fp32,65536x8192:bf16,16384x8192:bf16,4096x2048:bf16,65536x2048:bf16,256x4096:bf16,4096x769:fp32,4096x128:fp32,65536x16384:bf16,512x65536:fp32,64x262144:fp32
step 10-tune timeout 540 $B tune --shapes $S --verbose --output /tmp/o-10-tune
cp /tmp/o-10-tune/tune.csv $R/10-tune.csv 2>/dev/null
tar czf $OUT/s26c.tgz -C $R .
