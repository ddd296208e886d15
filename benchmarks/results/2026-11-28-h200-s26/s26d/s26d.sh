#!/usr/bin/env bash
# Session 26, call 4 (HEAD + the RMSNORM_WIDE_ROWS_SMEM switch, H200): two plan rules the H200 tune (s26c) suggests,
# ours only, alternated twice against the default: MT = a grid-thread floor of 512 Ki (RMSNORM_MIN_THREADS=524288;
# 4096 x 2048 bf16 at 2 x 128 instead of 4 x 64), WS = rows needing 512 register threads with > 1/4 of the slots idle
# staged in shared memory by 256 threads (RMSNORM_WIDE_ROWS_SMEM=1). Then verify of every 11,008-column case with WS.
set -uo pipefail
R=/tmp/s26d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed' $R/$name.txt | tail -1 | cut -c1-160)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 200000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s26d.tgz -C $R .
}
cp .gpu/s26d.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=4096x2048:bf16,4096x1024:bf16,1021x769:bf16,4096x128:fp32,8192x128:fp32,16384x128:fp32,32768x128:fp32,4096x1000:fp32,4096x769:fp32
S=$S,4096x11008:bf16,16384x11008:bf16,1024x11008:bf16,4096x9216:bf16,4096x10240:bf16,4096x12000:bf16,4096x10240:fp32
S=$S,4096x4096:bf16,16384x4096:bf16,65536x2048:bf16,16384x5120:bf16,4096x8192:bf16,4096x16384:bf16,4096x4096:fp32
for r in 1 2; do
  step 1$r-base timeout 80 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-1$r-base
  step 2$r-mt timeout 80 env RMSNORM_MIN_THREADS=524288 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-2$r-mt
  step 3$r-ws timeout 80 env RMSNORM_WIDE_ROWS_SMEM=1 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-3$r-ws
done
step 40-verify-ws timeout 150 env RMSNORM_WIDE_ROWS_SMEM=1 stdbuf -oL $B verify --match x11008
tar czf $OUT/s26d.tgz -C $R .
