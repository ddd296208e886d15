#!/usr/bin/env bash
# s38b: verify of V95 (fp16's fused add held at <= 16 rows); the flush-buffer placement experiment
# (RMSNORM_BENCH_NEW_FLUSH=1) by ab's A/A and four processes; the llm fused add with peers. Carry .gpu and .whl.
set -uo pipefail
R=/tmp/s38b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s38b.tgz -C $R .; }
step 10-verify-add-fp16 90 $B verify --quick --variants-only --match "add fp16"
Q=1x4096:bf16,16x4096:bf16,16x8192:bf16,256x2048:bf16,16x4096:fp32
step 20-ab-noop 90 $B ab --variant add --shapes $Q --defines AB_NOOP=1 --output $R/ab-noop
step 21-ab-noop-newflush 90 env RMSNORM_BENCH_NEW_FLUSH=1 $B ab --variant add --shapes $Q --defines AB_NOOP=1 --output $R/ab-noop-newflush
for p in 1 2 3 4; do
  step 3$p-process-newflush 45 env RMSNORM_BENCH_NEW_FLUSH=1 $B run --variant add --shapes $Q --no-peers --no-repeat --output $R/process-newflush-$p
done
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl > $R/02-pip.txt 2>&1 && export PYTHONPATH=/tmp/site
step 40-llm-add 200 $B run --suite llm --variant add --output $R/llm-add
tar czf $OUT/s38b.tgz -C $R .
