#!/usr/bin/env bash
# Session 34, call e (H200): issue 6's host-side and graph-mode targets, last measured on an H100 (host: session 9;
# graph against a copy kernel: session 23). (1) `host`; (2) graph mode at 1-256 rows of the llm suite, ours and our
# copy kernel (--no-peers), the target being ours <= 1.2 x the copy.
set -uo pipefail
R=/tmp/s34e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s34e.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
B=$(date +%s)
timeout 150 .gpu/rmsnorm-bench host > $R/10-host.txt 2>&1; echo "host rc=$? $(( $(date +%s) - B )) s"
tar czf $OUT/s34e.tgz -C $R .
S=""; for n in 2048 4096 5120 7168 8192 16384; do for m in 1 16 256; do S="$S,${m}x${n}:bf16"; done; done
for d in fp16 fp32; do for m in 1 16 256; do S="$S,${m}x4096:$d"; done; done
timeout 200 .gpu/rmsnorm-bench run --graph --shapes ${S#,} --no-peers --output $R/20-graph > $R/20-graph.txt 2>&1; echo "graph rc=$? $(( $(date +%s) - B )) s"
cat $R/10-host.txt
grep -A40 "^Sweep" $R/20-graph.txt | head -45
tar czf $OUT/s34e.tgz -C $R .
