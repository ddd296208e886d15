#!/usr/bin/env bash
# Session 29, call 7 (H200): the llm suite with peers on the V76 build (the record for the README).
set -uo pipefail
R=/tmp/s29g; mkdir -p $R
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
    tar czf $OUT/s29g.tgz -C $R .
}
cp .gpu/s29g.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 42-llm timeout 170 $B run --suite llm --output /tmp/o-llm
cp /tmp/o-llm/benchmark.csv $R/42-llm.csv; cp /tmp/o-llm/benchmark.svg $R/42-llm.svg; gzip -c /tmp/o-llm/benchmark.json > $R/42-llm.json.gz
tar czf $OUT/s29g.tgz -C $R .
