#!/usr/bin/env bash
# Session 11, call 1: programmatic dependent launch (PDL) for every kernel, opt-in per stream.
# 1. verify's new PDL check and the graph check; 2. graph mode at M <= 256, ours only, default vs --pdl
# alternated twice; 3. event mode at a few shapes, default vs --pdl; 4. tune --suite awkward (placements).
set -uo pipefail
R=/tmp/s11a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    $B "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    [ -f /tmp/o-$name/tune.csv ] && cp /tmp/o-$name/tune.csv $R/$name.csv
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s11a.tgz -C $R .
}
cp .gpu/s11a.sh $R/
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv > $R/env.txt 2>&1
step 01-verify-pdl verify --quick --match "programmatic"
step 02-verify-graph verify --quick --match "graph capture"
G=$(for n in 2048 4096 5120 7168 8192 16384; do for m in 1 16 256; do printf "%sx%s:bf16," $m $n; done; done)1x4096:fp16,16x4096:fp16,256x4096:fp16,1x4096:fp32,16x4096:fp32,256x4096:fp32,1x65536:fp32,4x262144:bf16
for r in 1 2; do
  step 03-graph-default-$r run --graph --no-peers --shapes $G --output /tmp/o-03-graph-default-$r
  step 04-graph-pdl-$r run --graph --pdl --no-peers --shapes $G --output /tmp/o-04-graph-pdl-$r
done
E=1x4096:bf16,16x4096:bf16,256x4096:bf16,4096x4096:bf16,1x262144:fp32,32768x128:fp32
RMSNORM_BENCH_STREAM=created step 05-event-created run --no-peers --shapes $E --output /tmp/o-05-event-created
step 06-event-pdl run --pdl --no-peers --shapes $E --output /tmp/o-06-event-pdl
step 07-tune-awkward tune --suite awkward --output /tmp/o-07-tune-awkward
