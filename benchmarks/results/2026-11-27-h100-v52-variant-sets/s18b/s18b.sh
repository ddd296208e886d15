#!/usr/bin/env bash
# Session 18, call 2 (add_harness fixed for the makers' input sets): (a) V52, the fused add storing h after the reduction (HLATE=1), A/B in one process against
# the default (h stored as soon as it is added), beside torch.compile and Liger, at 16 and 256 rows; (b) the
# variants timed over 8 input sets (ours and peers), paced, over the llm suite: the fused add first.
set -uo pipefail
R=/tmp/s18b; mkdir -p $R
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
    tar czf $OUT/s18b.tgz -C $R .
}
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
cp .gpu/s18b.sh $R/
export ROUNDS=10 PER=20 SKIP=copy_two,torch_compile:graph,triton_add,copy_same_bytes
V="ours:npt2,ours:npt2+HLATE=1,ours:npt2#b,ours:npt2+HLATE=1#b,ours:npt2#c,ours:npt2+HLATE=1#c"
for n in 4096 2048 8192; do
  $B run --variant add --shapes 16x$n:bf16,256x$n:bf16 --no-peers --output /tmp/o-warm > /dev/null 2>&1
  N=$n VARIANTS=$V step 20-addh-$n timeout 90 python3 benchmarks/scripts/add_harness.py 256 16
done
for v in llama fp8 add-fp8; do step 3-$v timeout 170 $B run --variant $v --suite llm --output /tmp/o-3-$v; done
