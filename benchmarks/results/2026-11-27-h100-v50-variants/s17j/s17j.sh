#!/usr/bin/env bash
# Session 17, last call: the forward-style variants over the llm suite with peers, paced (the README's variant
# table was from unpaced runs V6-V8, before the hold): fused add, gemma, llama, fp8, add+fp8, as far as the
# remaining device time goes.
set -uo pipefail
R=/tmp/s17j; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean' $R/$name.txt | cut -c1-160)" | tee -a $R/steps.txt
    tar czf $OUT/s17j.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s17j.sh $R/
for v in add gemma llama fp8 add-fp8; do step 2-$v timeout 150 $B run --variant $v --suite llm --output /tmp/o-2-$v; done
