#!/usr/bin/env bash
# Session 16, call 5 (V47): one row's backward from a one-row module (block size fixed at compile time) and
# without the loop's test of M ahead of the loads. Verify backward on the new build; A/B alternated twice:
# the build before (s16b's kernels; full module), the new build with the full module (RMSNORM_ROW_MODULES=0: the loop fix only), the
# new build's default (one-row module), and its lean forms (BWD_LEAN_ONE=10); then one process against
# torch.compile's kernel and the probes.
set -uo pipefail
R=/tmp/s16e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16e.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s16e.sh $R/
gunzip -c .gpu/old.gz > /tmp/rb-old && chmod +x /tmp/rb-old
step 02-verify-backward $B verify --variants-only --match backward
P=1x2048:bf16,1x4096:bf16,1x5120:bf16,1x7168:bf16,1x8192:bf16,1x16384:bf16,1x4096:fp16,1x4096:fp32,1x1000:bf16,1x8192:fp32
for r in 1 2; do
  RMSNORM_ROW_MODULES=0 step 10-old-$r /tmp/rb-old run --backward --no-peers --shapes $P --output /tmp/o-10-old-$r
  RMSNORM_ROW_MODULES=0 step 11-full-$r $B run --backward --no-peers --shapes $P --output /tmp/o-11-full-$r
  step 12-row-$r $B run --backward --no-peers --shapes $P --output /tmp/o-12-row-$r
  RMSNORM_KERNEL_DEFINES=BWD_LEAN_ONE=10 step 13-lean-$r $B run --backward --no-peers --shapes $P --output /tmp/o-13-lean-$r
done
ROW_TPR=512 DT=bf16 ROUNDS=8 VARIANTS=ours:npt1,ours:npt2,probe:tpr512:npt1:red1:wr0,probe:tpr512:npt2:red1:wr0,torch_compile,copy step 20-harness python3 benchmarks/scripts/bwd_harness.py 4096 8192
