#!/usr/bin/env bash
# Session 15, call 1: V43 (32-element fused backward blocks of <= 512 threads for long 16-bit rows,
# RMSNORM_BWD_FUSED_WIDE=1) against the default, alternated; verified and raced; ncu of M = 1 backward
# (ours and torch.compile's).
set -uo pipefail
R=/tmp/s15a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s15a.tgz -C $R .
}
{ date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } > $R/01-env.txt 2>&1
cp .gpu/s15a.sh .gpu/tc1.py $R/
F=7x16384:bf16,16x12288:bf16,16x16384:bf16,64x16384:bf16,128x12288:bf16,128x16384:bf16,199x10000:bf16,256x12288:bf16,256x16384:bf16,256x16384:fp16,384x16384:bf16,512x12288:bf16
for r in 1 2 3; do
  step 10-off-$r $B run --backward --no-peers --shapes $F --output /tmp/o-10-off-$r
  RMSNORM_BWD_FUSED_WIDE=1 step 11-wide-$r $B run --backward --no-peers --shapes $F --output /tmp/o-11-wide-$r
done
RMSNORM_BWD_FUSED_WIDE=1 step 02-verify-backward-wide $B verify --variants-only --match backward
RMSNORM_BWD_FUSED_WIDE=1 step 03-racecheck-wide timeout 150 compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match x1 --max-elements 3200000
step 04-ncu-ours-1x4096 ncu --set full -k regex:rmsnorm_bwd_one --launch-skip 4 --launch-count 1 $B run --backward --no-peers --shapes 1x4096:bf16 --output /tmp/o-ncu
step 05-ncu-tc-1x4096 ncu --set full --profile-from-start off python3 .gpu/tc1.py 4096 bf16
