#!/usr/bin/env bash
# Prepared in session 26 for the next session (H200), second call after s27a: the placement probe (ours with its
# operands offset into their allocations, RMSNORM_BENCH_OFFSET) and V69's A/B (ROW_MINB), ours only, two alternations.
set -uo pipefail
R=/tmp/s27b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s27b.tgz -C $R .
}
cp .gpu/s27b.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
# Placement (lead 3): ours at the same shapes with its operands offset into their allocations, two alternations.
P=65536x5120:bf16,65536x8192:bf16,4096x9216:bf16,16384x4096:bf16,256x4096:bf16
for r in 1 2; do for o in 0 4096 65536 1048576; do
  step 3$r-offset-$o timeout 60 env RMSNORM_BENCH_OFFSET=$o $B run --shapes $P --no-peers --no-repeat --output /tmp/o-3$r-offset-$o
  cp /tmp/o-3$r-offset-$o/benchmark.csv $R/3$r-offset-$o.csv 2>/dev/null
done; done
# V69 (prepared in session 26): the row modules' register kernels bounded at more blocks an SM (ROW_MINB), against
# the default, two alternations. Might need a call of its own.
S2=65536x8192:bf16,16384x8192:bf16,65536x7168:bf16,65536x5120:bf16,16384x5120:bf16,4096x8192:bf16,65536x4096:bf16,16384x4096:bf16,65536x4096:fp32,16384x4096:fp32
for r in 1 2; do
  step 4$r-base timeout 60 $B run --shapes $S2 --no-peers --no-repeat --output /tmp/o-4$r-base
  step 5$r-minb5 timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=5 $B run --shapes $S2 --no-peers --no-repeat --output /tmp/o-5$r-minb5
  step 6$r-minb5p0 timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=5,PACKED32=0 $B run --shapes $S2 --no-peers --no-repeat --output /tmp/o-6$r-minb5p0
  step 7$r-minb10t128 timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=10,ROW_MINB_TPR=128 $B run --shapes $S2 --no-peers --no-repeat --output /tmp/o-7$r-minb10t128
  for v in base minb5 minb5p0 minb10t128; do cp /tmp/o-*$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
tar czf $OUT/s27b.tgz -C $R .
