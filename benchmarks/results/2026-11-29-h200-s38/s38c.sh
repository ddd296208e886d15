#!/usr/bin/env bash
# s38c: is the few-row level of a process the SM clock? nvidia-smi samples the clocks every 100 ms in the background
# while ab's A/A and four `run` processes time the few-row shapes, each timing with its hold's clock (hold_mhz). Carry .gpu.
set -uo pipefail
R=/tmp/s38c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; nvidia-smi -q -d CLOCK,PERFORMANCE; } > $R/01-env.txt 2>&1
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu,clocks_event_reasons.active --format=csv -lms 100 > $R/02-clocks.csv 2>&1 &
SMI=$!
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); echo "$name start $(date -u +%T.%N)" >> $R/steps.txt; timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s end $(date -u +%T.%N) $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s38c.tgz -C $R .; }
Q=1x4096:bf16,16x4096:bf16,16x8192:bf16,256x2048:bf16,256x4096:fp16,16x4096:fp32
step 10-ab-noop 90 $B ab --variant add --shapes $Q --defines AB_NOOP=1 --output $R/ab-noop
for p in 1 2 3 4; do
  step 2$p-process 45 $B run --variant add --shapes $Q --no-peers --no-repeat --output $R/process-$p
done
step 30-ab-noop 90 $B ab --variant add --shapes $Q --defines AB_NOOP=1 --output $R/ab-noop-2
kill $SMI
tar czf $OUT/s38c.tgz -C $R .
