#!/usr/bin/env bash
# Session 39, second call (carry .gpu). Predictions in NOTES ("s39b - prediction").
# 1. ab, one operand set: y's and h's L2 priority (YPOLICY, the new HPOLICY) on the fused add at 4096 and 16,384 rows.
# 2. Vectors a thread at those shapes across processes (RMSNORM_VARIANT_ELEMENTS), A/A inside each process.
# 3. fp16's held weight at 80-132 rows (lead 4).
set -uo pipefail
R=/tmp/s39b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s39b.tgz -C $R .; }
export RMSNORM_BENCH_PLACEMENTS=1
S=4096x4096:bf16,4096x4096:fp16,4096x5120:bf16,4096x7168:bf16,16384x5120:bf16
i=10
for d in YPOLICY=2 YPOLICY=2,YFRAC=0.5 YPOLICY=1 HPOLICY=2 HPOLICY=1 HPOLICY=2,YPOLICY=2; do
  n=$(echo $d | tr ',=.' '--_'); step $i-ab-$n 90 $B ab --variant add --shapes $S --defines $d --output $R/ab-$n; i=$((i+1))
done
for e in dflt 8 32 dflt 8 32; do
  if [ $e = dflt ]; then env=""; else env="RMSNORM_VARIANT_ELEMENTS=$e"; fi
  step $i-elements-$e 90 env $env $B ab --variant add --shapes $S --defines S39_UNUSED=1 --output $R/el-$i-$e; i=$((i+1))
done
step 40-ab-fp16-held 90 $B ab --variant add --shapes 80x16384:fp16,96x16384:fp16,128x16384:fp16,128x12288:fp16,132x14336:fp16 --defines WREG_ALL=1,REG_BOUND=512 --output $R/ab-fp16-held
tar czf $OUT/s39b.tgz -C $R .
