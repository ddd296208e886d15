#!/usr/bin/env bash
# s40c: V100 (full 2 x 128 fused-add rows in pairs from 64 rows an SM): verify of the fused add's cases; the rule across
# processes (against RMSNORM_VARIANT_ELEMENTS=32, the old 4 x 64); two bounds on 2 x 128 / 2 x 256; the llm fused add
# with peers. Carry .gpu and .whl. Predictions in NOTES ("s40c").
set -uo pipefail
R=/tmp/s40c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s40c.tgz -C $R .; }
step 10-verify-add 200 $B verify --quick --variants-only --match add
export RMSNORM_BENCH_PLACEMENTS=1
S=65536x2048:bf16,65536x2048:fp16,16384x2048:bf16,8448x2048:bf16,4096x2048:bf16
for round in 1 2; do
  step ${round}0-default 60 $B ab --variant add --shapes $S --defines S40_UNUSED=1 --output $R/default-$round
  step ${round}1-e32 60 env RMSNORM_VARIANT_ELEMENTS=32 $B ab --variant add --shapes $S --defines S40_UNUSED=1 --output $R/e32-$round
done
step 30-minb10 60 $B ab --variant add --shapes 65536x2048:bf16,65536x2048:fp16,16384x2048:bf16 --defines ROW_MINB=10,ROW_MINB_TPR=128 --output $R/minb10
step 31-e16-minb5 60 env RMSNORM_VARIANT_ELEMENTS=16 $B ab --variant add --shapes 4096x4096:bf16,4096x4096:fp16 --defines ROW_MINB=5 --output $R/e16-minb5
unset RMSNORM_BENCH_PLACEMENTS
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl > $R/02-pip.txt 2>&1 && export PYTHONPATH=/tmp/site
step 40-llm-add 200 $B run --suite llm --variant add --output $R/llm-add
tar czf $OUT/s40c.tgz -C $R .
