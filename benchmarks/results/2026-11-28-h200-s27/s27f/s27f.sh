#!/usr/bin/env bash
# Session 27, call 5 (H200): the awkward and seed suites with peers on the V71 build (awkward last recorded on
# session 25's build); tune at bf16 rows of 4608 columns (staged today; the bounded register module applies to the tuner's register plans).
set -uo pipefail
R=/tmp/s27f; mkdir -p $R
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
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|geometric mean' $R/$name.txt | tail -1 | cut -c1-160)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 200000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s27f.tgz -C $R .
}
cp .gpu/s27f.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 40-awkward timeout 150 $B run --suite awkward --output /tmp/o-40-awkward
step 41-seed timeout 90 $B run --suite seed --output /tmp/o-41-seed
step 50-tune-4608 timeout 90 $B tune --shapes 65536x4608:bf16,16384x4608:bf16,4096x4608:bf16 --verbose --output /tmp/o-50
cp /tmp/o-50/tune.csv $R/50-tune-4608.csv 2>/dev/null
tar czf $OUT/s27f.tgz -C $R .
