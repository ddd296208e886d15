#!/usr/bin/env bash
# Session 27, third call (H200): V71, which part of ROW_MINB=5,PACKED32=0 helps at 5120 and how far it reaches.
# Ours only, two alternations.
set -uo pipefail
R=/tmp/s27d; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s27d.tgz -C $R .
}
cp .gpu/s27d.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=65536x5120:bf16,16384x5120:bf16,4096x5120:bf16,256x5120:bf16,65536x4608:bf16,65536x5632:bf16,65536x5120:fp16,16384x8192:bf16,65536x16384:bf16,16384x16384:bf16,4096x16384:bf16
declare -A V=([base]="" [minb5p0]="ROW_MINB=5,PACKED32=0" [p0]="PACKED32=0" [minb6p0]="ROW_MINB=6,PACKED32=0" [m512]="ROW_MINB=3,ROW_MINB_TPR=512,PACKED32=0")
for r in 1 2; do
  for v in base minb5p0 p0 minb6p0 m512; do
    if [ -z "${V[$v]}" ]; then
      step $r-$v timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-$v
    else
      step $r-$v timeout 60 env RMSNORM_KERNEL_DEFINES=${V[$v]} $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-$v
    fi
    cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null
  done
done
tar czf $OUT/s27d.tgz -C $R .
