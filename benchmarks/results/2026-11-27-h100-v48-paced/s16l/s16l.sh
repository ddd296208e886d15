#!/usr/bin/env bash
# Session 16, call 12 (V48): paced repetitions (the call enqueued once its flush is done; the default now) against
# unpaced (RMSNORM_BENCH_PACE=0, the method until now), forward and backward at the llm suite's 1-256-row shapes with
# peers (the peers' harness paced the same way through the same variable).
set -uo pipefail
R=/tmp/s16l; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16l.tgz -C $R .
}
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s16l.sh $R/
S=1x2048:bf16,1x4096:bf16,1x5120:bf16,1x7168:bf16,1x8192:bf16,1x16384:bf16,1x4096:fp16,1x4096:fp32,16x2048:bf16,16x4096:bf16,16x5120:bf16,16x7168:bf16,16x8192:bf16,16x16384:bf16,16x4096:fp16,16x4096:fp32,256x2048:bf16,256x4096:bf16,256x5120:bf16,256x7168:bf16,256x8192:bf16,256x16384:bf16,256x4096:fp16,256x4096:fp32
step 10-fwd-paced $B run --shapes $S --output /tmp/o-10-fwd-paced
RMSNORM_BENCH_PACE=0 step 11-fwd-unpaced $B run --shapes $S --output /tmp/o-11-fwd-unpaced
step 12-bwd-paced $B run --backward --shapes $S --output /tmp/o-12-bwd-paced
RMSNORM_BENCH_PACE=0 step 13-bwd-unpaced $B run --backward --shapes $S --output /tmp/o-13-bwd-unpaced
