#!/usr/bin/env bash
# Session 9, run 1: smoke-test of HEAD (verify --quick), host costs, exhaustive tune over every suite.
set -uo pipefail
D=$OUT; R=/tmp/s9a; mkdir -p $R
export OUT=$R
bash scripts/device-check.sh env verify-quick host > $R/steps.txt 2>&1
B=.gpu/rmsnorm-bench
( time $B tune --suite all --output /tmp/tune ) > $R/04-tune-all.txt 2>&1; echo "tune rc=$?" >> $R/steps.txt
cp /tmp/tune/tune.csv $R/04-tune-all.csv
tar czf $D/s9a.tgz -C $R .
cat $R/steps.txt; tail -3 $R/04-tune-all.txt
