#!/usr/bin/env bash
# Session 34, call l (H200): V89 for the fused add (RMSNORM_WIDE_ROW_CLUSTERS=2) against its staged plan, ours only,
# two alternations; verify the fused add's wide-row cases on the cluster plans in a fresh process.
set -uo pipefail
R=/tmp/s34l; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s34l.sh $R/
B=$(date +%s)
step() { local name=$1 limit=$2; shift 2; timeout $limit "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - B )) s" | tee -a $R/steps.txt; tar czf $OUT/s34l.tgz -C $R .; }
step 10-verify-add-wide 60 env RMSNORM_WIDE_ROW_CLUSTERS=2 .gpu/rmsnorm-bench verify --match "add bf16/w:bf16 264x"
S=4096x24576:bf16,2048x65536:bf16,1024x32768:fp32,264x65536:bf16,4096x16384:bf16
for r in 1 2; do for c in 1 2; do
  step 2$r-add-wide$c 60 env RMSNORM_WIDE_ROW_CLUSTERS=$c .gpu/rmsnorm-bench run --variant add --shapes $S --no-peers --no-repeat --output $R/2$r-add-wide$c
done; done
tail -3 $R/10-verify-add-wide.txt
for f in $R/2?-add-wide?.txt; do echo "== $f"; grep -A7 "^Sweep" $f | tail -5 | cut -c1-60,100-170; done
tar czf $OUT/s34l.tgz -C $R .
