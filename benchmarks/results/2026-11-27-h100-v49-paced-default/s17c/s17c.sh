#!/usr/bin/env bash
# Session 17, call 3 (V49): in the bench, ours at 256 rows is 0.3-0.8 us slower than the same kernel timed by the
# Python harness beside the peers (s17b). Does rmsnorm-bench's own flush kernel (rmsnorm_flush, a new value per
# repetition) or hold kernel (rmsnorm_spin) make the difference? The harnesses with FLUSH=write (PyTorch's fill_,
# the peers' flush), ours, ours_const, and SPIN=ours, paced, in alternation.
set -uo pipefail
R=/tmp/s17c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s17c.tgz -C $R .
}
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s17c.sh $R/
export RMSNORM_BENCH_PACE=1
S=256x2048:bf16,256x4096:bf16
step 10-add-paced timeout 80 $B run --variant add --shapes $S --no-peers --output /tmp/o-10-add-paced
step 11-fwd-paced timeout 60 $B run --shapes $S --no-peers --output /tmp/o-11-fwd-paced
export ROUNDS=10 PER=20 SKIP=copy_two,torch_compile:graph,triton_add
for round in 1 2; do
  for mode in write ours ours_const spin; do
    if [ $mode = spin ]; then F=write; SP=ours; else F=$mode; SP=torch; fi
    FLUSH=$F SPIN=$SP N=4096 VARIANTS=ours:npt2 step 2$round-add-$mode timeout 60 python3 benchmarks/scripts/add_harness.py 256
    FLUSH=$F SPIN=$SP ROW_TPR=128 N=2048 VARIANTS=ours:npt2 step 3$round-fwd-$mode timeout 40 python3 benchmarks/scripts/same_harness.py 256
  done
done
