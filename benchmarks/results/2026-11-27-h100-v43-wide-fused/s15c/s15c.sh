#!/usr/bin/env bash
# Session 15, call 3 (final build: V43 wide fused from 64 rows, V44 one-row block at 8 elements): verify --quick;
# the llm backward suite with peers.
set -uo pipefail
R=/tmp/s15c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s15c.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s15c.sh $R/
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
python3 -c 'import torch, triton, liger_kernel; print(torch.__version__, triton.__version__)' >> $R/01-env.txt 2>&1
step 40-backward-llm $B run --suite llm --backward --output /tmp/o-40-backward-llm
step 02-verify-quick $B verify --quick
