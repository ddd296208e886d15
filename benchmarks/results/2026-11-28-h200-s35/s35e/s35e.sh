#!/usr/bin/env bash
# Session 35, call e (H200): the final build (V90b + the ceiling line). The awkward and seed suites with peers (Liger from
# the carried wheel), then verify --quick.
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
R=/tmp/s35e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s35e.sh $R/
{ date -u; nvidia-smi; python3 -c "import torch, triton, liger_kernel; print(torch.__version__, triton.__version__)"; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(grep -h 'geometric mean\|passed,' $R/$name.txt | head -2 | tr '\n' ' ')" | tee -a $R/steps.txt; tar czf $OUT/s35e.tgz -C $R .; }
step 10-awkward 120 $B run --suite awkward --output $R/awkward
step 11-seed 100 $B run --suite seed --output $R/seed
step 20-verify-quick 420 $B verify --quick
gzip -9 $R/20-verify-quick.txt
tar czf $OUT/s35e.tgz -C $R .
