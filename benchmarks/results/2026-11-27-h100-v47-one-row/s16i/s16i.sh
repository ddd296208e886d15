#!/usr/bin/env bash
# Session 16, call 9: one row's backward in one process, probes varied toward torch.compile's kernel: the row's
# length fixed at compile time (nfix1), evict_last first loads (pol1), x, dy and w re-read after the reduction (rl1),
# all three; ours from its one-row module (512 threads) and torch.compile's kernel beside them.
set -uo pipefail
R=/tmp/s16i; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16i.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s16i.sh benchmarks/scripts/bwd_probes.cu $R/
step 02-fill $B run --backward --no-peers --shapes 1x4096:bf16,1x8192:bf16 --output /tmp/o-02
for f in write none; do
  FLUSH=$f ROW_TPR=512 DT=bf16 ROUNDS=8 VARIANTS=ours:npt1,probe:tpr512:npt1:red1,probe:tpr512:npt1:red1:nfix1,probe:tpr512:npt1:red1:pol1,probe:tpr512:npt1:red1:rl1,probe:tpr512:npt1:red1:rl1:pol1:nfix1,torch_compile,copy step 10-4096-$f python3 benchmarks/scripts/bwd_harness.py 4096
  FLUSH=$f ROW_TPR=512 DT=bf16 ROUNDS=8 VARIANTS=ours:npt2,probe:tpr512:npt2:red1,probe:tpr512:npt2:red1:nfix1,probe:tpr512:npt2:red1:pol1,probe:tpr512:npt2:red1:rl1,probe:tpr512:npt2:red1:rl1:pol1:nfix1,torch_compile,copy step 11-8192-$f python3 benchmarks/scripts/bwd_harness.py 8192
done
