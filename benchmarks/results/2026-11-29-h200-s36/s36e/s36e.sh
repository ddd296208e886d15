#!/usr/bin/env bash
# s36e: the fused add's register kernels that read their weight after the reduction (16-bit rows of 4 vectors a
# thread, fp32 of 4+): WREG_ALL=1 (weight held, loaded before x) and WPF_ROW=16 (at M <= 16 the weight asked into L2
# at entry). Ours only, fused add then the plain forward, two alternations.
set -uo pipefail
R=/tmp/s36e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s36e.tgz -C $R .; }
A=1x16384:bf16,16x16384:bf16,256x16384:bf16,1x8192:bf16,16x8192:bf16,16x7168:bf16,16x5120:bf16,1x2048:bf16,16x2048:bf16,256x2048:bf16,16x4096:fp32,256x4096:fp32,16x4096:bf16,4096x5120:bf16,4096x2048:bf16
for r in 1 2; do
  step 1$r-add-base 90 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/add-base-$r
  step 1$r-add-wreg 90 env RMSNORM_KERNEL_DEFINES=WREG_ALL=1 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/add-wreg-$r
  step 1$r-add-wpf 90 env RMSNORM_KERNEL_DEFINES=WPF_ROW=16 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/add-wpf-$r
done
for r in 1 2; do
  step 2$r-fwd-base 90 $B run --shapes $A --no-peers --no-repeat --output $R/fwd-base-$r
  step 2$r-fwd-wreg 90 env RMSNORM_KERNEL_DEFINES=WREG_ALL=1 $B run --shapes $A --no-peers --no-repeat --output $R/fwd-wreg-$r
done
tar czf $OUT/s36e.tgz -C $R .
