#!/usr/bin/env bash
# Session 17, call 2 (V49): the paced check with the hold timed after a first launch (ours' hold read 3.8 ms to 4 s
# in s17a, the module's load); then the fused add and the forward at 256 rows in one process (add_harness.py,
# same_harness.py), paced, against torch.compile, Liger, a minimal Triton add and Triton's forward kernel.
set -uo pipefail
R=/tmp/s17b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep '^Paced' $R/$name.txt | cut -c1-300)" | tee -a $R/steps.txt
    tar czf $OUT/s17b.tgz -C $R .
}
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s17b.sh $R/
export RMSNORM_BENCH_PACE=1
S=256x2048:bf16,256x4096:bf16,256x8192:bf16,256x4096:fp32,16x4096:bf16
step 10-add-paced timeout 80 $B run --variant add --shapes $S --output /tmp/o-10-add-paced
step 11-fwd-paced timeout 60 $B run --shapes $S --output /tmp/o-11-fwd-paced
export ROUNDS=10 PER=20
N=4096 VARIANTS=ours:npt1,ours:npt2,ours:npt4,triton_add step 20-addh-4096 timeout 120 python3 benchmarks/scripts/add_harness.py 256 16
N=2048 VARIANTS=ours:npt1,ours:npt2,triton_add step 21-addh-2048 timeout 90 python3 benchmarks/scripts/add_harness.py 256
ROW_TPR=256 N=4096 VARIANTS=ours:npt2 step 22-same-4096 timeout 90 python3 benchmarks/scripts/same_harness.py 256 16
ROW_TPR=128 N=2048 VARIANTS=ours:npt2 step 23-same-2048 timeout 60 python3 benchmarks/scripts/same_harness.py 256
