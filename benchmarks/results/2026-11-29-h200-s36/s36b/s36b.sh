#!/usr/bin/env bash
# s36b: did RMSNORM_SMEM_CARVEOUT take effect (s36a's ncu at 86 showed a 233 KB shared-memory configuration)?
# ncu of the 24 KB cluster kernel at 4096 x 24,576 bf16, unset / 72, with the L2 throughput broken down and L1 hits.
set -uo pipefail
R=/tmp/s36b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s36b.tgz -C $R .; }
MET="--metrics breakdown:lts__throughput.avg.pct_of_peak_sustained_elapsed,breakdown:l1tex__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sectors_srcunit_tex_op_read.sum,lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum,l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum,l1tex__t_sectors_pipe_lsu_mem_global_op_ld_lookup_hit.sum"
SEC="--section SpeedOfLight --section LaunchStats --section Occupancy"
for c in unset 72 50; do
  if [ $c = unset ]; then E=""; else E="RMSNORM_SMEM_CARVEOUT=$c"; fi
  step 10-ncu-$c 120 env $E ncu --kernel-name regex:rmsnorm_fwd_smem_c2 --launch-skip 2 --launch-count 1 $SEC $MET $B run --shapes 4096x24576:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o-$c
done
tar czf $OUT/s36b.tgz -C $R .
