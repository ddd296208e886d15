#!/usr/bin/env bash
# Session 20, call 7 (the final build, 4fe9bdd: V57 + V58): verify --quick in full; V58's check (the stage cap
# lifted with RMSNORM_BWD_STAGE_KB=1024 against the default, ours only, alternated twice); the backward over llm
# with peers.
set -uo pipefail
R=/tmp/s20g; mkdir -p $R
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
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed\|ERROR SUMMARY' $R/$name.txt | tail -1 | cut -c1-200)" | tee -a $R/steps.txt
    tar czf $OUT/s20g.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s20g.sh $R/
step 02-verify-quick timeout 330 stdbuf -oL $B verify --quick
S=4096x4096:bf16,4096x5120:bf16,4096x7168:bf16,4096x8192:bf16,4096x16384:bf16,16384x16384:bf16
for r in 1 2; do
  step 1$r-v58 timeout 40 $B run --variant backward --shapes $S --no-peers --output /tmp/o-1$r-v58
  RMSNORM_BWD_STAGE_KB=1024 step 2$r-nocap timeout 40 $B run --variant backward --shapes $S --no-peers --output /tmp/o-2$r-nocap
done
step 30-backward timeout 200 $B run --variant backward --suite llm --output /tmp/o-30-backward
