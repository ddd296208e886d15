#!/usr/bin/env bash
# Session 29, call 1 (H200, build 14e6ed9). (1) Session 28's lead 1: REFETCH_SERIAL=1 gives the refetch modules a
# first pass of one 16-byte load a thread at a time (as the Triton probe that matches torch.compile at 2 x 512, s28e).
# Variants, two alternations, ours only: base (the launcher's rules); serial (REFETCH_SERIAL=1, refetch modules only);
# rfser (REFETCH=1,REFETCH_SERIAL=1 at every row module: adds 7168 columns at 4 x 256); rf512 / ser512 (2 x 512 via
# RMSNORM_MIN_THREADS, read twice, without / with the serial pass). (2) tune --verbose at 16 and 256 rows, where ours
# trails Triton's one-program-per-row kernel by 1-8% (s28c): is there a better plan on the H200?
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
S=65536x8192:bf16,16384x8192:bf16,65536x8192:fp16,65536x5120:fp16,65536x4608:fp16,65536x4096:fp32,16384x4096:fp32,65536x7168:bf16,16384x7168:bf16
for r in 1 2; do
  step $r-base timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-base
  step $r-serial timeout 60 env RMSNORM_KERNEL_DEFINES=REFETCH_SERIAL=1 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-serial
  step $r-rfser timeout 60 env RMSNORM_KERNEL_DEFINES=REFETCH=1,REFETCH_SERIAL=1 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-rfser
  step $r-rf512 timeout 60 env RMSNORM_KERNEL_DEFINES=REFETCH=1 RMSNORM_MIN_THREADS=1000000000 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-rf512
  step $r-ser512 timeout 60 env RMSNORM_KERNEL_DEFINES=REFETCH=1,REFETCH_SERIAL=1 RMSNORM_MIN_THREADS=1000000000 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-ser512
  for v in base serial rfser rf512 ser512; do cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
T=256x2048:bf16,256x4096:bf16,256x4096:fp16,256x4096:fp32,256x5120:bf16,256x7168:bf16,256x8192:bf16,16x4096:bf16,16x7168:bf16,16x4096:fp32
step 10-tune timeout 200 $B tune --shapes $T --verbose --reps 50 --output /tmp/o-10
cp /tmp/o-10/tune.csv $R/10-tune.csv 2>/dev/null
tar czf $OUT/s29a.tgz -C $R .
