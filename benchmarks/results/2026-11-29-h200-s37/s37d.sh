#!/usr/bin/env bash
# s37d (carry .gpu and .whl): the final build. Session 36's lead 1 (few-row timings of our process on a fresh machine):
# the `llm` fused add with peers first thing, then V94's row limit for fp16 (1-16 rows x 16,384, two alternations
# against RMSNORM_ADD_WEIGHT_HELD=0), verify of the fp16 fused-add cases, the `llm` forward with peers, and the fused
# add again. Predictions in NOTES.
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
R=/tmp/s37d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(grep -h 'geometric mean' $R/$name.txt | head -2 | tr '\n' ' ')" | tee -a $R/steps.txt; tar czf $OUT/s37d.tgz -C $R .; }
step 10-llm-add-first 200 $B run --suite llm --variant add --output $R/llm-add-first
H=1x16384:fp16,2x16384:fp16,4x16384:fp16,8x16384:fp16,16x16384:fp16
for r in 1 2; do
  step 2$r-held-off 40 env RMSNORM_ADD_WEIGHT_HELD=0 $B run --variant add --shapes $H --no-peers --no-repeat --output $R/held-off-$r
  step 2$r-held 40 $B run --variant add --shapes $H --no-peers --no-repeat --output $R/held-$r
done
step 30-verify-add-fp16 60 $B verify --quick --variants-only --match "add fp16"
step 40-llm 200 $B run --suite llm --output $R/llm
step 50-llm-add-again 200 $B run --suite llm --variant add --output $R/llm-add-again
tar czf $OUT/s37d.tgz -C $R .
