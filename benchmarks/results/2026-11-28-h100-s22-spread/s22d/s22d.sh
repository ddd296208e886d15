#!/usr/bin/env bash
# Session 22, call 4 (HEAD + the repeat timing of ours, whose spread decides ties): the forward and the backward over
# `llm` with peers. The kernels and plans are 9a85b3f's (s21f's).
set -uo pipefail
R=/tmp/s22d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean' $R/$name.txt | tail -1 | cut -c1-200)" | tee -a $R/steps.txt
    tar czf $OUT/s22d.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s22d.sh $R/
step 02-llm timeout 240 $B run --suite llm --output /tmp/o-02-llm
step 03-llm-backward timeout 280 $B run --suite llm --backward --output /tmp/o-03-llm-backward
