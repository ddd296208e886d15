#!/usr/bin/env bash
# Session 16, call 11: every method's times are bimodal (s16j: a fast mode and one ~0.6 us slower, the copy too;
# torch.compile's call lands in the fast one ~45% of the time, ours ~10%). Does the host's pace decide it? Ours
# launched after a host wait of 20, 60 and 150 us (ours_wait), beside ours, torch.compile's call and the copy.
set -uo pipefail
R=/tmp/s16k; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16k.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s16k.sh $R/
step 02-fill $B run --backward --no-peers --shapes 1x4096:bf16 --output /tmp/o-02
for w in 20 60 150; do
  WAIT_US=$w FLUSH=none SPREAD=1 ROW_TPR=512 DT=bf16 ROUNDS=10 PER=40 VARIANTS=ours:npt1,ours_wait:npt1,torch_compile,copy step 10-wait$w-none python3 benchmarks/scripts/bwd_harness.py 4096
done
WAIT_US=60 SPREAD=1 ROW_TPR=512 DT=bf16 ROUNDS=10 PER=40 VARIANTS=ours:npt1,ours_wait:npt1,torch_compile,copy step 11-wait60-write python3 benchmarks/scripts/bwd_harness.py 4096
