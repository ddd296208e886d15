#!/usr/bin/env bash
# Session 29, call 5 (H200): the V75 build (verified in s29c) with peers: llm, awkward and seed; before them, reading
# twice at 7168 columns and at 4096 rows of 8192 with V75's L1 priority (REFETCH=1 against the default), two
# alternations, ours only (a lead for the next session).
set -uo pipefail
R=/tmp/s29e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s29e.tgz -C $R .
}
cp .gpu/s29e.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=65536x7168:bf16,16384x7168:bf16,4096x7168:bf16,4096x8192:bf16,65536x7168:fp16,16384x8192:bf16
run() { local name=$1; shift; step $name timeout 60 env "$@" $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$name; cp /tmp/o-$name/benchmark.csv $R/$name.csv 2>/dev/null; }
for r in 1 2; do
  run $r-base X=0
  run $r-rf RMSNORM_KERNEL_DEFINES=REFETCH=1
done
suite() { step 4$1-$2 timeout 170 $B run --suite $2 --output /tmp/o-$2; cp /tmp/o-$2/benchmark.csv $R/4$1-$2.csv; cp /tmp/o-$2/benchmark.svg $R/4$1-$2.svg; gzip -c /tmp/o-$2/benchmark.json > $R/4$1-$2.json.gz; }
suite 2 llm
suite 3 awkward
suite 4 seed
tar czf $OUT/s29e.tgz -C $R .
