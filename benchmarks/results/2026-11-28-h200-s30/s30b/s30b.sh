#!/usr/bin/env bash
# Session 30, call 2 (H200): V77, the fused add's row modules reading h back from L2 after the reduction
# (REFETCH with RESID), with and without a 5-blocks-an-SM bound; XPOLICY=1 for the add. Ours only, two alternations.
# Then ncu at 4096 x 8192 bf16 forward: the Triton one-pass probe and ours with XPOLICY=0 (DRAM bytes written in-kernel).
set -uo pipefail
R=/tmp/s30b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s30b.tgz -C $R .
}
cp .gpu/s30b.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
# Correctness of the new path first: every fused-add case of verify with REFETCH forced on every row module (and bounded).
step 02-verify-add-rf timeout 150 env RMSNORM_KERNEL_DEFINES=REFETCH=1 $B verify --quick --variants --matching add
step 03-verify-add-rfb timeout 100 env RMSNORM_KERNEL_DEFINES=REFETCH=1,ROW_MINB=5 $B verify --quick --variants --matching "add "
S256=65536x8192:bf16,16384x8192:bf16,65536x7168:bf16,16384x7168:bf16,65536x5120:bf16,4096x8192:bf16,65536x7168:fp16
S128=65536x4096:bf16,16384x4096:bf16,65536x4096:fp16,4096x4096:bf16,65536x2048:bf16
S512=65536x4096:fp32,16384x4096:fp32,65536x16384:bf16,16384x16384:bf16
run() { local name=$1 shapes=$2; shift 2; step $name timeout 60 env "$@" $B run --variant add --shapes $shapes --no-peers --no-repeat --output /tmp/o-$name; cp /tmp/o-$name/benchmark.csv $R/$name.csv 2>/dev/null; }
for r in 1 2; do
  run $r-256-base $S256 X=0
  run $r-256-rf $S256 RMSNORM_KERNEL_DEFINES=REFETCH=1
  run $r-256-rfb $S256 RMSNORM_KERNEL_DEFINES=REFETCH=1,ROW_MINB=5
  run $r-256-b $S256 RMSNORM_KERNEL_DEFINES=ROW_MINB=5
  run $r-256-xp1 $S256 RMSNORM_KERNEL_DEFINES=XPOLICY=1
  run $r-256-rfhk0 $S256 RMSNORM_KERNEL_DEFINES=REFETCH=1,ROW_MINB=5,RF_HKEEP=0
  run $r-128-base $S128 X=0
  run $r-128-rf $S128 RMSNORM_KERNEL_DEFINES=REFETCH=1
  run $r-128-rfb $S128 RMSNORM_KERNEL_DEFINES=REFETCH=1,ROW_MINB=10,ROW_MINB_TPR=128
  run $r-128-b $S128 RMSNORM_KERNEL_DEFINES=ROW_MINB=10,ROW_MINB_TPR=128
  run $r-128-xp1 $S128 RMSNORM_KERNEL_DEFINES=XPOLICY=1
  run $r-512-base $S512 X=0
  run $r-512-rf $S512 RMSNORM_KERNEL_DEFINES=REFETCH=1
  run $r-512-xp1 $S512 RMSNORM_KERNEL_DEFINES=XPOLICY=1
done
M="gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,launch__registers_per_thread"
step 40-ncu-probe timeout 90 env TRITON_CACHE_DIR=/tmp/tc-probe VARIANTS=rN.w8.none.none.one ROUNDS=1 PER=5 ncu --clock-control none --cache-control none --kernel-name regex:"one_pass" --launch-skip 2 --launch-count 3 --metrics $M python3 benchmarks/scripts/loop_probe.py 4096x8192:bf16
step 41-ncu-ours-xp0 timeout 60 env RMSNORM_KERNEL_DEFINES=XPOLICY=0 ncu --clock-control none --cache-control none --kernel-name regex:"rmsnorm_fwd_row_npt4" --launch-skip 2 --launch-count 3 --metrics $M $B run --shapes 4096x8192:bf16 --no-peers --no-repeat --reps 10 --output /tmp/o-41
step 42-ncu-ours timeout 60 ncu --clock-control none --cache-control none --kernel-name regex:"rmsnorm_fwd_row_npt4" --launch-skip 2 --launch-count 3 --metrics $M $B run --shapes 4096x8192:bf16 --no-peers --no-repeat --reps 10 --output /tmp/o-42
tar czf $OUT/s30b.tgz -C $R .
