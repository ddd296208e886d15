#!/usr/bin/env bash
# Prepared in session 28 for the next session (H200), one call, ours only. Lead 1 of session 28: the Triton probe's
# two-pass kernel at 2 x 512 issues its first pass one 16-byte load a thread at a time (a loop, s28e's PTX) and runs at
# torch.compile's time (498.3 us at 65,536 x 8192 bf16), while the same kernel with both loads issued together runs
# 570.3, and ours at 2 x 512 (both loads together) 519.5. REFETCH_SERIAL=1 gives our refetch modules that serial first
# pass. Two alternations: the launcher's rules; with REFETCH_SERIAL=1 (the launcher's refetch modules only); 2 x 512
# (RMSNORM_MIN_THREADS) read twice with and without it.
set -uo pipefail
R=/tmp/s29a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s29a.tgz -C $R .
}
cp .gpu/s29a.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=65536x8192:bf16,16384x8192:bf16,65536x8192:fp16,65536x5120:fp16,65536x4608:fp16,65536x4096:fp32,16384x4096:fp32
for r in 1 2; do
  step $r-base timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-base
  step $r-serial timeout 60 env RMSNORM_KERNEL_DEFINES=REFETCH_SERIAL=1 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-serial
  step $r-rf512 timeout 60 env RMSNORM_KERNEL_DEFINES=REFETCH=1 RMSNORM_MIN_THREADS=1000000000 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-rf512
  step $r-ser512 timeout 60 env RMSNORM_KERNEL_DEFINES=REFETCH=1,REFETCH_SERIAL=1 RMSNORM_MIN_THREADS=1000000000 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-ser512
  for v in base serial rf512 ser512; do cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
tar czf $OUT/s29a.tgz -C $R .
