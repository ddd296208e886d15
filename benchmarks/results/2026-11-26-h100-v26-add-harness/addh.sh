#!/usr/bin/env bash
# V26: the fused add in one harness (benchmarks/scripts/add_harness.py), then ncu of the same kernels.
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
S=1x4096:bf16,16x4096:bf16,256x4096:bf16,4096x4096:bf16
nvidia-smi --query-gpu=name,driver_version --format=csv > $OUT/01-env.txt; date -u >> $OUT/01-env.txt
.gpu/rmsnorm-bench run --variant add --shapes $S --methods ours,torch_compile --reps 100 --output /tmp/b1 > $OUT/02-bench-add.txt 2>&1
for c in 8; do RMSNORM_VARIANT_ELEMENTS=$c .gpu/rmsnorm-bench run --variant add --shapes $S --no-peers --reps 20 --output /tmp/b2 > /tmp/fill-$c.txt 2>&1; done
N=4096 DT=bf16 python3 benchmarks/scripts/add_harness.py 1 16 256 4096 > $OUT/03-add-harness.txt 2>&1
N=4096 DT=bf16 python3 benchmarks/scripts/add_harness.py 1 16 256 4096 > $OUT/04-add-harness-again.txt 2>&1
ROUNDS=1 PER=3 N=4096 DT=bf16 timeout 300 ncu --clock-control none --kernel-name regex:'rmsnorm_fwd|triton' \
  --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,launch__registers_per_thread,launch__block_size,launch__grid_size,sm__warps_active.avg.pct_of_peak_sustained_active \
  python3 benchmarks/scripts/add_harness.py 256 > $OUT/05-ncu-256.txt 2>&1
