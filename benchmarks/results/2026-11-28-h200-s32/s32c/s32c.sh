#!/usr/bin/env bash
# Session 32, call 3 (H200), the same build as call 2 (cold: its kernel cache would pass the 64 MiB the call carries): the 1-256-row LLaMA shapes that
# s32b timed slow, base binary (49d8896) against this one, two alternations; then fp8, add + fp8 and the fused add over
# llm with peers (the refined V83 and V81 builds' first suites).
set -uo pipefail
R=/tmp/s32c; mkdir -p $R
T0=$(date +%s)
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
gunzip -c .gpu/base-49d8896.gz > .gpu/base; chmod +x .gpu/base
B=.gpu/rmsnorm-bench
step() {
    local name=$1 budget=$2; shift 2
    if [ $(( $(date +%s) - T0 + budget )) -gt 570 ]; then echo "$name: skipped (time)" | tee -a $R/steps.txt; return; fi
    local start=$(date +%s)
    timeout $budget "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed' $R/$name.txt | tail -1 | cut -c1-140)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s32c.tgz -C $R .
}
cp .gpu/s32c.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=16x8192:bf16,16x4096:fp32,16x4096:bf16,256x4096:bf16,256x4096:fp16,16x5120:bf16
ab() {  # ab RUN NAME BINARY VARIANT SHAPES [env...]
    local r=$1 n=$2 b=$3 v=$4 s=$5; shift 5
    step $r-$n 40 env "$@" $b run --variant $v --shapes $s --no-peers --no-repeat --output /tmp/o-$r-$n
}
for r in 1 2; do
    ab $r llama-base .gpu/base llama $S
    ab $r llama-v84 $B llama $S
done
for v in fp8 add-fp8 add; do step 10-$v 140 $B run --variant $v --suite llm --output /tmp/o-10-$v; done
tar czf $OUT/s32c.tgz -C $R .
