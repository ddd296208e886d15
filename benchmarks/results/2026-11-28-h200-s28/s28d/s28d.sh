#!/usr/bin/env bash
# Session 28, call 4 (H200): fp16 rows over half of the 4 x 256 layout (4104-5119 columns) in registers read twice
# (V73 + V74 for fp16): this build against the s28c build (.gpu/s28c.gz), ours only, two alternations; verify of the
# 8,448-row cases; the awkward and seed suites with peers on this build.
set -uo pipefail
R=/tmp/s28d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
gunzip -c .gpu/s28c.gz > .gpu/prev-bench; chmod +x .gpu/prev-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s28d.tgz -C $R .
}
cp .gpu/s28d.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=65536x4104:fp16,65536x4352:fp16,65536x4608:fp16,16384x4608:fp16,8192x4608:fp16,65536x5120:fp16,65536x4352:bf16
for r in 1 2; do
  step $r-prev timeout 60 .gpu/prev-bench run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-prev
  step $r-new timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-new
  for v in prev new; do cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
step 30-verify-new timeout 90 stdbuf -oL $B verify --match 8448x
step 41-awkward timeout 120 $B run --suite awkward --output /tmp/o-41
cp /tmp/o-41/benchmark.csv $R/41-awkward.csv; cp /tmp/o-41/benchmark.svg $R/41-awkward.svg
step 42-seed timeout 120 $B run --suite seed --output /tmp/o-42
cp /tmp/o-42/benchmark.csv $R/42-seed.csv; cp /tmp/o-42/benchmark.svg $R/42-seed.svg
tar czf $OUT/s28d.tgz -C $R .
