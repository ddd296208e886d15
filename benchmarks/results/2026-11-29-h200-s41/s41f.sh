#!/usr/bin/env bash
# s41f: the final build (V104 + V105, the backward row modules): the backward's row-module shapes against the same
# build with RMSNORM_ROW_MODULES=0 (one process each; the forward's row modules go too there, so only backward shapes);
# verify --quick in full; the llm backward with peers. Carry .gpu and .whl. Predictions in NOTES ("s41f").
set -uo pipefail
R=/tmp/s41f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s41f.tgz -C $R .; }
S=65536x7168:bf16,16384x7168:bf16,65536x5120:bf16,16384x5120:fp16,65536x8192:bf16,16384x8192:bf16
step 10-rows 40 $B run --variant backward --no-peers --no-repeat --shapes $S --output $R/rows
step 11-no-row-modules 40 env RMSNORM_ROW_MODULES=0 $B run --variant backward --no-peers --no-repeat --shapes $S --output $R/no-row-modules
step 20-verify 330 $B verify --quick
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl > $R/02-pip.txt 2>&1 && export PYTHONPATH=/tmp/site
step 30-llm-backward 180 $B run --suite llm --backward --output $R/llm-backward
tar czf $OUT/s41f.tgz -C $R .
