#!/usr/bin/env bash
# Session 26, call 5 (V68: the high-bandwidth plan rules, H200): the new defaults against RMSNORM_HIGH_BANDWIDTH=0,
# ours only, two alternations; verify of the changed plans and verify --quick; awkward, seed and llm with peers.
set -uo pipefail
R=/tmp/s26e; mkdir -p $R
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
    tar czf $OUT/s26e.tgz -C $R .
}
cp .gpu/s26e.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=4096x2048:bf16,4096x1024:bf16,1021x769:bf16,4096x128:fp32,8192x128:fp32,16384x128:fp32,32768x128:fp32,4096x1000:fp32,4096x769:fp32
S=$S,4096x11008:bf16,16384x11008:bf16,1024x11008:bf16,4096x9216:bf16,4096x10240:bf16,4096x12000:bf16,4096x10240:fp32
S=$S,4096x4096:bf16,16384x4096:bf16,65536x2048:bf16,16384x5120:bf16,4096x8192:bf16,4096x16384:bf16,4096x4096:fp32
for r in 1 2; do
  step 1$r-new timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-1$r-new
  step 2$r-old timeout 60 env RMSNORM_HIGH_BANDWIDTH=0 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-2$r-old
done
step 30-verify-11008 timeout 40 stdbuf -oL $B verify --match x11008
step 31-verify-4096x1000 timeout 40 stdbuf -oL $B verify --match 4096x1000
step 32-verify-quick timeout 280 stdbuf -oL $B verify --quick
step 40-awkward timeout 60 $B run --suite awkward --output /tmp/o-40-awkward
step 41-seed timeout 70 $B run --suite seed --output /tmp/o-41-seed
step 42-llm timeout 150 $B run --suite llm --output /tmp/o-42-llm
tar czf $OUT/s26e.tgz -C $R .
