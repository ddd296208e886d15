#!/usr/bin/env bash
# s41b: the backward's plan rules (set on an H100) against their alternatives on the H200, one process an arm (ours and
# the same-size copy, no peers): RMSNORM_BWD_ELEMENTS=16 / 8, RMSNORM_BWD_LARGE_STAGED=1, RMSNORM_BWD_STAGE_KB=128;
# then ncu's DRAM and L2 counters of the forward's 4 x 256 row kernel at 4096 x 8192 bf16 with and without FWD_L2PF=528
# (why s41a's prefetch lost). Carry .gpu. Predictions in NOTES ("s41b").
set -uo pipefail
R=/tmp/s41b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s41b.tgz -C $R .; }
BW=65536x7168:bf16,16384x7168:bf16,65536x5120:bf16,16384x5120:bf16,65536x4096:bf16,16384x4096:bf16,65536x8192:bf16,16384x8192:bf16,65536x2048:bf16,16384x2048:bf16,65536x16384:bf16,16384x16384:bf16,4096x16384:bf16,4096x8192:bf16,4096x7168:bf16,4096x5120:bf16,4096x4096:bf16,65536x4096:fp16,65536x4096:fp32
run() { $B run --variant backward --no-peers --no-repeat --shapes $BW --output $R/$1; }
step 10-default 120 run default
step 11-e16 120 env RMSNORM_BWD_ELEMENTS=16 $B run --variant backward --no-peers --no-repeat --shapes $BW --output $R/e16
step 12-e8 120 env RMSNORM_BWD_ELEMENTS=8 $B run --variant backward --no-peers --no-repeat --shapes $BW --output $R/e8
step 13-large-staged 120 env RMSNORM_BWD_LARGE_STAGED=1 $B run --variant backward --no-peers --no-repeat --shapes $BW --output $R/large-staged
step 14-stage128 120 env RMSNORM_BWD_STAGE_KB=128 $B run --variant backward --no-peers --no-repeat --shapes $BW --output $R/stage128
step 15-default-again 120 run default-again
MET=--metrics=dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sectors_srcunit_tex_op_read.sum,lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum,lts__t_sectors_srcunit_tex_op_read_lookup_miss.sum,gpu__time_duration.sum,launch__grid_size
step 20-ncu-off 120 ncu --kernel-name regex:rmsnorm_fwd_row_npt4 --launch-skip 12 --launch-count 2 $MET $B run --shapes 4096x8192:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o20
step 21-ncu-l2pf 120 env RMSNORM_KERNEL_DEFINES=FWD_L2PF=528 ncu --kernel-name regex:rmsnorm_fwd_row_npt4 --launch-skip 12 --launch-count 2 $MET $B run --shapes 4096x8192:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o21
tar czf $OUT/s41b.tgz -C $R .
