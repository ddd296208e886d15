#!/usr/bin/env bash
# s41d: the V104 build (two rows in flight in the 16-bit 32-element backward kernel by default): verify of the backward;
# 32 elements a thread at 5120 columns (RMSNORM_BWD_ELEMENTS=32, now with two rows in flight) against the default
# 16-element _r128 plan, one process each; ncu of the backward's two kernels at 16,384 x 4096; the llm backward with peers. Carry .gpu and .whl. Predictions in NOTES.
set -uo pipefail
R=/tmp/s41d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s41d.tgz -C $R .; }
step 10-verify-bwd 200 $B verify --quick --variants-only --match backward
S=65536x5120:bf16,16384x5120:bf16,65536x4096:bf16,65536x7168:bf16
step 20-default 60 $B run --variant backward --no-peers --no-repeat --shapes $S --output $R/default
step 21-e32 60 env RMSNORM_BWD_ELEMENTS=32 $B run --variant backward --no-peers --no-repeat --shapes $S --output $R/e32
step 22-default-again 60 $B run --variant backward --no-peers --no-repeat --shapes $S --output $R/default-again
MET=--metrics=gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,launch__grid_size,launch__block_size,launch__registers_per_thread
step 25-ncu-bwd 90 ncu --kernel-name regex:"rmsnorm_bwd_reg|rmsnorm_dw_reduce" --launch-skip 20 --launch-count 4 $MET $B run --variant backward --no-peers --no-repeat --reps 3 --shapes 16384x4096:bf16 --output /tmp/o25
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl > $R/02-pip.txt 2>&1 && export PYTHONPATH=/tmp/site
step 30-llm-backward 240 $B run --suite llm --backward --output $R/llm-backward
tar czf $OUT/s41d.tgz -C $R .
