#!/usr/bin/env bash
# Session 20, call 1 (HEAD ce0cebf build): the full verify --quick (lead 0: graph and chain checks, with the new
# graph-captured backward); ncu of the backward's kernels inside bench runs (lead 1); torch.compile's generated
# kernel for the fp32 fused add at 256 x 4096 and neighbours (lead 2).
set -uo pipefail
R=/tmp/s20a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
[ -x .gpu/rmsnorm-bench ] || gunzip -k .gpu/rmsnorm-bench.gz
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|ERROR SUMMARY' $R/$name.txt | tail -1 | cut -c1-160)" | tee -a $R/steps.txt
    tar czf $OUT/s20a.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s20a.sh .gpu/inductor-add.py $R/
step 10-verify-quick timeout 400 stdbuf -oL $B verify --quick
TORCH_LOGS=output_code step 20-inductor-add timeout 60 python3 .gpu/inductor-add.py 256x4096 256x8192 1x16384
RMSNORM_BENCH=$B step 30-ncu-backward timeout 120 bash scripts/ncu-backward.sh $R/ncu 4096x2048:bf16 4096x4096:bf16 16384x4096:bf16
