#!/usr/bin/env bash
# Session 21, call 7 (lead 1 of the session's end): the row modules bounded at 2 blocks of 1,024 threads an SM
# (ROW_MINB=2: 32 registers, as torch.compile's kernel) against the default, ours only, alternated twice, at short
# fp32 rows.
set -uo pipefail
R=/tmp/s21g; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s21g.tgz -C $R .
}
cp .gpu/s21g.sh $R/
S=1024x128:fp32,4096x128:fp32,8192x128:fp32,16384x128:fp32,32768x128:fp32,65536x128:fp32,65535x96:fp32
for r in 1 2; do
  step 1$r-base timeout 45 $B run --shapes $S --no-peers --output /tmp/o-1$r-base
  step 2$r-minb2 timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=2 $B run --shapes $S --no-peers --output /tmp/o-2$r-minb2
done
