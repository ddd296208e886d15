#!/usr/bin/env bash
# Session 28, call 3 (H200): V73 (x read twice where measured faster) and V74 (bounded rows from half full) as
# launcher rules: this build against the e0c8b69 binary (.gpu/old.gz), ours only, two alternations; verify of the
# new cases (8,448 rows; 4096 x 41xx-43xx), verify --quick; the llm suite with peers.
set -uo pipefail
R=/tmp/s28c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
gunzip -c .gpu/old.gz > .gpu/old-bench; chmod +x .gpu/old-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s28c.tgz -C $R .
}
cp .gpu/s28c.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=65536x8192:bf16,16384x8192:bf16,4096x8192:bf16,65536x7168:bf16,65536x8192:fp16,65536x5120:fp16,16384x5120:fp16,65536x4096:fp32,16384x4096:fp32,4096x4096:fp32,65536x5120:bf16,65536x4352:bf16,4096x4352:bf16,65536x4096:bf16
for r in 1 2; do
  step $r-old timeout 60 .gpu/old-bench run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-old
  step $r-new timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-new
  for v in old new; do cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
step 30-verify-new timeout 90 stdbuf -oL $B verify --match 8448x
step 31-verify-v74 timeout 60 stdbuf -oL $B verify --match 4096x4
step 32-verify-quick timeout 280 stdbuf -oL $B verify --quick
[ $(stat -c %s $R/32-verify-quick.txt) -gt 60000 ] && gzip -f $R/32-verify-quick.txt
step 42-llm timeout 170 $B run --suite llm --output /tmp/o-42-llm
cp /tmp/o-42-llm/benchmark.csv $R/42-llm.csv; cp /tmp/o-42-llm/benchmark.svg $R/42-llm.svg; gzip -c /tmp/o-42-llm/benchmark.json > $R/42-llm.json.gz
tar czf $OUT/s28c.tgz -C $R .
