#!/usr/bin/env bash
# s38d: verify --quick on the final build (kernels and launch rules as committed; V95 included). Carry .gpu.
set -uo pipefail
R=/tmp/s38d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
b=$(date +%s); timeout 540 $B verify --quick > $R/10-verify.txt 2>&1; echo "10-verify rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/10-verify.txt)" | tee $R/steps.txt
tar czf $OUT/s38d.tgz -C $R .
