#!/usr/bin/env bash
# Session 21, call 4: streaming cache hints (CACHE_HINTS=1: x loaded ld.global.cs, y stored st.global.cs) against
# the default, ours only, alternated twice, over short rows at and beyond L2 and the llm-type shapes of 32-128 MB;
# the launcher's own plan given back explicitly (verify cases, and `run --autotune` at 4096 x 769 fp32, which threw).
set -uo pipefail
R=/tmp/s21d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed' $R/$name.txt | tail -1 | cut -c1-80)" | tee -a $R/steps.txt
    tar czf $OUT/s21d.tgz -C $R .
}
cp .gpu/s21d.sh $R/
step 02-verify-launcher-plan timeout 60 $B verify --match "launcher"
step 03-autotune-odd timeout 90 $B run --shapes 4096x769:fp32,199x1000:fp16,4096x4096:bf16 --no-peers --autotune --output /tmp/o-03-autotune-odd
S=16384x128:fp32,32768x128:fp32,49152x128:fp32,65536x128:fp32,98304x128:fp32,131072x128:fp32,262144x128:fp32,65535x96:fp32,4096x2048:bf16,4096x4096:bf16,6144x4096:bf16,8192x4096:bf16,4096x4096:fp32,2048x8192:bf16,3000x7168:bf16,16384x4096:bf16
for r in 1 2; do
  step 1$r-base timeout 80 $B run --shapes $S --no-peers --output /tmp/o-1$r-base
  step 2$r-hints timeout 80 env RMSNORM_KERNEL_DEFINES=CACHE_HINTS=1 $B run --shapes $S --no-peers --output /tmp/o-2$r-hints
done
