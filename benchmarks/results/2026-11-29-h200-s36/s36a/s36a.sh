#!/usr/bin/env bash
# Prepared at the end of session 35 for the next GPU session (lead 1 of session 35): does the cluster kernel's weight
# coming from L2 hold it near 75% of the DRAM peak (s35g)? RMSNORM_SMEM_CARVEOUT=P asks the driver for a smaller
# shared-memory share for the staged and cluster kernels (86 ~ 196 KB, 72 ~ 164 KB of the 228 KB), leaving L1 room
# for the weight at the cost of blocks an SM. Ours only, two alternations, then ncu of the cluster kernel at 86.
# Prediction (NOTES, "Prepared for session 36"): 86 -3 to -8% at 4096 x 24,576 / 32,768 bf16 and 1024 x 32,768 fp32
# if the weight's L2 traffic is the limit; +2 to +10% if the lost block an SM matters more; controls +-0.3%.
set -uo pipefail
R=/tmp/s36a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s36a.tgz -C $R .; }
S=4096x24576:bf16,4096x32768:bf16,1024x32768:fp32,2048x65536:bf16,512x65536:fp32,264x65536:bf16,4096x16384:bf16
for r in 1 2; do
  step 1$r-default 60 $B run --shapes $S --no-peers --no-repeat --output $R/default-$r
  step 1$r-c86 60 env RMSNORM_SMEM_CARVEOUT=86 $B run --shapes $S --no-peers --no-repeat --output $R/c86-$r
  step 1$r-c72 60 env RMSNORM_SMEM_CARVEOUT=72 $B run --shapes $S --no-peers --no-repeat --output $R/c72-$r
done
MET="--metrics dram__bytes_read.sum,lts__t_sectors_srcunit_tex_op_read.sum,lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum,l1tex__t_sectors_pipe_lsu_mem_global_op_ld_lookup_hit.sum"
step 20-ncu-c86 120 env RMSNORM_SMEM_CARVEOUT=86 ncu --kernel-name regex:rmsnorm_fwd_smem_c2 --launch-skip 2 --launch-count 1 --section SpeedOfLight --section LaunchStats --section Occupancy $MET $B run --shapes 4096x24576:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o20
tar czf $OUT/s36a.tgz -C $R .
