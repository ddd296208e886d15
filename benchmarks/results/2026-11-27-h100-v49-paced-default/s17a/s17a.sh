#!/usr/bin/env bash
# Session 17, call 1 (V49): paced repetitions with the ~1 ms hold (RMSNORM_BENCH_PACE=1, 2,000,000 cycles) and the
# new late-enqueue check (each timing's slowest enqueue against 3/4 of the measured hold, ours and the peers'):
# llm forward and backward with peers, then the fused add at the llm suite's 256-row shapes paced and unpaced.
set -uo pipefail
R=/tmp/s17a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep '^Paced' $R/$name.txt | cut -c1-400)" | tee -a $R/steps.txt
    tar czf $OUT/s17a.tgz -C $R .
}
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
{ date -u; nvidia-smi; python3 -c "import torch, triton, liger_kernel; print(torch.__version__, triton.__version__)"; } > $R/01-env.txt 2>&1
cp .gpu/s17a.sh $R/
export RMSNORM_BENCH_PACE=1
step 10-fwd-llm-paced timeout 250 $B run --suite llm --output /tmp/o-10-fwd-llm-paced
step 11-bwd-llm-paced timeout 250 $B run --backward --suite llm --output /tmp/o-11-bwd-llm-paced
S=256x2048:bf16,256x4096:bf16,256x5120:bf16,256x7168:bf16,256x8192:bf16,256x16384:bf16,256x4096:fp16,256x4096:fp32
step 12-add-256-paced timeout 60 $B run --variant add --shapes $S --output /tmp/o-12-add-256-paced
RMSNORM_BENCH_PACE=0 step 13-add-256-unpaced timeout 40 $B run --variant add --shapes $S --output /tmp/o-13-add-256-unpaced
