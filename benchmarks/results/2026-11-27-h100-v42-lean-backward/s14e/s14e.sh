#!/usr/bin/env bash
# Session 14, call 5 (final build, the s14c/s14d binary): memcheck of the backward; verify --quick.
set -uo pipefail
R=/tmp/s14e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s14e.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s14e.sh $R/
step 02-memcheck compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 70000
step 03-verify-quick $B verify --quick
