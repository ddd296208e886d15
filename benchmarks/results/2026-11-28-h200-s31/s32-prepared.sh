#!/usr/bin/env bash
# Prepared in session 31 for the next session (H200), as two calls (each under the 600 s limit):
#   bash .gpu/s32.sh 1   verify --quick on session 31's final build (a fresh machine compiles every module cold: 300 s
#                        was not enough in s31-1, so 480 s)
#   bash .gpu/s32.sh 2   the 8448- and 4224-row cases (one new since s31c: fp8 fp16 4608 read twice); the add + fp8,
#                        fp8 and LLaMA suites over llm with peers on the refined V83 build (s31c ran before it)
set -uo pipefail
part=${1:-1}
R=/tmp/s32-$part; mkdir -p $R
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
    tar czf $OUT/s32-$part.tgz -C $R .
}
cp .gpu/s32.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
if [ "$part" = 1 ]; then
    step 02-verify-quick timeout 480 stdbuf -oL $B verify --quick
else
    step 03-verify-8448 timeout 90 stdbuf -oL $B verify --match 8448x
    step 04-verify-4224 timeout 60 stdbuf -oL $B verify --match 4224x
    for v in add-fp8 fp8 llama; do step 10-$v timeout 140 $B run --variant $v --suite llm --output /tmp/o-10-$v; done
fi
tar czf $OUT/s32-$part.tgz -C $R .
