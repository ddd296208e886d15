#!/usr/bin/env bash
# s37c (carry .gpu): the build with V94a (relaxed cluster read arrive) and V94 (fp16's fused add holds its weight at few
# rows, bounded at the row's threads). verify --quick first, then two A/Bs, two alternations each (predictions in NOTES).
set -uo pipefail
R=/tmp/s37c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s37c.tgz -C $R .; }
step 02-verify 360 $B verify --quick
H=1x16384:fp16,1x12288:fp16,16x16384:fp16,8x8192:fp16,1x16384:bf16,16x16384:bf16
for r in 1 2; do
  step 1$r-held-off 45 env RMSNORM_ADD_WEIGHT_HELD=0 $B run --variant add --shapes $H --no-peers --no-repeat --output $R/held-off-$r
  step 1$r-held 45 $B run --variant add --shapes $H --no-peers --no-repeat --output $R/held-$r
done
C=4096x24576:bf16,264x32768:bf16,1024x32768:fp32,4096x16384:bf16
for r in 1 2; do
  for v in forward add; do
    step 2$r-$v-release 45 env RMSNORM_KERNEL_DEFINES=CLUSTER_READ_RELAXED=0 $B run --variant $v --shapes $C --no-peers --no-repeat --output $R/$v-release-$r
    step 2$r-$v-relaxed 45 $B run --variant $v --shapes $C --no-peers --no-repeat --output $R/$v-relaxed-$r
  done
done
tar czf $OUT/s37c.tgz -C $R .
