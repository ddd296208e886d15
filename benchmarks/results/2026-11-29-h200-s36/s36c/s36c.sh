#!/usr/bin/env bash
# s36c: can L1 hold the cluster kernels' weight across rows if x does not pass through it? XL1=1 (the first pass's
# x loads L1::no_allocate), WL1=1 (the last pass's weight loads L1::evict_last), with and without a carveout of 72
# (7 blocks an SM of the 24 KB slices, L1 ~60 KB). Ours only, two alternations; then ncu of the best guess.
set -uo pipefail
R=/tmp/s36c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s36c.tgz -C $R .; }
S=4096x24576:bf16,4096x32768:bf16,1024x32768:fp32,2048x65536:bf16,512x65536:fp32,264x65536:bf16,4096x16384:bf16
for r in 1 2; do
  step 1$r-base 60 $B run --shapes $S --no-peers --no-repeat --output $R/base-$r
  step 1$r-x 60 env RMSNORM_KERNEL_DEFINES=XL1=1 $B run --shapes $S --no-peers --no-repeat --output $R/x-$r
  step 1$r-xw 60 env RMSNORM_KERNEL_DEFINES=XL1=1,WL1=1 $B run --shapes $S --no-peers --no-repeat --output $R/xw-$r
  step 1$r-c72 60 env RMSNORM_SMEM_CARVEOUT=72 $B run --shapes $S --no-peers --no-repeat --output $R/c72-$r
  step 1$r-xw-c72 60 env RMSNORM_SMEM_CARVEOUT=72 RMSNORM_KERNEL_DEFINES=XL1=1,WL1=1 $B run --shapes $S --no-peers --no-repeat --output $R/xw-c72-$r
  step 1$r-x-c72 60 env RMSNORM_SMEM_CARVEOUT=72 RMSNORM_KERNEL_DEFINES=XL1=1 $B run --shapes $S --no-peers --no-repeat --output $R/x-c72-$r
done
MET="--metrics breakdown:lts__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum,lts__t_sectors_srcunit_tex_op_read.sum,lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum,l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum,l1tex__t_sectors_pipe_lsu_mem_global_op_ld_lookup_hit.sum"
SEC="--section SpeedOfLight --section LaunchStats --section Occupancy"
step 20-ncu-xw 120 env RMSNORM_KERNEL_DEFINES=XL1=1,WL1=1 ncu --kernel-name regex:rmsnorm_fwd_smem_c2 --launch-skip 2 --launch-count 1 $SEC $MET $B run --shapes 4096x24576:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o20
step 21-ncu-xw-c72 120 env RMSNORM_SMEM_CARVEOUT=72 RMSNORM_KERNEL_DEFINES=XL1=1,WL1=1 ncu --kernel-name regex:rmsnorm_fwd_smem_c2 --launch-skip 2 --launch-count 1 $SEC $MET $B run --shapes 4096x24576:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o21
tar czf $OUT/s36c.tgz -C $R .
