#!/usr/bin/env bash
# Session 18, call 3:
# (a) V52 over the whole llm suite: the fused add (and add + fp8) with h stored after the reduction
# (RMSNORM_KERNEL_DEFINES=HLATE=1) against the default, ours only, three alternations; (b) the backward over llm
# with peers, timed over 8 input sets (ours and peers).
set -uo pipefail
R=/tmp/s18c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean' $R/$name.txt | cut -c1-160)" | tee -a $R/steps.txt
    tar czf $OUT/s18c.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s18c.sh $R/
for round in 1 2 3; do
  for mode in 0 1; do
    for v in add add-fp8; do
      RMSNORM_KERNEL_DEFINES=HLATE=$mode step 2$round-$v-h$mode timeout 80 $B run --variant $v --suite llm --no-peers --output /tmp/o-2$round-$v-h$mode
    done
  done
done
step 30-backward timeout 200 $B run --variant backward --suite llm --output /tmp/o-30-backward
