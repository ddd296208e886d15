#!/usr/bin/env bash
# Session 16, call 4: one row's backward, ours against minimal probes (bwd_probes.cu: tpr and N's vectors fixed at
# compile time; the block's warp sums added in sequence or by shuffles; the weight kept or re-read) and
# torch.compile's kernel, in one process (bwd_harness.py), after the bench's flush and with no flush.
set -uo pipefail
R=/tmp/s16d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16d.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s16d.sh benchmarks/scripts/bwd_probes.cu $R/
step 02-fill $B run --backward --no-peers --shapes 1x2048:bf16,1x4096:bf16,1x8192:bf16 --output /tmp/o-02
V=ours:npt1,ours:npt2,probe:tpr512:npt1:red0:wr1,probe:tpr512:npt1:red1:wr0,probe:tpr512:npt1:red0:wr0,probe:tpr256:npt2:red0:wr1,probe:tpr256:npt2:red1:wr0,probe:tpr512:npt2:red0:wr1,probe:tpr512:npt2:red1:wr0,probe:tpr1024:npt1:red1:wr0,probe:tpr128:npt2:red1:wr0,torch_compile,copy
for f in write none; do
  FLUSH=$f DT=bf16 ROUNDS=8 VARIANTS=$V step 10-bwd-$f python3 benchmarks/scripts/bwd_harness.py 2048 4096 8192
done
