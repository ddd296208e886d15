#!/usr/bin/env bash
# Session 11, call 6: programmatic dependent launch at large M (must not cost anything there), ours only,
# default vs --pdl alternated twice, event and graph mode; then the llm suite in graph mode (20 launches a
# graph) with peers, --pdl and default.
set -uo pipefail
R=/tmp/s11d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
if ls .whl/*.whl >/dev/null 2>&1; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl 2>/dev/null && export PYTHONPATH=/tmp/site; fi
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    $B "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s11d.tgz -C $R .
}
cp .gpu/s11d.sh $R/
{ date -u; nvidia-smi --query-gpu=name,driver_version --format=csv; } > $R/01-env.txt 2>&1
L=4096x4096:bf16,16384x4096:bf16,65536x4096:bf16,4096x16384:bf16,32768x128:fp32,1048576x128:fp32,512x65536:fp32,64x262144:fp32,1x262144:fp32
for r in 1 2; do
  RMSNORM_BENCH_STREAM=created step 02-event-created-$r run --no-peers --shapes $L --output /tmp/o-02-event-created-$r
  step 03-event-pdl-$r run --pdl --no-peers --shapes $L --output /tmp/o-03-event-pdl-$r
  step 04-graph-$r run --graph --graph-k 20 --no-peers --shapes $L --output /tmp/o-04-graph-$r
  step 05-graph-pdl-$r run --graph --graph-k 20 --pdl --no-peers --shapes $L --output /tmp/o-05-graph-pdl-$r
done
step 06-llm-graph-pdl run --graph --graph-k 20 --pdl --suite llm --output /tmp/o-06-llm-graph-pdl
step 07-llm-graph run --graph --graph-k 20 --suite llm --output /tmp/o-07-llm-graph
