#!/usr/bin/env bash
# Prepared at the end of session 38 for the next GPU session's first call (carry .gpu). Before it: land V96 here
# (LaunchPlan.heldWeightMaxRows = 64 and fusedAddHeldWeightRule's 16 -> 64 expectations), then rebuild
# .gpu/rmsnorm-bench.gz with scripts/build-gpu-binary.sh. ~7 min. Predictions in NOTES ("Leads left at the end of
# session 38" and "s39a - prediction").
# 1. V96: verify of the fused add's 16-bit cases (the new 61 x 14,336 fp16 and 64 x 16,384 bf16 among them), and ab
#    against WREG_ALL=1 at 32-64 rows (both arms hold now: ~0%).
# 2. The fused add at 4096 rows (2-3% behind torch.compile in every run): ab with one operand set, kernel defines that
#    change its loads and stores: REFETCH=1 (read twice), XPOLICY=1 / 0 (x and the residual evict_first / normal),
#    HLATE=1 (h stored after the reduction).
# 3. verify --quick on the V96 build (last).
set -uo pipefail
R=/tmp/s39a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s39a.tgz -C $R .; }
step 10-verify-add-fp16 60 $B verify --quick --variants-only --match "add fp16"
step 11-verify-add-bf16 60 $B verify --quick --variants-only --match "add bf16"
step 20-ab-rule-bf16 40 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --shapes 32x16384:bf16,64x16384:bf16 --defines WREG_ALL=1 --output $R/ab-rule-bf16
step 21-ab-rule-fp16 40 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --shapes 64x16384:fp16,32x12288:fp16 --defines WREG_ALL=1,REG_BOUND=512 --output $R/ab-rule-fp16
S=4096x4096:bf16,4096x4096:fp16,4096x5120:bf16,4096x7168:bf16
for d in REFETCH=1 XPOLICY=1 XPOLICY=0 HLATE=1; do
  step 3-ab-${d/=/-} 60 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --shapes $S --defines $d --output $R/ab-${d/=/-}
done
step 50-verify 330 $B verify --quick
tar czf $OUT/s39a.tgz -C $R .
