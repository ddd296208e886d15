#!/usr/bin/env bash
# s39d: elements a thread of the fused add across processes (RMSNORM_VARIANT_ELEMENTS), A/A inside. Carry .gpu.
set -uo pipefail
R=/tmp/s39d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache RMSNORM_BENCH_PLACEMENTS=1
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s39d.tgz -C $R .; }
S=4096x2048:bf16,16384x2048:bf16,65536x2048:bf16,4096x5120:bf16,4096x8192:bf16,65536x4096:bf16
i=10
for e in dflt 16 32 8 dflt 16 32 8; do
  if [ $e = dflt ]; then env=""; else env="RMSNORM_VARIANT_ELEMENTS=$e"; fi
  step $i-elements-$e 60 env $env $B ab --variant add --shapes $S --defines S39_UNUSED=1 --rounds 1 --output $R/el-$i-$e; i=$((i+1))
done
tar czf $OUT/s39d.tgz -C $R .
