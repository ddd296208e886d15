#!/usr/bin/env bash
# Session 35, call d (H200): V90b — cluster plans with >= 128 bytes of slice a thread run the _b2 kernels (last pass two
# vectors at a time). verify of every forced plan and the wide-row cases; ours-only A/B against RMSNORM_LAST_PASS_PAIRS=0,
# forward and fused add; compute-sanitizer memcheck on two _b2 plans.
set -uo pipefail
R=/tmp/s35d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s35d.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s35d.tgz -C $R .; }
step 10-verify-plans 150 $B verify --match "plan "
step 11-verify-264 100 $B verify --match 264x
step 12-verify-64x196608 60 $B verify --match 64x196608
S=4096x24576:bf16,1024x32768:fp32,4096x32768:bf16,2048x65536:bf16,1024x49152:bf16,264x65536:bf16,512x65536:fp32,64x262144:fp32,4096x16384:bf16
A=2048x65536:bf16,1024x32768:fp32,264x65536:bf16,4096x24576:bf16
for r in 1 2; do
  step 3$r-ab-off 60 env RMSNORM_LAST_PASS_PAIRS=0 $B run --shapes $S --no-peers --no-repeat --output $R/ab-off-$r
  step 3$r-ab-on 60 $B run --shapes $S --no-peers --no-repeat --output $R/ab-on-$r
  step 4$r-add-off 60 env RMSNORM_LAST_PASS_PAIRS=0 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/add-off-$r
  step 4$r-add-on 60 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/add-on-$r
done
step 50-memcheck 200 compute-sanitizer --tool memcheck $B verify --match "264x32768"
tar czf $OUT/s35d.tgz -C $R .
