#!/usr/bin/env bash
# Session 34, call f (H200): graph mode at few rows of 16-32 KB, where ours runs 1.5-2.0x a same-size copy kernel
# (s34e): does any plan in our space (split rows over the grid, clusters, more threads) do better there?
# `tune --graph --verbose` (every candidate timed in graph mode; the heuristic is the launcher's capturing plan).
set -uo pipefail
R=/tmp/s34f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s34f.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
B=$(date +%s)
timeout 300 .gpu/rmsnorm-bench tune --graph --verbose --shapes 1x16384:bf16,16x16384:bf16,1x8192:bf16,16x8192:bf16,1x4096:fp32,1x7168:bf16,256x16384:bf16,1x32768:bf16 --output $R/10-tune > $R/10-tune-graph.txt 2>&1
echo "tune rc=$? $(( $(date +%s) - B )) s"
grep -v "^  " $R/10-tune-graph.txt | tail -40
grep -E "split|cluster" $R/10-tune-graph.txt | sort -t: -k2 | head -60
tar czf $OUT/s34f.tgz -C $R .
