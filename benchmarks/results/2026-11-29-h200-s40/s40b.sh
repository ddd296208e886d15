#!/usr/bin/env bash
# s40b: Liger's and torch.compile's fused-add launches at 4096 rows (a profiler probe); our 2 x 512 fused add bounded
# at 3 blocks an SM (read once: 40 registers, a 24-byte stack); the 4 x 256 and 4 x 128 fused add under the forward's
# bounds; 65,536 x 2048 at 2 x 128 in a third process pair. Carry .gpu and .whl. Predictions in NOTES ("s40b").
set -uo pipefail
R=/tmp/s40b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache RMSNORM_BENCH_PLACEMENTS=1
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s40b.tgz -C $R .; }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl > $R/02-pip.txt 2>&1 && export PYTHONPATH=/tmp/site
OUT=$R step 05-probe 150 python3 .gpu/s40b_probe.py
S=4096x5120:bf16,16384x5120:bf16,4096x7168:bf16,4096x8192:bf16,4096x5120:fp16
for round in 1 2; do
  step ${round}0-e16-minb3 60 env RMSNORM_VARIANT_ELEMENTS=16 $B ab --variant add --shapes $S --defines ROW_MINB=3,ROW_MINB_TPR=512 --output $R/e16-minb3-$round
  step ${round}1-minb5 60 $B ab --variant add --shapes 4096x5120:bf16,16384x5120:bf16,4096x4608:bf16 --defines ROW_MINB=5,PACKED32=0 --output $R/minb5-$round
  step ${round}2-minb10 60 $B ab --variant add --shapes 4096x4096:bf16,4096x4096:fp16,16384x4096:bf16 --defines ROW_MINB=10,ROW_MINB_TPR=128,PACKED32=0 --output $R/minb10-$round
  step ${round}3-default-2048 60 $B ab --variant add --shapes 65536x2048:bf16,16384x2048:bf16 --defines S40_UNUSED=1 --output $R/d2048-$round
  step ${round}4-e16-2048 60 env RMSNORM_VARIANT_ELEMENTS=16 $B ab --variant add --shapes 65536x2048:bf16,16384x2048:bf16 --defines S40_UNUSED=1 --output $R/e16-2048-$round
done
tar czf $OUT/s40b.tgz -C $R .
