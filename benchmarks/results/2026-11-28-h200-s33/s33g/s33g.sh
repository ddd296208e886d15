#!/usr/bin/env bash
# Session 33, call 7 (H200): the final build (s32's kernels; the shared-memory limit raised from 47 KB on). verify the
# 48 KB cluster slice (64 x 196,608 fp32) on this build and on the same build with the old 48 KB threshold (the
# control), then every cluster case (forced and the launcher's).
set -uo pipefail
R=/tmp/s33g; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
gunzip -c .gpu/prefix.gz > .gpu/prefix; chmod +x .gpu/prefix
B=.gpu/rmsnorm-bench
cp .gpu/s33g.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
timeout 120 stdbuf -oL .gpu/prefix verify --match 64x196608 > $R/02-verify-48k-before.txt 2>&1; echo "48k before: rc=$? $(tail -1 $R/02-verify-48k-before.txt)" | tee -a $R/steps.txt
timeout 120 stdbuf -oL $B verify --match 64x196608 > $R/03-verify-48k.txt 2>&1; echo "48k: rc=$? $(tail -1 $R/03-verify-48k.txt)" | tee -a $R/steps.txt
tar czf $OUT/s33g.tgz -C $R .
timeout 200 stdbuf -oL $B verify --match cluster > $R/04-verify-cluster.txt 2>&1; echo "cluster: rc=$? $(tail -1 $R/04-verify-cluster.txt)" | tee -a $R/steps.txt
tar czf $OUT/s33g.tgz -C $R .
