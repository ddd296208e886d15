#!/usr/bin/env bash
# Session 16, call 6 (V47, second form): one row's backward with its weight loaded beside x and dy and a branch
# after the loads (no arithmetic ahead of a load), from the one-row module. Verify backward on this build; A/B
# alternated twice: s16b's kernels (full module), this build with the full module (RMSNORM_ROW_MODULES=0), this
# build's default (one-row module); then one process against torch.compile's kernel and the probes.
set -uo pipefail
R=/tmp/s16f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16f.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s16f.sh $R/
gunzip -c .gpu/old.gz > /tmp/rb-old && chmod +x /tmp/rb-old
step 02-verify-backward $B verify --variants-only --match backward
P=1x2048:bf16,1x4096:bf16,1x5120:bf16,1x7168:bf16,1x8192:bf16,1x16384:bf16,1x4096:fp16,1x4096:fp32,1x1000:bf16,1x8192:fp32
for r in 1 2; do
  RMSNORM_ROW_MODULES=0 step 10-old-$r /tmp/rb-old run --backward --no-peers --shapes $P --output /tmp/o-10-old-$r
  RMSNORM_ROW_MODULES=0 step 11-full-$r $B run --backward --no-peers --shapes $P --output /tmp/o-11-full-$r
  step 12-row-$r $B run --backward --no-peers --shapes $P --output /tmp/o-12-row-$r
done
ROW_TPR=512 DT=bf16 ROUNDS=8 VARIANTS=ours:npt1,ours:npt2,probe:tpr512:npt1:red1:wr0,probe:tpr512:npt2:red1:wr0,torch_compile,copy step 20-harness python3 benchmarks/scripts/bwd_harness.py 4096 8192
