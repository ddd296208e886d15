#!/usr/bin/env bash
# Prepared in session 41 for session 42's first call (not run): verify session 41's two backward switches on a GPU
# (V104 RMSNORM_BWD_TWO_ROWS=1, V105 RMSNORM_BWD_ROW_MODULES=1), with verify's new cases of the 32-element kernel, and
# the same cases without them; the staged backward with its threads a row fixed (lead 1); then the new add-backward
# bench variant with its peers for the first time. Carry .gpu and
# .whl. If both verifies pass, make the switches the default (KernelSpecialization.backwardTwoRowsEnabled /
# backwardRowModulesEnabled, and their tests' expectations).
set -uo pipefail
R=/tmp/s42a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s42a.tgz -C $R .; }
step 10-verify-bwd-switches 240 env RMSNORM_BWD_TWO_ROWS=1 RMSNORM_BWD_ROW_MODULES=1 $B verify --quick --variants-only --match backward
step 11-verify-bwd-default 240 $B verify --quick --variants-only --match backward
# Lead 1 of session 41: the staged backward's threads a row as a compile-time constant (BWD_TPR, ab per T).
step 30-ab-tpr1024 90 $B ab --variant backward --shapes 4096x16384:bf16,16384x16384:bf16,65536x16384:bf16 --defines BWD_TPR=1024 --output $R/ab-tpr1024
step 31-ab-tpr448 60 $B ab --variant backward --shapes 4096x7168:bf16 --defines BWD_TPR=448 --output $R/ab-tpr448
step 32-ab-tpr512 60 $B ab --variant backward --shapes 4096x8192:bf16 --defines BWD_TPR=512 --output $R/ab-tpr512
step 33-ab-tpr256 60 $B ab --variant backward --shapes 4096x4096:bf16,4096x4096:fp16 --defines BWD_TPR=256 --output $R/ab-tpr256
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl > $R/02-pip.txt 2>&1 && export PYTHONPATH=/tmp/site
step 20-llm-add-backward 240 $B run --suite llm --variant add-backward --output $R/llm-add-backward
tar czf $OUT/s42a.tgz -C $R .
