#!/usr/bin/env bash
# Session 25, call 3 (V67 as the launcher rule, LaunchPlan.outputKeepShift): ours only, event-timed after the flush,
# the rule (default) against never (RMSNORM_FWD_KEEP_Y=0), two alternations, plain forward and fused add; verify
# --quick with the policy on every plain forward and fused add (=1, the share by y's size); the seed suite with peers.
set -uo pipefail
R=/tmp/s25c; mkdir -p $R
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
    tar czf $OUT/s25c.tgz -C $R .
}
cp .gpu/s25c.sh $R/
{ date -u; nvidia-smi; nvidia-smi -q | grep -iE "product name|driver|cuda|clocks" | head -20; python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'; } > $R/01-env.txt 2>&1
S=16384x128:fp32,32768x128:fp32,65536x128:bf16,32768x256:fp16,49152x128:fp32,65535x96:fp32,65536x128:fp32,98304x128:fp32
S=$S,4096x768:bf16,4096x1536:bf16,8192x1024:bf16,8192x1536:bf16,4096x512:fp32,131072x128:fp32
A=4096x128:fp32,16384x128:fp32,16384x256:bf16,8192x512:bf16,32768x128:fp32,65536x128:fp32,65536x256:bf16,4096x1024:bf16
e() { step $1 timeout 90 env RMSNORM_FWD_KEEP_Y=$2 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$1; }
a() { step $1 timeout 90 env RMSNORM_FWD_KEEP_Y=$2 $B run --shapes $A --variant add --no-peers --no-repeat --output /tmp/o-$1; }
for r in 1 2; do
  e 1$r-off 0
  e 2$r-rule 2
  a 3$r-add-off 0
  a 4$r-add-rule 2
done
step 50-verify-always timeout 330 env RMSNORM_FWD_KEEP_Y=1 stdbuf -oL $B verify --quick
step 60-seed-peers timeout 150 $B run --suite seed --output /tmp/o-60-seed-peers
