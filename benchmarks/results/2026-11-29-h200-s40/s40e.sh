#!/usr/bin/env bash
# s40e: the final build (V100 at 120 rows an SM; HADD_PACKED off by default): the packed add's lead at 4 x 512 read twice
# in two processes; verify --quick; the llm fused add with peers. Carry .gpu and .whl. Predictions in NOTES ("s40e").
set -uo pipefail
R=/tmp/s40e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s40e.tgz -C $R .; }
S=4096x16384:bf16,16384x16384:bf16,4096x14336:bf16,4096x16384:fp16
step 10-ab-1 60 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --shapes $S --defines HADD_PACKED=1 --output $R/ab-1
step 11-ab-2 60 env RMSNORM_BENCH_PLACEMENTS=1 $B ab --variant add --shapes $S --defines HADD_PACKED=1 --output $R/ab-2
step 20-verify 380 $B verify --quick
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl > $R/02-pip.txt 2>&1 && export PYTHONPATH=/tmp/site
step 30-llm-add 200 $B run --suite llm --variant add --output $R/llm-add
tar czf $OUT/s40e.tgz -C $R .
