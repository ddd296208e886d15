#!/usr/bin/env bash
# s40g: our 2 x 512 fused add in Liger's launch shape (3 blocks of 512 an SM at 40 registers): the weight read after the
# reduction (WREG_SMALL=0), bounded at 3 blocks (ROW_MINB=3: 40 registers, a 4-byte spill), the packed sum; in the e16
# process (4096 x 5120 at 2 x 512) and the default one (7168 / 8192 at 2 x 512). Carry .gpu. Prediction in NOTES.
set -uo pipefail
R=/tmp/s40g; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache RMSNORM_BENCH_PLACEMENTS=1
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s $(tail -n 1 $R/$name.txt)" | tee -a $R/steps.txt; tar czf $OUT/s40g.tgz -C $R .; }
D=WREG_SMALL=0,ROW_MINB=3,ROW_MINB_TPR=512,HADD_PACKED=1
step 10-e16 50 env RMSNORM_VARIANT_ELEMENTS=16 $B ab --variant add --shapes 4096x5120:bf16 --defines $D --output $R/e16
step 11-default 50 $B ab --variant add --shapes 4096x5120:bf16,4096x7168:bf16,4096x8192:bf16 --defines $D --output $R/default
tar czf $OUT/s40g.tgz -C $R .
