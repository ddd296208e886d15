#!/usr/bin/env bash
# Session 29, call 2 (H200). (1) Two more differences between ours read twice and the Triton probe that matches
# torch.compile (s28e's SASS, after s29a rejected the serial first pass): REFETCH_CHUNKED=1 (second pass one vector a
# thread at a time: x again, weight, store) and REFETCH_L1=1 (the evict_last / evict_first loads carry the L1 priority
# as well), each and together, at the launcher's plans and at 2 x 512 (RMSNORM_MIN_THREADS); 7168 columns and 4096 rows
# read twice with both (rfboth). (2) The 256-row plans: RMSNORM_FEW_ROWS_TPR=128 (4 vectors a thread from 256 threads a
# row, s29a's tune) against the default, three alternations; 1 and 16 rows with 256. (3) tune at 4096 x 7168 / 8192 bf16.
set -uo pipefail
R=/tmp/s29b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s29b.tgz -C $R .
}
cp .gpu/s29b.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=65536x8192:bf16,16384x8192:bf16,65536x8192:fp16,65536x5120:fp16,65536x4096:fp32,65536x7168:bf16,4096x8192:bf16,4096x7168:bf16
run() { local name=$1; shift; step $name timeout 60 env "$@" $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$name; cp /tmp/o-$name/benchmark.csv $R/$name.csv 2>/dev/null; }
M=RMSNORM_MIN_THREADS=1000000000
for r in 1 2; do
  run $r-base X=0
  run $r-l1 RMSNORM_KERNEL_DEFINES=REFETCH_L1=1
  run $r-chunk RMSNORM_KERNEL_DEFINES=REFETCH_CHUNKED=1
  run $r-both RMSNORM_KERNEL_DEFINES=REFETCH_L1=1,REFETCH_CHUNKED=1
  run $r-rfboth RMSNORM_KERNEL_DEFINES=REFETCH=1,REFETCH_L1=1,REFETCH_CHUNKED=1
  run $r-rf512 RMSNORM_KERNEL_DEFINES=REFETCH=1 $M
  run $r-l1512 RMSNORM_KERNEL_DEFINES=REFETCH=1,REFETCH_L1=1 $M
  run $r-ch512 RMSNORM_KERNEL_DEFINES=REFETCH=1,REFETCH_CHUNKED=1 $M
  run $r-both512 RMSNORM_KERNEL_DEFINES=REFETCH=1,REFETCH_L1=1,REFETCH_CHUNKED=1 $M
done
S=256x2048:bf16,256x4096:bf16,256x4096:fp16,256x4096:fp32,256x5120:bf16,256x7168:bf16,256x8192:bf16,256x16384:bf16,200x4096:bf16,199x7168:fp16
for r in 1 2 3; do
  run $r-small-base X=0
  run $r-small-128 RMSNORM_FEW_ROWS_TPR=128
done
S=1x4096:bf16,1x8192:bf16,1x5120:bf16,1x4096:fp32,16x4096:bf16,16x7168:bf16,16x8192:bf16,16x4096:fp32,64x5120:bf16
for r in 1 2 3; do
  run $r-few-base X=0
  run $r-few-256 RMSNORM_FEW_ROWS_TPR=256
done
step 10-tune timeout 120 $B tune --shapes 4096x7168:bf16,4096x8192:bf16 --verbose --reps 50 --output /tmp/o-10
cp /tmp/o-10/tune.csv $R/10-tune.csv 2>/dev/null
tar czf $OUT/s29b.tgz -C $R .
