#!/usr/bin/env bash
# Prepared in session 27 for the next session (H200), one call, ours only. Lead 1: `tune` at bf16 rows under 9/16 of
# the 4 x 256 layout (4104-4600 columns, staged today; the launcher bounds the tuner's register plans there at 5 blocks
# an SM), to see whether V72's threshold can go down to 1/2. Lead 2: fp16 under the bound with the packed layout and
# the weight read after the reduction (PACKED_WREG=0: 48 registers, an 8-byte spill of four 16-bit values, against
# PACKED32=0's 36 bytes), and bf16's bounded module with the packed layout (PACKED32=1, PACKED_WREG=0: 47 registers,
# no spill) against V71's PACKED32=0; two alternations.
set -uo pipefail
R=/tmp/s28a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s28a.tgz -C $R .
}
cp .gpu/s28a.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 10-tune timeout 120 $B tune --shapes 65536x4104:bf16,65536x4352:bf16,16384x4352:bf16,65536x4600:bf16,4096x4352:bf16 --verbose --output /tmp/o-10
cp /tmp/o-10/tune.csv $R/10-tune.csv 2>/dev/null
S=65536x5120:fp16,16384x5120:fp16,4096x5120:fp16,65536x4608:fp16,65536x5120:bf16,16384x5120:bf16,65536x8192:fp16,65536x8192:bf16
for r in 1 2; do
  step $r-base timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-base
  step $r-wlate timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=5,PACKED_WREG=0 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-wlate
  step $r-packed timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=5,PACKED32=1,PACKED_WREG=0 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-packed
  for v in base wlate packed; do cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
tar czf $OUT/s28a.tgz -C $R .
