#!/usr/bin/env bash
# s41a: V103 (BWD_L2PF: the persistent backward's rows prefetched into L2 by the TMA engine D row steps ahead) and the
# forward's next-wave prefetch (FWD_L2PF=P); both experiment defines, off by default. Carry .gpu. Predictions in NOTES
# ("Session 41 start").
set -uo pipefail
R=/tmp/s41a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s41a.tgz -C $R .; }
BW=65536x7168:bf16,16384x7168:bf16,65536x5120:bf16,16384x5120:bf16,65536x4096:bf16,16384x4096:bf16,65536x8192:bf16,65536x2048:bf16,65536x16384:bf16,16384x16384:bf16,4096x16384:bf16,4096x7168:bf16,65536x4096:fp16,65536x4096:fp32
step 10-bwd-copy 120 $B run --variant backward --no-peers --shapes $BW --output $R/bwd-copy
step 20-ab-bwd-4 150 $B ab --variant backward --shapes $BW --defines BWD_L2PF=4 --output $R/ab-bwd-4
step 21-ab-bwd-8 150 $B ab --variant backward --shapes 65536x7168:bf16,16384x7168:bf16,65536x5120:bf16,65536x4096:bf16,65536x16384:bf16,4096x16384:bf16 --defines BWD_L2PF=8 --output $R/ab-bwd-8
step 30-ab-fwd-264 60 $B ab --shapes 4096x16384:bf16,16384x16384:bf16 --defines FWD_L2PF=264 --output $R/ab-fwd-264
step 31-ab-fwd-528 60 $B ab --shapes 4096x8192:bf16,4096x7168:bf16,65536x8192:bf16 --defines FWD_L2PF=528 --output $R/ab-fwd-528
step 32-ab-add-264 60 $B ab --variant add --shapes 4096x7168:bf16,4096x8192:bf16 --defines FWD_L2PF=264 --output $R/ab-add-264
step 33-ab-add-528 60 $B ab --variant add --shapes 4096x5120:bf16 --defines FWD_L2PF=528 --output $R/ab-add-528
step 40-verify-bwd-l2pf 200 env RMSNORM_KERNEL_DEFINES=BWD_L2PF=4 $B verify --quick --variants-only --match backward
tar czf $OUT/s41a.tgz -C $R .
