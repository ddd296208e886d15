#!/usr/bin/env bash
# Session 21, call 5: V62, register rows of one block at the multiple of 32 threads they need
# (RMSNORM_FWD_EXACT_TPR=1) against the next power of two, ours only, alternated twice: the forward and the fused add
# at N = 5120, 7168 and 11,008; verify's cases at those N with the switch on.
set -uo pipefail
R=/tmp/s21e; mkdir -p $R
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
    tar czf $OUT/s21e.tgz -C $R .
}
cp .gpu/s21e.sh $R/
step 02-verify-7168 timeout 60 env RMSNORM_FWD_EXACT_TPR=1 $B verify --quick --match 7168
step 03-verify-11008 timeout 60 env RMSNORM_FWD_EXACT_TPR=1 $B verify --quick --match 11008
S=1x5120:bf16,16x5120:bf16,256x5120:bf16,4096x5120:bf16,16384x5120:bf16,1x7168:bf16,16x7168:bf16,256x7168:bf16,4096x7168:bf16,16384x7168:bf16,3000x7168:bf16,4093x5120:bf16,4096x11008:bf16,7x7168:bf16
A=256x5120:bf16,4096x5120:bf16,256x7168:bf16,4096x7168:bf16,16x5120:bf16
for r in 1 2; do
  step 1$r-pow2 timeout 60 $B run --shapes $S --no-peers --output /tmp/o-1$r-pow2
  step 2$r-exact timeout 60 env RMSNORM_FWD_EXACT_TPR=1 $B run --shapes $S --no-peers --output /tmp/o-2$r-exact
  step 3$r-add-pow2 timeout 60 $B run --variant add --shapes $A --no-peers --output /tmp/o-3$r-add-pow2
  step 4$r-add-exact timeout 60 env RMSNORM_FWD_EXACT_TPR=1 $B run --variant add --shapes $A --no-peers --output /tmp/o-4$r-add-exact
done
