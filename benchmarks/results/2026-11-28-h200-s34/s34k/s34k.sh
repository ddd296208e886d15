#!/usr/bin/env bash
# Session 34, call k (H200): the fused add's row of exactly 48 KB (staged, s34g's failure) verified alone in a fresh
# process, and its plan printed by `run`.
set -uo pipefail
R=/tmp/s34k; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s34k.sh $R/
timeout 100 .gpu/rmsnorm-bench verify --match "add bf16/w:bf16 264x24576" > $R/10-verify-add-48k.txt 2>&1; echo "verify rc=$?"
timeout 60 .gpu/rmsnorm-bench run --variant add --shapes 264x24576:bf16 --no-peers --no-repeat --output $R/20-add > $R/20-add.txt 2>&1; echo "run rc=$?"
cat $R/10-verify-add-48k.txt; grep -A4 "^Sweep" $R/20-add.txt
tar czf $OUT/s34k.tgz -C $R .
