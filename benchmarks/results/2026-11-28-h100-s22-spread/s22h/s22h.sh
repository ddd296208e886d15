#!/usr/bin/env bash
# Session 22, call 8 (the V64 build, s22g's binary: falling row ranges on by default from 256 rows a slot): the
# backward over `llm` with peers, ours timed twice.
set -uo pipefail
R=/tmp/s22h; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
cp .gpu/s22h.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
timeout 200 .gpu/rmsnorm-bench run --suite llm --backward --output /tmp/o-02 > $R/02-llm-backward.txt 2>&1
echo "rc=$?" >> $R/steps.txt
for f in csv json svg; do cp /tmp/o-02/benchmark.$f $R/02-llm-backward.$f 2>/dev/null; done
tar czf $OUT/s22h.tgz -C $R .
