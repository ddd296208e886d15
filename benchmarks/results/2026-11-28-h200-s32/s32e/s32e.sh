#!/usr/bin/env bash
# Session 32, call 5 (H200), the final source (s32b's kernels but for an unused variable's declaration, SASS
# identical; the bench's plan column now the variant's own): verify the 8448- and 4224-row cases, then the plan column
# of the LLaMA, fp8, add + fp8 and fused add at shapes whose plans differ from the plain forward's (ours only).
set -uo pipefail
R=/tmp/s32e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s32e.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
timeout 70 stdbuf -oL $B verify --match 8448x > $R/02-verify-8448.txt 2>&1; echo "verify 8448: rc=$? $(tail -1 $R/02-verify-8448.txt)" | tee -a $R/steps.txt
tar czf $OUT/s32e.tgz -C $R .
S=65536x5120:bf16,65536x7168:bf16,65536x4096:bf16,65536x4096:fp32,4096x16384:bf16
for v in llama fp8 add-fp8 add; do
    timeout 30 $B run --variant $v --shapes $S --no-peers --no-repeat --reps 20 --output /tmp/o-$v > $R/10-$v.txt 2>&1
    echo "$v: rc=$?" | tee -a $R/steps.txt
done
tar czf $OUT/s32e.tgz -C $R .
