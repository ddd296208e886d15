#!/usr/bin/env bash
# Session 8, call 1: sanitizers on the default build; FP8_PACK=1 verified (variants) and timed against the default.
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
mkdir -p $OUT/s
OUT=$OUT/s SAN_ELEMENTS=70000 SAN_TIMEOUT=200 bash scripts/device-check.sh env memcheck racecheck synccheck 2>&1 | tee $OUT/steps.txt
for f in $OUT/s/*check.txt; do echo "== $f"; grep -E "ERROR SUMMARY|passed|failed" $f | tail -3; done | tee -a $OUT/steps.txt
start=$(date +%s)
RMSNORM_KERNEL_DEFINES=FP8_PACK=1 timeout 200 .gpu/rmsnorm-bench verify --quick --variants-only > $OUT/s/fp8pack-verify.txt 2>&1
echo "fp8pack verify rc=$? $(( $(date +%s) - start )) s: $(tail -1 $OUT/s/fp8pack-verify.txt)" | tee -a $OUT/steps.txt
grep -i "fail" $OUT/s/fp8pack-verify.txt | head -20
