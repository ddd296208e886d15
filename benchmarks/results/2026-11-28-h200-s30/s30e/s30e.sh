#!/usr/bin/env bash
# Session 30, call 5 (H200, the last ~300 s): V80 as a launcher rule. verify of the 8,448-row cases (the forward's
# and the fused add's new ones), then the fused add over llm with peers.
set -uo pipefail
R=/tmp/s30e; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed' $R/$name.txt | tail -1 | cut -c1-140)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s30e.tgz -C $R .
}
cp .gpu/s30e.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 02-verify-8448 timeout 60 stdbuf -oL $B verify --match 8448x
step 30-add timeout 170 $B run --variant add --suite llm --output /tmp/o-30-add
tar czf $OUT/s30e.tgz -C $R .
