#!/usr/bin/env bash
# Prepared at the end of session 37 for the next GPU session's first call (carry .gpu; rebuild .gpu/rmsnorm-bench.gz from
# HEAD first with scripts/build-gpu-binary.sh). ~9 min. Predictions in NOTES ("Prepared for session 38").
# 1. The new `ab` command (in-process A/B, arms alternated A B B A) checked with an A/A: a define no kernel reads.
# 2. WSMEM_HELD=16 (the held weight staged by cp.async at M <= 16) by `ab`, fused add and forward.
# 3. fp16's fused add held at 16 rows (V94 stops at 8) by `ab`: WREG_ALL=1,REG_BOUND=512 on every module as arm B.
# 4. The per-process few-row state (s32d, s37d): the same few-row shapes timed in four processes in a row, ours only.
# 5. verify --quick under WSMEM_HELD=16 (last: only needed if step 2 wins).
set -uo pipefail
R=/tmp/s38a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s38a.tgz -C $R .; }
Q=1x4096:bf16,16x4096:bf16,16x8192:bf16,256x2048:bf16,16x4096:fp32
step 10-ab-noop 90 $B ab --variant add --shapes $Q --defines AB_NOOP=1 --output $R/ab-noop
P=1x2048:bf16,16x2048:bf16,1x4096:bf16,16x4096:bf16,1x8192:bf16,16x8192:bf16,1x4096:fp16,16x4096:fp32,1x16384:fp16,1x16384:bf16,256x4096:bf16
F=1x4096:fp32,16x4096:fp32,1x16384:bf16,16x16384:bf16,256x4096:fp32
step 20-ab-wsmem-add 120 $B ab --variant add --shapes $P --defines WSMEM_HELD=16 --output $R/ab-wsmem-add
step 21-ab-wsmem-fwd 90 $B ab --shapes $F --defines WSMEM_HELD=16 --output $R/ab-wsmem-fwd
H=16x16384:fp16,16x12288:fp16,8x16384:fp16,16x16384:bf16
step 30-ab-fp16-held 90 $B ab --variant add --shapes $H --defines WREG_ALL=1,REG_BOUND=512 --output $R/ab-fp16-held
for p in 1 2 3 4; do
  step 4$p-process 45 $B run --variant add --shapes $Q --no-peers --no-repeat --output $R/process-$p
done
step 50-verify-wsmem 330 env RMSNORM_KERNEL_DEFINES=WSMEM_HELD=16 $B verify --quick
tar czf $OUT/s38a.tgz -C $R .
