#!/usr/bin/env bash
# Session 33, call 10 (H200): V87's arena on the variants' path, with peers: the fused add over llm.
set -uo pipefail
R=/tmp/s33j; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s33j.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
timeout 170 .gpu/rmsnorm-bench run --variant add --suite llm --output /tmp/o-add > $R/10-add.txt 2>&1; echo "add: rc=$? $(grep 'geometric mean' $R/10-add.txt | tail -1)" | tee $R/steps.txt
for f in csv json svg; do cp /tmp/o-add/benchmark.$f $R/10-add.$f 2>/dev/null; done
tar czf $OUT/s33j.tgz -C $R .
