#!/usr/bin/env bash
# Session 27, call 4 (H200): V71 (5 blocks an SM for half-full 256-thread bf16 rows) as a launcher rule: the rule
# against ROW_MINB=0 (off), ours only, two alternations; verify of the new cases and verify --quick; llm with peers.
set -uo pipefail
R=/tmp/s27e; mkdir -p $R
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
    tar czf $OUT/s27e.tgz -C $R .
}
cp .gpu/s27e.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=65536x5120:bf16,16384x5120:bf16,4096x5120:bf16,2048x5120:bf16,65536x5632:bf16,65536x5120:fp16,16384x8192:bf16,65536x4096:bf16
for r in 1 2; do
  step 1$r-new timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-1$r-new
  step 2$r-off timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=0 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-2$r-off
done
step 30-verify-v71 timeout 60 stdbuf -oL $B verify --match 4096x5
step 32-verify-quick timeout 280 stdbuf -oL $B verify --quick
step 42-llm timeout 150 $B run --suite llm --output /tmp/o-42-llm
tar czf $OUT/s27e.tgz -C $R .
