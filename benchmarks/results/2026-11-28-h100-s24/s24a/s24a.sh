#!/usr/bin/env bash
# Session 24, call 1 (HEAD a18ca3b's build): measure V65 (FWD_LEAN, off by default). Ours only:
# plain graph mode at 1-256 rows, FWD_LEAN=13 against 0 alternated twice, then bits 1, 4, 8, 9 alone; --pdl once each;
# event-timed llm suite 0 against 13; tune --graph at 256 x 4096 / 16 x 4096 / 256 x 2048 (every candidate) with 0 and 13;
# then verify --quick with FWD_LEAN=13.
set -uo pipefail
R=/tmp/s24a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    for f in tune.csv; do [ -f /tmp/o-$name/$f ] && cp /tmp/o-$name/$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|ERROR SUMMARY' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 200000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s24a.tgz -C $R .
}
cp .gpu/s24a.sh $R/
{ date -u; nvidia-smi; nvidia-smi -q | grep -iE "product name|driver|cuda|clocks" | head -20; } > $R/01-env.txt 2>&1
G=$(for n in 2048 4096 5120 7168 8192 16384; do for m in 1 16 256; do printf "%sx%s:bf16," $m $n; done; done)1x4096:fp16,16x4096:fp16,256x4096:fp16,1x4096:fp32,16x4096:fp32,256x4096:fp32
g() { step $1 timeout 120 env RMSNORM_KERNEL_DEFINES=FWD_LEAN=$2 $B run --graph ${3:-} --shapes $G --no-peers --no-repeat --output /tmp/o-$1; }
for r in 1 2; do
  g 1$r-lean0 0
  g 2$r-lean13 13
done
g 31-lean1 1
g 41-lean4 4
g 51-lean8 8
g 61-lean9 9
g 71-pdl-lean0 0 --pdl
g 81-pdl-lean13 13 --pdl
for r in 1 2; do
  step 9${r}a-llm-lean0 timeout 120 env RMSNORM_KERNEL_DEFINES=FWD_LEAN=0 $B run --suite llm --no-peers --no-repeat --output /tmp/o-9${r}a-llm-lean0
  step 9${r}b-llm-lean13 timeout 120 env RMSNORM_KERNEL_DEFINES=FWD_LEAN=13 $B run --suite llm --no-peers --no-repeat --output /tmp/o-9${r}b-llm-lean13
done
T=256x4096:bf16,16x4096:bf16,256x2048:bf16
step a0-tune-lean0 timeout 120 env RMSNORM_KERNEL_DEFINES=FWD_LEAN=0 $B tune --graph --verbose --shapes $T --output /tmp/o-a0-tune-lean0
step a1-tune-lean13 timeout 120 env RMSNORM_KERNEL_DEFINES=FWD_LEAN=13 $B tune --graph --verbose --shapes $T --output /tmp/o-a1-tune-lean13
step b0-verify-lean13 timeout 330 env RMSNORM_KERNEL_DEFINES=FWD_LEAN=13 stdbuf -oL $B verify --quick
