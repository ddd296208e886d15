#!/usr/bin/env bash
# Prepared at the end of session 39 for the next GPU session (carry .gpu; build first with scripts/build-gpu-binary.sh).
# NOTES lead 1 of session 39: torch.compile's 4096-row fused add is read twice with 512 threads a row at 26 registers
# (s39g). Ours under the same shape: the read-twice row module (REFETCH=1) at 512 threads a row, bounded at 4 blocks an
# SM (ROW_MINB=4 with ROW_MINB_TPR=512: 32 registers; ptxas, NVRTC 13.5: bf16 2 x 512 no spill, 1 x 512 8 bytes, fp16
# 2 x 512 16 bytes), against the same plan read once (ab's arm A) and, across processes, against today's default plans
# (the A/A processes). RMSNORM_VARIANT_ELEMENTS picks the layout: 8 -> 1 x 512 at 4096 columns, 16 -> 2 x 512 at
# 5120-8192. ~3 min. Predictions in NOTES ("s40a - prediction").
set -uo pipefail
R=/tmp/s40a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache RMSNORM_BENCH_PLACEMENTS=1
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s40a.tgz -C $R .; }
S=4096x4096:bf16,4096x4096:fp16,4096x5120:bf16,4096x7168:bf16,4096x8192:bf16,16384x5120:bf16
RF=REFETCH=1,ROW_MINB=4,ROW_MINB_TPR=512,PACKED32=0
for round in 1 2; do
  step ${round}0-default 60 $B ab --variant add --shapes $S --defines S40_UNUSED=1 --output $R/default-$round
  step ${round}1-e16-rf4 60 env RMSNORM_VARIANT_ELEMENTS=16 $B ab --variant add --shapes $S --defines $RF --output $R/e16-rf4-$round
  step ${round}2-e8-rf4 60 env RMSNORM_VARIANT_ELEMENTS=8 $B ab --variant add --shapes $S --defines $RF --output $R/e8-rf4-$round
  step ${round}3-e16-rf 60 env RMSNORM_VARIANT_ELEMENTS=16 $B ab --variant add --shapes $S --defines REFETCH=1 --output $R/e16-rf-$round
done
tar czf $OUT/s40a.tgz -C $R .
