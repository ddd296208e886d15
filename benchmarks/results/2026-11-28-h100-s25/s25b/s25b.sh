#!/usr/bin/env bash
# Session 25, call 2 (V67b: batched weight loads under YPOLICY; the fraction for y up to 128 MB; long rows; the
# fused add): ours only, event-timed after the flush, two alternations. Plain forward: RMSNORM_FWD_KEEP_Y=0 (never)
# against =1 with YFRAC 1.0 / 0.5 / 0.25 / 0.125 / 0.0625. Fused add: none against YPOLICY=2,XPOLICY=1 at
# YFRAC 1.0 and 0.5.
set -uo pipefail
R=/tmp/s25b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|geometric mean' $R/$name.txt | tail -1 | cut -c1-160)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 200000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s25b.tgz -C $R .
}
cp .gpu/s25b.sh $R/
{ date -u; nvidia-smi; nvidia-smi -q | grep -iE "product name|driver|cuda|clocks" | head -20; } > $R/01-env.txt 2>&1
S=4096x512:fp32,2048x1024:fp32,1024x2048:fp32,8192x512:fp32,4096x1536:bf16,4096x768:bf16,2048x2048:bf16
S=$S,49152x128:fp32,65536x128:fp32,98304x128:fp32,131072x128:fp32,262144x128:bf16,262144x128:fp32
S=$S,1024x4096:bf16,2048x4096:bf16,4096x4096:bf16,4096x4096:fp32,4096x7168:bf16,16384x4096:bf16,16384x128:fp32,32768x128:fp32
e() { local name=$1 keep=$2 defs=${3:-}; step $name timeout 90 env RMSNORM_FWD_KEEP_Y=$keep ${defs:+RMSNORM_KERNEL_DEFINES=$defs} $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$name; }
A=4096x128:fp32,16384x128:fp32,8192x256:bf16,16384x256:bf16,4096x512:bf16,8192x512:bf16,32768x128:fp32,4096x1024:bf16,2048x1024:fp32
a() { local name=$1 defs=${2:-}; step $name timeout 90 env ${defs:+RMSNORM_KERNEL_DEFINES=$defs} $B run --shapes $A --variant add --no-peers --no-repeat --output /tmp/o-$name; }
for r in 1 2; do
  e 1$r-off 0
  e 2$r-f100 1
  e 3$r-f50 1 YFRAC=0.5
  e 4$r-f25 1 YFRAC=0.25
  e 5$r-f125 1 YFRAC=0.125
  e 6$r-f0625 1 YFRAC=0.0625
  a 7$r-add
  a 8$r-addkeep YPOLICY=2,XPOLICY=1
  a 9$r-addkeep50 YPOLICY=2,XPOLICY=1,YFRAC=0.5
done
