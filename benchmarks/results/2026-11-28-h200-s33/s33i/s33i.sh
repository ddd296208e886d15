#!/usr/bin/env bash
# Session 33, call 9 (H200): V87 (ours' operands carved from one allocation, the default now): the llm forward suite
# with peers; then each variant at two small shapes, ours only (the arena on the variants' path).
set -uo pipefail
R=/tmp/s33i; mkdir -p $R
T0=$(date +%s)
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1 budget=$2; shift 2
    if [ $(( $(date +%s) - T0 + budget )) -gt 400 ]; then echo "$name: skipped (time)" | tee -a $R/steps.txt; return; fi
    local start=$(date +%s)
    timeout $budget "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed' $R/$name.txt | tail -1 | cut -c1-160)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s33i.tgz -C $R .
}
cp .gpu/s33i.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 02-verify-sliced 60 stdbuf -oL $B verify --match "sliced buffers"
step 42-llm 220 $B run --suite llm --output /tmp/o-42-llm
for v in add fp8 add-fp8 backward gemma; do
    step 50-$v 40 $B run --variant $v --shapes 16x4096:bf16,256x4096:fp32 --no-peers --no-repeat --output /tmp/o-50-$v
done
tar czf $OUT/s33i.tgz -C $R .
