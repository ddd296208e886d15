#!/usr/bin/env bash
# Session 33, call 2 (H200): outputs rotate with the input sets in event timing (ours: a y per set; peers: each result
# kept alive for `sets` calls), the new default, against RMSNORM_BENCH_Y=one (one output a process, as before),
# with peers, 16- and 256-row llm shapes, 3 alternations. Prediction (NOTES): the rotating processes' ratios spread
# less between processes; the means do not move.
set -uo pipefail
R=/tmp/s33b; mkdir -p $R
T0=$(date +%s)
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1 budget=$2; shift 2
    if [ $(( $(date +%s) - T0 + budget )) -gt 570 ]; then echo "$name: skipped (time)" | tee -a $R/steps.txt; return; fi
    local start=$(date +%s)
    timeout $budget "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean' $R/$name.txt | tail -1 | cut -c1-140)" | tee -a $R/steps.txt
    tar czf $OUT/s33b.tgz -C $R .
}
cp .gpu/s33b.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=16x2048:bf16,256x2048:bf16,16x4096:bf16,256x4096:bf16,16x7168:bf16,256x7168:bf16,16x8192:bf16,256x8192:bf16,16x4096:fp32,256x4096:fp32
for r in 1 2 3; do
    step $r-sets 130 $B run --shapes $S --output /tmp/o-$r-sets
    step $r-one 130 env RMSNORM_BENCH_Y=one $B run --shapes $S --output /tmp/o-$r-one
done
tar czf $OUT/s33b.tgz -C $R .
