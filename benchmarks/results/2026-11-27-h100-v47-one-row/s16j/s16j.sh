#!/usr/bin/env bash
# Session 16, call 10: one row's backward in one process, each method's deciles (SPREAD=1), and a probe that logs
# the SM its block ran on (smid1), its times grouped by SM.
set -uo pipefail
R=/tmp/s16j; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16j.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s16j.sh benchmarks/scripts/bwd_probes.cu $R/
step 02-fill $B run --backward --no-peers --shapes 1x4096:bf16 --output /tmp/o-02
SPREAD=1 ROW_TPR=512 DT=bf16 ROUNDS=10 PER=40 VARIANTS=ours:npt1,probe:tpr512:npt1:red1,probe:tpr512:npt1:red1:smid1,torch_compile,copy step 10-4096-write python3 benchmarks/scripts/bwd_harness.py 4096
FLUSH=none SPREAD=1 ROW_TPR=512 DT=bf16 ROUNDS=10 PER=40 VARIANTS=ours:npt1,probe:tpr512:npt1:red1,probe:tpr512:npt1:red1:smid1,torch_compile,copy step 11-4096-none python3 benchmarks/scripts/bwd_harness.py 4096
