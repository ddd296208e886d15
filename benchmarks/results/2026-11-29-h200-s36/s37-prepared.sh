#!/usr/bin/env bash
# Prepared at the end of session 36 for the next GPU session's first call (carry .gpu and .whl; rebuild
# .gpu/rmsnorm-bench.gz from HEAD first with scripts/build-gpu-binary.sh).
# Lead 1 (s36g): on a fresh machine our process, copy kernel included, timed 2-5% slower at 1-16 rows than s35f's run
# on a warm one, while the peers' subprocess did not. Here: the `llm` fused add with peers first thing, then the
# forward suite, then the fused add again; compare ours, our copy and the peers at 1-16 rows across the two fused adds.
# Prediction: if it is the machine, both fused-add runs agree with each other (±1%) and with s36g; if it is the state
# of a fresh GPU, the second run's few-row ours and copy are 2-5% faster than the first's and the peers unchanged.
# Lead 3: fp16's fused add at few rows with its weight held without spilling (REG_BOUND=512: 76 registers at 4 x 512,
# none spilled; at the default bound it spills 20 bytes and still gained -3.0% at 1 x 16,384 in s36f). Prediction:
# 1 x 16,384 and 16 x 16,384 fp16 -5 to -8% against the default; the bf16 controls (held already) +-1%.
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
R=/tmp/s37a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(grep -h 'geometric mean' $R/$name.txt | head -2 | tr '\n' ' ')" | tee -a $R/steps.txt; tar czf $OUT/s37a.tgz -C $R .; }
step 10-llm-add-first 240 $B run --suite llm --variant add --output $R/llm-add-first
step 11-llm 240 $B run --suite llm --output $R/llm
step 12-llm-add-again 240 $B run --suite llm --variant add --output $R/llm-add-again
A=1x16384:fp16,16x16384:fp16,1x12288:fp16,1x16384:bf16,16x16384:bf16
for r in 1 2; do
  step 2$r-fp16-default 60 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/fp16-default-$r
  step 2$r-fp16-held 60 env RMSNORM_KERNEL_DEFINES=WREG_ALL=1,REG_BOUND=512 $B run --variant add --shapes $A --no-peers --no-repeat --output $R/fp16-held-$r
done
tar czf $OUT/s37a.tgz -C $R .
