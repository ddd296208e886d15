#!/usr/bin/env bash
# Session 21, call 1 (the 9a0d working tree, experiments behind switches): V59 staged rows by bulk copies
# (BWD_BULK=1), V60 the reduction's last step by shuffles (RED_SHFL=1), V61 the balanced backward grid
# (RMSNORM_BWD_BALANCE=1), each against the default, ours only, alternated twice; then verify's backward cases and
# memcheck with BWD_BULK=1,RED_SHFL=1.
set -uo pipefail
R=/tmp/s21a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|ERROR SUMMARY' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    tar czf $OUT/s21a.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s21a.sh $R/
S=4096x2048:bf16,4096x4096:bf16,4096x7168:bf16,4096x8192:bf16,4096x16384:bf16,16384x4096:bf16,16384x7168:bf16,16384x16384:bf16,65536x16384:bf16,4096x4096:fp32,4096x4096:fp16
run() { step $1 timeout 90 env $2 $B run --variant backward --shapes $S --no-peers --output /tmp/o-$1; }
for r in 1 2; do
  run 1$r-base "X=0"
  run 2$r-bulk "RMSNORM_KERNEL_DEFINES=BWD_BULK=1"
  run 3$r-shfl "RMSNORM_KERNEL_DEFINES=RED_SHFL=1"
  run 4$r-bal "RMSNORM_BWD_BALANCE=1"
  run 5$r-all "RMSNORM_KERNEL_DEFINES=BWD_BULK=1,RED_SHFL=1 RMSNORM_BWD_BALANCE=1"
done
step 60-verify-backward-bulk timeout 200 env RMSNORM_KERNEL_DEFINES=BWD_BULK=1,RED_SHFL=1 $B verify --variants-only --match backward
step 61-memcheck-backward-bulk timeout 90 env RMSNORM_KERNEL_DEFINES=BWD_BULK=1,RED_SHFL=1 compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
