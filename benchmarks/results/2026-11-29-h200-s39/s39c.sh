#!/usr/bin/env bash
# s39c: verify --quick on the V97/V98 build; the llm fused add with peers. Carry .gpu and .whl. Predictions in NOTES.
set -uo pipefail
R=/tmp/s39c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s39c.tgz -C $R .; }
step 10-verify 380 $B verify --quick
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl > $R/02-pip.txt 2>&1 && export PYTHONPATH=/tmp/site
step 20-llm-add 200 $B run --suite llm --variant add --output $R/llm-add
tar czf $OUT/s39c.tgz -C $R .
