#!/usr/bin/env bash
# Session 20, call 2 (the V56 build): forced register-cluster plans in verify; the variants with every few-row
# register plan over clusters of 4; tune (graph and event) over few-row shapes with the new candidates; ours-only
# A/B of RMSNORM_ROW_CLUSTER=0/2/4/8 over the llm few-row shapes, event-timed and in graphs.
set -uo pipefail
R=/tmp/s20b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
[ -x .gpu/rmsnorm-bench ] || gunzip -k .gpu/rmsnorm-bench.gz
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; [ -f /tmp/o-$name/tune.$f ] && cp /tmp/o-$name/tune.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    tar czf $OUT/s20b.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s20b.sh $R/
step 10-verify-clusters timeout 120 stdbuf -oL $B verify --match "cluster="
RMSNORM_ROW_CLUSTER=4 step 11-verify-variants-c4 timeout 150 stdbuf -oL $B verify --quick --variants-only --max-elements 120000
TS=1x2048:bf16,1x4096:bf16,1x8192:bf16,1x16384:bf16,16x4096:bf16,16x8192:bf16,16x16384:bf16,64x8192:bf16,1x4096:fp32,16x4096:fp32,1x5120:bf16,1x7168:bf16,32x16384:bf16
step 20-tune-graph timeout 150 $B tune --graph --verbose --shapes $TS --output /tmp/o-20-tune-graph
step 21-tune timeout 150 $B tune --verbose --shapes $TS --output /tmp/o-21-tune
FS=1x2048:bf16,1x4096:bf16,1x8192:bf16,1x16384:bf16,16x4096:bf16,16x8192:bf16,16x16384:bf16,1x4096:fp32,16x4096:fp32,16x7168:bf16
for cs in 0 2 4 8; do
  RMSNORM_ROW_CLUSTER=$cs step 3$cs-graph-c$cs timeout 40 $B run --graph --no-peers --shapes $FS --output /tmp/o-3$cs-graph-c$cs
done
for cs in 0 2 4 8; do
  RMSNORM_ROW_CLUSTER=$cs step 4$cs-event-c$cs timeout 40 $B run --no-peers --shapes $FS --output /tmp/o-4$cs-event-c$cs
done
