#!/usr/bin/env bash
# Session 32, call 1 (H200): V84 (the LLaMA mode rounds x·rstd in pairs): verify the casting modes and fp8 output
# (variants only, quick), A/B of the LLaMA mode (base binary 49d8896 / this build / CAST_PAIRS=0, two alternations);
# lead 2: the forward, Gemma and LLaMA at 16,384 bf16 columns read twice (REFETCH=1) against their plans. The kernel
# cache goes back as cache.tgz. Steps are skipped when they would pass the call's 560 s.
set -uo pipefail
R=/tmp/s32a; mkdir -p $R
T0=$(date +%s)
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
gunzip -c .gpu/base-49d8896.gz > .gpu/base; chmod +x .gpu/base
B=.gpu/rmsnorm-bench
step() {
    local name=$1 budget=$2; shift 2
    if [ $(( $(date +%s) - T0 + budget )) -gt 560 ]; then echo "$name: skipped (time)" | tee -a $R/steps.txt; return; fi
    local start=$(date +%s)
    timeout $budget "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed' $R/$name.txt | tail -1 | cut -c1-140)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s32a.tgz -C $R .
}
cp .gpu/s32a.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 02-verify-llama 120 stdbuf -oL $B verify --quick --variants-only --match llama
step 03-verify-none 100 stdbuf -oL $B verify --quick --variants-only --match none
step 04-verify-fp8 120 stdbuf -oL $B verify --quick --variants-only --match fp8
L=65536x5120:bf16,16384x5120:bf16,65536x7168:bf16,65536x4096:bf16,4096x8192:bf16,65536x4096:fp16,65536x4096:fp32
W=65536x16384:bf16,16384x16384:bf16,4096x16384:bf16
ab() {  # ab RUN NAME BINARY VARIANT SHAPES [env...]
    local r=$1 n=$2 b=$3 v=$4 s=$5; shift 5
    step $r-$n 40 env "$@" $b run --variant $v --shapes $s --no-peers --no-repeat --output /tmp/o-$r-$n
}
for r in 1 2; do
    ab $r llama-base .gpu/base llama $L
    ab $r llama-v84 $B llama $L
    ab $r llama-nopair $B llama $L RMSNORM_KERNEL_DEFINES=CAST_PAIRS=0
    for v in forward gemma llama; do
        ab $r $v-16k $B $v $W
        ab $r $v-16k-rf $B $v $W RMSNORM_KERNEL_DEFINES=REFETCH=1
    done
done
tar czf $OUT/cache.tgz -C /tmp rmsnorm-cache; ls -la $OUT
tar czf $OUT/s32a.tgz -C $R .
