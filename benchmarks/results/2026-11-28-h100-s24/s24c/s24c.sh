#!/usr/bin/env bash
# Session 24, call 3 (V66 as a launcher rule, LaunchPlan.keepsOutputInL2): ours only, event-timed after the flush,
# RMSNORM_FWD_KEEP_Y=0 (never) against the rule (default), two alternations, and =1 (every plain forward) once, over
# the seed suite's shapes and other short rows; verify --quick with the policy on every plain forward (=1); then the
# seed suite with peers on the default build.
set -uo pipefail
R=/tmp/s24c; mkdir -p $R
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
    tar czf $OUT/s24c.tgz -C $R .
}
cp .gpu/s24c.sh $R/
{ date -u; nvidia-smi; nvidia-smi -q | grep -iE "product name|driver|cuda|clocks" | head -20; python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'; } > $R/01-env.txt 2>&1
S=$(for m in 1024 2048 4096 8192 16384 32768 65536 131072 262144 1048576; do printf "%sx128:fp32," $m; done)
S=${S}8192x128:bf16,32768x128:bf16,65536x128:bf16,131072x128:bf16,16384x256:bf16,32768x256:fp16,16384x96:fp32,65535x96:fp32,32768x64:fp32,8192x256:fp32,4096x512:bf16,8192x512:bf16
e() { step $1 timeout 70 env RMSNORM_FWD_KEEP_Y=$2 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$1; }
e 10-warm 2
for r in 1 2; do
  e 1$r-off 0
  e 2$r-rule 2
done
e 31-always 1
step 40-verify-always timeout 330 env RMSNORM_FWD_KEEP_Y=1 stdbuf -oL $B verify --quick
step 50-seed-peers timeout 150 $B run --suite seed --output /tmp/o-50-seed-peers
