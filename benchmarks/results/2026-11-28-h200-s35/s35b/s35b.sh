#!/usr/bin/env bash
# Session 35, call b (H200): V90 (the block-per-row kernels' last pass batched, PASS2_U). verify of every forced plan
# and the wide-row cases; tune --verbose at 4 wide-row shapes with PASS2_U 1 and 4; ours-only A/B (U = 1 / 4 / 2).
set -uo pipefail
R=/tmp/s35b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s35b.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s35b.tgz -C $R .; }
step 10-verify-plans 150 $B verify --match "plan "
step 11-verify-264 100 $B verify --match 264x
S=4096x24576:bf16,1024x32768:fp32,4096x32768:bf16,2048x65536:bf16,1024x49152:bf16,264x65536:bf16,512x65536:fp32,64x262144:fp32,4096x16384:bf16
for r in 1 2; do
  step 3$r-ab-u1 60 env RMSNORM_KERNEL_DEFINES=PASS2_U=1 $B run --shapes $S --no-peers --no-repeat --output $R/ab-u1-$r
  step 3$r-ab-u4 60 $B run --shapes $S --no-peers --no-repeat --output $R/ab-u4-$r
  step 3$r-ab-u2 60 env RMSNORM_KERNEL_DEFINES=PASS2_U=2 $B run --shapes $S --no-peers --no-repeat --output $R/ab-u2-$r
done
T=4096x24576:bf16,1024x32768:fp32,2048x65536:bf16,512x65536:fp32
step 20-tune-u4 170 $B tune --verbose --reps 20 --shapes $T --output $R/tune-u4
step 21-tune-u1 170 env RMSNORM_KERNEL_DEFINES=PASS2_U=1 $B tune --verbose --reps 20 --shapes $T --output $R/tune-u1
tar czf $OUT/s35b.tgz -C $R .
