#!/usr/bin/env bash
# Session 16, call 3: is the event-timed gap at one row's backward (ours 0.5-1 us behind torch.compile's in one
# process, equal under ncu) tied to the dirty L2 the flush leaves? Harnesses with FLUSH=write|clean|none,
# backward 1 x 4096 / 8192 bf16 and the forward at 16 x 4096 bf16 (ours against Triton's kernel).
set -uo pipefail
R=/tmp/s16c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16c.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s16c.sh $R/
step 02-fill $B run --backward --no-peers --shapes 1x4096:bf16,1x8192:bf16 --output /tmp/o-02
step 03-fill-fwd $B run --no-peers --shapes 16x4096:bf16,1x4096:bf16 --output /tmp/o-03
for f in write clean none; do
  FLUSH=$f DT=bf16 ROUNDS=8 VARIANTS=ours:npt1,ours:npt2,torch_compile,copy step 10-bwd-$f python3 benchmarks/scripts/bwd_harness.py 4096 8192
  FLUSH=$f N=4096 DT=bf16 ROUNDS=8 ROW_TPR=256 VARIANTS=ours:npt2,triton step 11-fwd-$f python3 benchmarks/scripts/same_harness.py 1 16
done
