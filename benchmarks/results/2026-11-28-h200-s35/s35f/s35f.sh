#!/usr/bin/env bash
# Session 35, call f (H200): the final build, the llm suite with peers (forward, then the fused add): each line now with
# the geometric mean at our copy's speed.
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
R=/tmp/s35f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s35f.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(grep -h 'geometric mean' $R/$name.txt | head -2 | tr '\n' ' ')" | tee -a $R/steps.txt; tar czf $OUT/s35f.tgz -C $R .; }
step 10-llm 200 $B run --suite llm --output $R/llm
step 20-llm-add 220 $B run --suite llm --variant add --output $R/llm-add
tar czf $OUT/s35f.tgz -C $R .
