#!/usr/bin/env bash
# Session 34, call h (H200): the 48 KB shared-memory fix (s34g's launch failure). Each step a fresh process.
set -uo pipefail
R=/tmp/s34h; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s34h.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
B=$(date +%s)
step() { local name=$1 limit=$2; shift 2; timeout $limit "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - B )) s" | tee -a $R/steps.txt; tar czf $OUT/s34h.tgz -C $R .; }
step 10-verify-staged-48k 120 .gpu/rmsnorm-bench verify --match 264x2457
step 11-verify-cluster-48k 120 .gpu/rmsnorm-bench verify --match 196608
step 20-run-staged 150 .gpu/rmsnorm-bench run --shapes 4096x24576:bf16,4096x11008:bf16,4096x32768:bf16,2048x65536:bf16,4096x16384:fp32,4096x12288:fp32,1024x32768:fp32,64x196608:fp32,264x24575:bf16 --no-peers --output $R/20-run
step 21-run-add-48k 90 .gpu/rmsnorm-bench run --variant add --shapes 4096x24576:bf16,264x24576:bf16 --no-peers --output $R/21-add
step 30-verify-cluster 150 .gpu/rmsnorm-bench verify --match cluster
tail -3 $R/10-verify-staged-48k.txt $R/11-verify-cluster-48k.txt $R/30-verify-cluster.txt
grep -A12 "^Sweep" $R/20-run.txt; grep -A5 "^Sweep" $R/21-add.txt; grep -i "error" $R/2*.txt | head
