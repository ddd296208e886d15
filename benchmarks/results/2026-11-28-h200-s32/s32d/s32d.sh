#!/usr/bin/env bash
# Session 32, call 4 (H200): at 16-256 rows, is the Gemma offset (the forward's module, offset 1 at run time) slower
# than the forward through the variant path? forward / gemma / llama, ours only, three alternations.
set -uo pipefail
R=/tmp/s32d; mkdir -p $R
T0=$(date +%s)
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s32d.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=16x7168:bf16,16x8192:bf16,16x4096:bf16,256x4096:bf16,256x7168:bf16,16x4096:fp32,1x7168:bf16
for r in 1 2 3; do
    for v in forward gemma llama; do
        [ $(( $(date +%s) - T0 )) -gt 250 ] && break
        s=$(date +%s)
        timeout 40 $B run --variant $v --shapes $S --no-peers --no-repeat --output /tmp/o-$r-$v > $R/$r-$v.txt 2>&1
        echo "$r-$v: rc=$? in $(( $(date +%s) - s )) s" | tee -a $R/steps.txt
        cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv
    done
done
tar czf $OUT/s32d.tgz -C $R .
