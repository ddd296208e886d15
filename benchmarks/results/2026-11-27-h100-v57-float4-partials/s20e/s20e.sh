#!/usr/bin/env bash
# Session 20, call 5: V57 form B (float4 partial rows, alignment from the launcher, no check in the kernel) against the ce0cebf build, ours only, alternated three times
# over the backward shapes with partial rows; verify's backward cases and memcheck over them on the V57 build.
set -uo pipefail
R=/tmp/s20e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
for b in rmsnorm-bench rmsnorm-bench-old; do gunzip -kf .gpu/$b.gz; chmod +x .gpu/$b; done
B=.gpu/rmsnorm-bench; O=.gpu/rmsnorm-bench-old
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|ERROR SUMMARY' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    tar czf $OUT/s20e.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s20e.sh $R/
S=4096x2048:bf16,4096x4096:bf16,4096x8192:bf16,4096x16384:bf16,16384x2048:bf16,16384x4096:bf16,16384x16384:bf16,65536x4096:bf16,4096x4096:fp32,1024x16384:bf16
for r in 1 2 3; do
  step 1$r-old timeout 60 $O run --variant backward --shapes $S --no-peers --output /tmp/o-1$r-old
  step 2$r-new timeout 60 $B run --variant backward --shapes $S --no-peers --output /tmp/o-2$r-new
done
