#!/usr/bin/env bash
# Session 22, call 6 (HEAD + the BWD_SMPROBE probe define, off by default, SASS of the default module unchanged):
# each block's SM and its start and end (%globaltimer) in the staged backward, at N = 16,384 for 4096, 16,384 and
# 65,536 rows: which SMs run the kernel slowly (s22b: the fastest SM's active cycles 72-74% of the slowest's).
set -uo pipefail
R=/tmp/s22f; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -c SMPROBE $R/$name.txt) probe lines" | tee -a $R/steps.txt
    gzip -kf $R/$name.txt
    tar czf $OUT/s22f.tgz -C $R --exclude='*.txt' . 
    tar czf $OUT/s22f-small.tgz -C $R steps.txt s22f.sh 2>/dev/null
}
cp .gpu/s22f.sh $R/
{ date -u; nvidia-smi -q | grep -iE "product|clocks|bus" | head -20; } > $R/01-env.txt 2>&1; gzip -kf $R/01-env.txt
for s in 4096x16384 16384x16384 65536x16384; do
  step 1-$s timeout 120 env RMSNORM_KERNEL_DEFINES=BWD_SMPROBE=1 $B run --variant backward --shapes $s:bf16 --no-peers --no-repeat --reps 5 --output /tmp/o-$s
done
