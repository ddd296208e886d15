#!/usr/bin/env bash
# s36d: V92, the weight-staged persistent cluster kernels (`rmsnorm_fwd_smem_cK_ws`, RMSNORM_CLUSTER_WS=F turns the
# launcher's cluster plans into them, with clusters F times as large). verify of every case with a cluster plan under
# both forms, memcheck, then an ours-only A/B (two alternations), the fused add, and ncu of the staged kernel.
set -uo pipefail
R=/tmp/s36d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s36d.tgz -C $R .; }
step 02-verify-ws1 150 env RMSNORM_CLUSTER_WS=1 $B verify --match cluster
step 03-verify-ws2 150 env RMSNORM_CLUSTER_WS=2 $B verify --match cluster
step 04-memcheck-ws2 150 env RMSNORM_CLUSTER_WS=2 compute-sanitizer --tool memcheck $B verify --match cluster --max-elements 300000
S=4096x24576:bf16,4096x32768:bf16,1024x32768:fp32,2048x65536:bf16,512x65536:fp32,264x65536:bf16,4096x16384:bf16
A=4096x24576:bf16,2048x65536:bf16,1024x32768:fp32,264x65536:bf16
for r in 1 2; do
  step 1$r-base 60 $B run --shapes $S --no-peers --no-repeat --output $R/base-$r
  step 1$r-ws1 60 env RMSNORM_CLUSTER_WS=1 $B run --shapes $S --no-peers --no-repeat --output $R/ws1-$r
  step 1$r-ws2 60 env RMSNORM_CLUSTER_WS=2 $B run --shapes $S --no-peers --no-repeat --output $R/ws2-$r
done
for r in 1 2; do
  step 2$r-add-base 60 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/add-base-$r
  step 2$r-add-ws1 60 env RMSNORM_CLUSTER_WS=1 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/add-ws1-$r
  step 2$r-add-ws2 60 env RMSNORM_CLUSTER_WS=2 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/add-ws2-$r
done
MET="--metrics breakdown:lts__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum,lts__t_sectors_srcunit_tex_op_read.sum,lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum,l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum,l1tex__t_sectors_pipe_lsu_mem_global_op_ld_lookup_hit.sum"
SEC="--section SpeedOfLight --section LaunchStats --section Occupancy"
step 30-ncu-ws1 120 env RMSNORM_CLUSTER_WS=1 ncu --kernel-name regex:rmsnorm_fwd_smem_c._ws --launch-skip 2 --launch-count 1 $SEC $MET $B run --shapes 4096x24576:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o30
step 31-ncu-ws2 120 env RMSNORM_CLUSTER_WS=2 ncu --kernel-name regex:rmsnorm_fwd_smem_c._ws --launch-skip 2 --launch-count 1 $SEC $MET $B run --shapes 4096x24576:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o31
tar czf $OUT/s36d.tgz -C $R .
