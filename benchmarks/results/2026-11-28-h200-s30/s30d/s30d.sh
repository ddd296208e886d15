#!/usr/bin/env bash
# Session 30, call 4 (H200): V78 at 3/4 (bf16 7/10-3/4 back on the plain module), V79 (the fused add's 16-bit rows
# that fill 2 x 256 / 2 x 512 take 2 vectors a thread), V80 (experiment: the fused add reads x and the residual twice,
# h stored with y on the second pass, as Inductor's kernel). Verify first, then ours-only A/Bs, then the add suite with peers.
set -uo pipefail
R=/tmp/s30d; mkdir -p $R
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
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed' $R/$name.txt | tail -1 | cut -c1-140)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s30d.tgz -C $R .
}
cp .gpu/s30d.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 02-verify-8448 timeout 60 stdbuf -oL $B verify --match 8448x
step 03-verify-add timeout 100 stdbuf -oL $B verify --quick --variants-only --match add
step 04-verify-add-v80 timeout 100 stdbuf -oL env RMSNORM_KERNEL_DEFINES=REFETCH=1 $B verify --quick --variants-only --match add
S=65536x8192:bf16,16384x8192:bf16,65536x7168:bf16,65536x4096:bf16,16384x4096:bf16,65536x4096:fp16,4096x8192:bf16,4096x4096:bf16,65536x5120:bf16,65536x4096:fp32
run() { local name=$1; shift; step $name timeout 60 env "$@" $B run --variant add --shapes $S --no-peers --no-repeat --output /tmp/o-$name; }
for r in 1 2; do
  run $r-base X=0
  run $r-ve32 RMSNORM_VARIANT_ELEMENTS=32
  run $r-rf RMSNORM_KERNEL_DEFINES=REFETCH=1
  run $r-rf32 RMSNORM_VARIANT_ELEMENTS=32 RMSNORM_KERNEL_DEFINES=REFETCH=1
done
step 30-add timeout 200 $B run --variant add --suite llm --output /tmp/o-30-add
tar czf $OUT/s30d.tgz -C $R .
