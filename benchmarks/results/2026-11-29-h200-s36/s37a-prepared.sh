#!/usr/bin/env bash
# Prepared at the end of session 36 for the next GPU session's first call (part 1 of 2, ~7.5 min; part 2: s37b-prepared.sh) (carry .gpu and .whl; rebuild
# .gpu/rmsnorm-bench.gz from HEAD first with scripts/build-gpu-binary.sh).
# Lead 1 (s36g): on a fresh machine our process, copy kernel included, timed 2-5% slower at 1-16 rows than s35f's run
# on a warm one, while the peers' subprocess did not. Here: the `llm` fused add with peers first thing, then the
# forward suite, then the fused add again; compare ours, our copy and the peers at 1-16 rows across the two fused adds.
# Prediction: if it is the machine, both fused-add runs agree with each other (±1%) and with s36g; if it is the state
# of a fresh GPU, the second run's few-row ours and copy are 2-5% faster than the first's and the peers unchanged.
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
tar czf $OUT/s37a.tgz -C $R .
