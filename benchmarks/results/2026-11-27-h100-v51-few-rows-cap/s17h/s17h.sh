#!/usr/bin/env bash
# Session 17, call 8 (V51): few-row forward and fused add with fewer threads a row (RMSNORM_FEW_ROWS_TPR 512 =
# default, 256, 128: a few-row plan doubles its vectors a thread above that many threads), ours only, paced,
# alternated twice. Triton's one-program-a-row kernel runs 128 threads (4 warps) a row.
set -uo pipefail
R=/tmp/s17h; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep '^Paced' $R/$name.txt | cut -c1-200)" | tee -a $R/steps.txt
    tar czf $OUT/s17h.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s17h.sh $R/
F=$(for n in 2048 4096 5120 7168 8192 16384; do for m in 16 256; do printf "%sx%s:bf16," $m $n; done; done)16x4096:fp16,256x4096:fp16,16x4096:fp32,256x4096:fp32
for t in 512 256 128; do RMSNORM_FEW_ROWS_TPR=$t step 09-warm-$t $B run --no-peers --shapes $F --output /tmp/o-09; RMSNORM_FEW_ROWS_TPR=$t step 19-warm-$t $B run --variant add --no-peers --shapes $F --output /tmp/o-19; done
for r in 1 2; do
  for t in 512 256 128; do
    RMSNORM_FEW_ROWS_TPR=$t step 1$r-fwd-t$t $B run --no-peers --shapes $F --output /tmp/o-1$r-fwd-t$t
    RMSNORM_FEW_ROWS_TPR=$t step 2$r-add-t$t $B run --variant add --no-peers --shapes $F --output /tmp/o-2$r-add-t$t
  done
done
