#!/usr/bin/env bash
# Session 22, call 5 (the s22d build): the `seed` and `awkward` suites with peers, ours timed twice (the spread rule). Kernels as s21f's.

set -uo pipefail
R=/tmp/s22e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean' $R/$name.txt | tail -1 | cut -c1-200)" | tee -a $R/steps.txt
    tar czf $OUT/s22e.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s22e.sh $R/
step 02-seed timeout 200 $B run --suite seed --output /tmp/o-02-seed
step 03-awkward timeout 240 $B run --suite awkward --output /tmp/o-03-awkward
# Each SM's active cycles (in SM order) for the staged backward at 16,384 x 16,384 bf16: which SMs run it slowly.
step 10-sm-instances timeout 90 ncu --clock-control none --cache-control none --kernel-name regex:rmsnorm_bwd_async \
    --launch-skip 10 --launch-count 1 --metrics sm__cycles_active.sum,smsp__cycles_active.sum --print-metric-instances values \
    $B run --variant backward --shapes 16384x16384:bf16 --no-peers --no-repeat --reps 20 --output /tmp/o-10
step 11-sm-instances-regs timeout 90 env RMSNORM_BWD_STAGES=0 ncu --clock-control none --cache-control none --kernel-name regex:rmsnorm_bwd_reg \
    --launch-skip 10 --launch-count 1 --metrics sm__cycles_active.sum --print-metric-instances values \
    $B run --variant backward --shapes 16384x16384:bf16 --no-peers --no-repeat --reps 20 --output /tmp/o-11
