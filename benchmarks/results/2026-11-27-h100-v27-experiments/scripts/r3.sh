#!/usr/bin/env bash
# Session 8, call 3: the measuring state at few rows. Fused add and forward with peers: default (hold),
# RMSNORM_BENCH_STATE=readback (both harnesses), RMSNORM_BENCH_COPY=kernel (ours' copies by a kernel); add harness.
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
if ls .whl/*.whl >/dev/null 2>&1; then python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site; fi
mkdir -p $OUT/c
S=1x4096:bf16,16x4096:bf16,256x4096:bf16,256x2048:bf16,4096x4096:bf16
F=1x4096:bf16,16x4096:bf16,256x4096:bf16,16x2048:bf16,256x2048:bf16,256x7168:bf16,16x4096:fp16
B=.gpu/rmsnorm-bench
$B run --variant add --shapes $S --reps 100 --output /tmp/o > $OUT/c/1-add-default.txt 2>&1
RMSNORM_BENCH_STATE=readback $B run --variant add --shapes $S --reps 100 --output /tmp/o > $OUT/c/2-add-readback.txt 2>&1
RMSNORM_BENCH_COPY=kernel $B run --variant add --shapes $S --reps 100 --output /tmp/o > $OUT/c/3-add-copykernel.txt 2>&1
$B run --variant add --shapes $S --reps 100 --output /tmp/o > $OUT/c/4-add-default-again.txt 2>&1
$B run --shapes $F --output /tmp/o > $OUT/c/5-fwd-default.txt 2>&1
RMSNORM_BENCH_STATE=readback $B run --shapes $F --output /tmp/o > $OUT/c/6-fwd-readback.txt 2>&1
N=4096 DT=bf16 timeout 120 python3 benchmarks/scripts/add_harness.py 16 256 > $OUT/c/7-add-harness.txt 2>&1
for f in $OUT/c/*.txt; do echo "== $f"; grep -E "^(Timing|[0-9]+x[0-9]+:)" $f | cut -c1-150; done
tail -30 $OUT/c/7-add-harness.txt
