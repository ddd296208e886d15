#!/usr/bin/env bash
# Session 27, call 6 (H200): V72 (4608-column bf16 rows in registers under the 5-block bound) against
# RMSNORM_HIGH_BANDWIDTH=0, ours only, two alternations; verify of the new cases and verify --quick on the final build.
set -uo pipefail
R=/tmp/s27g; mkdir -p $R
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
    tar czf $OUT/s27g.tgz -C $R .
}
cp .gpu/s27g.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=65536x4608:bf16,16384x4608:bf16,4096x4608:bf16,65536x5120:bf16,65536x4600:bf16
for r in 1 2; do
  step 1$r-new timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-1$r-new
  step 2$r-off timeout 60 env RMSNORM_HIGH_BANDWIDTH=0 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-2$r-off
done
step 30-verify-4608 timeout 60 stdbuf -oL $B verify --match 4096x46
step 31-verify-5xxx timeout 60 stdbuf -oL $B verify --match 4096x5
step 32-verify-quick timeout 280 stdbuf -oL $B verify --quick
tar czf $OUT/s27g.tgz -C $R .
