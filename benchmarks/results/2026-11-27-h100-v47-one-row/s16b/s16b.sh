#!/usr/bin/env bash
# Session 16, call 2: torch.compile's one-row backward code; the one-row backward kernel with evict_last loads
# (BWD_ONE_XPOLICY=2) and with its lean forms (BWD_LEAN_ONE=10) against the default, alternated twice
# (BWD_COLS_FIRST now the default: 256 x 16,384 in the set); ncu of ours and torch.compile's at 1 x 8192 bf16.
set -uo pipefail
R=/tmp/s16b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16b.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s16b.sh .gpu/inductor_dump.py $R/
TORCH_LOGS=output_code step 02-inductor-code python3 .gpu/inductor_dump.py
P=1x2048:bf16,1x4096:bf16,1x5120:bf16,1x7168:bf16,1x8192:bf16,1x16384:bf16,1x4096:fp16,1x4096:fp32,256x16384:bf16
for r in 1 2; do
  step 10-base-$r $B run --backward --no-peers --shapes $P --output /tmp/o-10-base-$r
  RMSNORM_KERNEL_DEFINES=BWD_ONE_XPOLICY=2 step 11-pol-$r $B run --backward --no-peers --shapes $P --output /tmp/o-11-pol-$r
  RMSNORM_KERNEL_DEFINES=BWD_LEAN_ONE=10 step 12-lean-$r $B run --backward --no-peers --shapes $P --output /tmp/o-12-lean-$r
done
DT=bf16 ROUNDS=1 PER=3 VARIANTS=ours:npt2,torch_compile step 20-ncu timeout 200 ncu --kernel-name regex:"rmsnorm_bwd_one|triton" --launch-skip 2 --launch-count 6 --section SpeedOfLight --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis --metrics gpu__time_duration.sum python3 benchmarks/scripts/bwd_harness.py 8192
