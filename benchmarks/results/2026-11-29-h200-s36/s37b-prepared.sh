#!/usr/bin/env bash
# Prepared at the end of session 36, part 2 of 2 (after s37a-prepared.sh; carry .gpu).
# Lead 3: fp16's fused add at few rows with its weight held without spilling (REG_BOUND=512: 76 registers at 4 x 512,
# none spilled; at the default bound it spills 20 bytes and still gained -3.0% at 1 x 16,384 in s36f). Prediction:
# 1 x 16,384 and 16 x 16,384 fp16 -5 to -8% against the default; the bf16 controls (held already) +-1%.
# Lead 2 (two defines, ptxas 32 registers either way): SLICE_PAIRS=1, the cluster kernels' first pass with two loads
# in flight in its tail (24 KB slices of 256 threads: 4 + 2 vectors, two round trips instead of 4 + 1 + 1, three);
# CLUSTER_READ_RELAXED=1, the arrive after reading the peers' slots without release (one MEMBAR.ALL.GPU a row fewer).
# Prediction: SLICE_PAIRS -2 to -5% at 24 KB slices (4096 x 24,576 bf16, 1024 x 49,152 bf16), +-1% at 32 KB slices
# (4 + 4 already) and the register control; CLUSTER_READ_RELAXED +-1% (the thread has nothing outstanding at that
# arrive). verify of every cluster case under each first.
# Lead 4 (found in the SASS after the runs): ptxas issues the held weight's loads of several loop-free register kernels
# only after x (and the residual) have arrived — the fused add's 2-vector kernels from 64 threads a row (bf16, fp16),
# fp32's 2-vector kernels at 512 threads (forward and fused add), every 1,024-thread layout — so at few rows the
# weight's DRAM round trip follows x's. WPF_HELD=16: at M <= 16 those kernels prefetch the weight into L2 first
# (CCTL.E.PF2 ahead of the first LDG); the default SASS is unchanged. Also the bf16 forward's packed 4-vector kernels
# (1 and 16 x 16,384 bf16: -3 to -6%). Prediction: the fused add at 1 and 16 rows of
# 2048-8192 bf16, 4096 fp16 and fp32 -4 to -8% (0.2-0.4 us), the fp32 forward at 1 and 16 x 4096 -3 to -6%; 256 rows
# (no prefetch) and 4-vector bf16 shapes (weight loaded before x already) +-1%. A third arm, WPF_HELD=4096, prefetches at
# 256 and 4096 rows too, where every block of the first wave also waits for the weight after x (its first requests
# meet in L2): there -1 to -4% at 2-vector shapes (256 x 2048 / 4096, 4096 x 4096 bf16), nothing at 4-vector ones.
set -uo pipefail
R=/tmp/s37b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(grep -h 'geometric mean' $R/$name.txt | head -2 | tr '\n' ' ')" | tee -a $R/steps.txt; tar czf $OUT/s37b.tgz -C $R .; }
A=1x16384:fp16,16x16384:fp16,1x12288:fp16,1x16384:bf16,16x16384:bf16
for r in 1 2; do
  step 2$r-fp16-default 60 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/fp16-default-$r
  step 2$r-fp16-held 60 env RMSNORM_KERNEL_DEFINES=WREG_ALL=1,REG_BOUND=512 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/fp16-held-$r
done
step 30-verify-pairs 150 env RMSNORM_KERNEL_DEFINES=SLICE_PAIRS=1 $B verify --match cluster
step 31-verify-relaxed 150 env RMSNORM_KERNEL_DEFINES=CLUSTER_READ_RELAXED=1 $B verify --match cluster
C=4096x24576:bf16,1024x49152:bf16,4096x32768:bf16,1024x32768:fp32,512x65536:fp32,264x65536:bf16,4096x16384:bf16
for r in 1 2; do
  step 4$r-default 60 $B run --shapes $C --no-peers --no-repeat --output $R/c-default-$r
  step 4$r-pairs 60 env RMSNORM_KERNEL_DEFINES=SLICE_PAIRS=1 $B run --shapes $C --no-peers --no-repeat --output $R/c-pairs-$r
  step 4$r-relaxed 60 env RMSNORM_KERNEL_DEFINES=CLUSTER_READ_RELAXED=1 $B run --shapes $C --no-peers --no-repeat --output $R/c-relaxed-$r
done
P=1x2048:bf16,16x2048:bf16,1x4096:bf16,16x4096:bf16,1x8192:bf16,16x8192:bf16,16x4096:fp16,1x4096:fp32,16x4096:fp32,256x4096:bf16,1x16384:bf16,256x2048:bf16,4096x4096:bf16
F=1x4096:fp32,16x4096:fp32,1x8192:fp32,1x16384:fp32,16x4096:bf16,1x16384:bf16,16x16384:bf16,256x4096:fp32,4096x4096:fp32
step 50-verify-wpf 200 env RMSNORM_KERNEL_DEFINES=WPF_HELD=16 $B verify --quick --max-elements 200000
for r in 1 2; do
  step 5$r-add-default 60 $B run --variant add --shapes $P --no-peers --no-repeat --output $R/wpf-add-default-$r
  step 5$r-add-wpf 60 env RMSNORM_KERNEL_DEFINES=WPF_HELD=16 $B run --variant add --shapes $P --no-peers --no-repeat --output $R/wpf-add-$r
  step 6$r-fwd-default 60 $B run --shapes $F --no-peers --no-repeat --output $R/wpf-fwd-default-$r
  step 6$r-fwd-wpf 60 env RMSNORM_KERNEL_DEFINES=WPF_HELD=16 $B run --shapes $F --no-peers --no-repeat --output $R/wpf-fwd-$r
  step 7$r-add-wpf4096 60 env RMSNORM_KERNEL_DEFINES=WPF_HELD=4096 $B run --variant add --shapes $P --no-peers --no-repeat --output $R/wpf4096-add-$r
  step 7$r-fwd-wpf4096 60 env RMSNORM_KERNEL_DEFINES=WPF_HELD=4096 $B run --shapes $F --no-peers --no-repeat --output $R/wpf4096-fwd-$r
done
tar czf $OUT/s37b.tgz -C $R .
