#!/usr/bin/env bash
# Session 28, call 2 (H200), ours only, two alternations. V74: bf16 rows that fill just over half of the 4 x 256
# layout (4104-4600 columns) in registers under the 5-block bound: the previous build (e0c8b69, .gpu/old.gz) against
# this one. V73: REFETCH=1 (x read twice, the second time from L2, as torch.compile's kernel) at the default plans
# (4 x 256: 47 registers, 5 blocks an SM) and at 2 x 512 (RMSNORM_MIN_THREADS raises the threads a row: 32 registers,
# 4 blocks of 512 an SM), with 2 x 512 without REFETCH as the control.
set -uo pipefail
R=/tmp/s28b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
gunzip -c .gpu/old.gz > .gpu/old-bench; chmod +x .gpu/old-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s28b.tgz -C $R .
}
cp .gpu/s28b.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S74=65536x4104:bf16,65536x4352:bf16,16384x4352:bf16,4096x4352:bf16,65536x4600:bf16,65536x5120:bf16,65536x4000:bf16
S73=65536x8192:bf16,16384x8192:bf16,4096x8192:bf16,65536x7168:bf16,65536x4096:fp32,16384x4096:fp32,65536x8192:fp16,65536x4096:bf16,65536x16384:bf16,65536x5120:fp16,16384x5120:fp16,65536x5120:bf16
for r in 1 2; do
  step $r-old timeout 60 .gpu/old-bench run --shapes $S74 --no-peers --no-repeat --output /tmp/o-$r-old
  step $r-new timeout 60 $B run --shapes $S74 --no-peers --no-repeat --output /tmp/o-$r-new
  step $r-base timeout 60 $B run --shapes $S73 --no-peers --no-repeat --output /tmp/o-$r-base
  step $r-rf timeout 60 env RMSNORM_KERNEL_DEFINES=REFETCH=1 $B run --shapes $S73 --no-peers --no-repeat --output /tmp/o-$r-rf
  step $r-rf512 timeout 60 env RMSNORM_KERNEL_DEFINES=REFETCH=1 RMSNORM_MIN_THREADS=1000000000 $B run --shapes $S73 --no-peers --no-repeat --output /tmp/o-$r-rf512
  step $r-b512 timeout 60 env RMSNORM_MIN_THREADS=1000000000 $B run --shapes $S73 --no-peers --no-repeat --output /tmp/o-$r-b512
  for v in old new base rf rf512 b512; do cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
step 30-verify-v74 timeout 60 stdbuf -oL $B verify --match 4096x4
step 31-verify-rf timeout 290 stdbuf -oL env RMSNORM_KERNEL_DEFINES=REFETCH=1 $B verify --quick
tar czf $OUT/s28b.tgz -C $R .
