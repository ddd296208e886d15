#!/usr/bin/env bash
# s36g: the final build's `llm` fused add with peers (V93's rule narrowed to bf16), with the last device minutes.
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
R=/tmp/s36g; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(grep -h 'geometric mean' $R/$name.txt | head -2 | tr '\n' ' ')" | tee -a $R/steps.txt; tar czf $OUT/s36g.tgz -C $R .; }
step 20-llm-add 220 $B run --suite llm --variant add --output $R/llm-add
tar czf $OUT/s36g.tgz -C $R .
