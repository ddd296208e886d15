#!/usr/bin/env bash
# Session 32, call 2 (H200), the final kernel build (V84 in read-once modules only): verify --quick (cold: the kernel
# source changed since call 1), then, time permitting, the LLaMA A/B against the base binary (49d8896) with the read-twice
# shapes V84 now leaves alone, and the LLaMA suite over llm with peers.
set -uo pipefail
R=/tmp/s32b; mkdir -p $R
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
    tar czf $OUT/s32b.tgz -C $R .
}
cp .gpu/s32b.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 02-verify-quick 480 stdbuf -oL $B verify --quick
L=65536x5120:bf16,65536x7168:bf16,65536x6144:bf16,65536x4608:fp16,65536x6144:fp16
ab() {  # ab RUN NAME BINARY VARIANT SHAPES [env...]
    local r=$1 n=$2 b=$3 v=$4 s=$5; shift 5
    step $r-$n 30 env "$@" $b run --variant $v --shapes $s --no-peers --no-repeat --output /tmp/o-$r-$n
}
for r in 1 2; do
    ab $r llama-base .gpu/base llama $L
    ab $r llama-v84 $B llama $L
done
step 10-llama 140 $B run --variant llama --suite llm --output /tmp/o-10-llama
tar czf $OUT/cache.tgz -C /tmp rmsnorm-cache
tar czf $OUT/s32b.tgz -C $R .
