#!/usr/bin/env bash
# Session 31, call 3 (H200): verify the new row-rule cases (V81 fused add 4 x 512 read twice from 30 rows an SM;
# V82 LLaMA casting mode and V83 fp8 output on the forward's row rules), A/B of V82/V83 against
# RMSNORM_VARIANT_ROW_RULES=0 and of V81 against REFETCH=0 (ours only, two alternations), then the LLaMA and add-fp8
# suites over llm with peers. Steps are skipped when they would pass the call's 590 s.
set -uo pipefail
R=/tmp/s31c; mkdir -p $R
T0=$(date +%s)
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1 budget=$2; shift 2
    if [ $(( $(date +%s) - T0 + budget )) -gt 590 ]; then echo "$name: skipped (time)" | tee -a $R/steps.txt; return; fi
    local start=$(date +%s)
    timeout $budget "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed' $R/$name.txt | tail -1 | cut -c1-140)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s31c.tgz -C $R .
}
cp .gpu/s31c.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 02-verify-8448 90 stdbuf -oL $B verify --match 8448x
step 03-verify-4224 60 stdbuf -oL $B verify --match 4224x
L=65536x5120:bf16,16384x5120:bf16,65536x4608:bf16,65536x7168:bf16,65536x4608:fp16,65536x6144:fp16,65536x4096:fp32
F=65536x5120:bf16,16384x5120:bf16,65536x7168:bf16,65536x4608:fp16,65536x4096:fp32
A=65536x4096:bf16,16384x4096:bf16,65536x7168:bf16,16384x8192:bf16,65536x4096:fp16,65536x5120:bf16,65536x4096:fp32
W=65536x14336:bf16,16384x15360:bf16,4096x16384:fp16
ab() {  # ab RUN VARIANT NAME SHAPES [env...]
    local r=$1 v=$2 n=$3 s=$4; shift 4
    step $r-$n 40 env "$@" $B run --variant $v --shapes $s --no-peers --no-repeat --output /tmp/o-$r-$n
}
for r in 1 2; do
    ab $r llama llama-off $L RMSNORM_VARIANT_ROW_RULES=0
    ab $r llama llama-on $L RMSNORM_VARIANT_ROW_RULES=1
    ab $r fp8 fp8-off $F RMSNORM_VARIANT_ROW_RULES=0
    ab $r fp8 fp8-on $F RMSNORM_VARIANT_ROW_RULES=1
    ab $r add-fp8 addfp8-off $A RMSNORM_VARIANT_ROW_RULES=0
    ab $r add-fp8 addfp8-on $A RMSNORM_VARIANT_ROW_RULES=1
    ab $r add add-once $W RMSNORM_KERNEL_DEFINES=REFETCH=0
    ab $r add add-v81 $W RMSNORM_VARIANT_ROW_RULES=1
done
for v in llama add-fp8; do step 10-$v 150 $B run --variant $v --suite llm --output /tmp/o-10-$v; done
tar czf $OUT/s31c.tgz -C $R .
