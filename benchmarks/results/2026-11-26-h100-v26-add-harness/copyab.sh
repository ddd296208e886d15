#!/usr/bin/env bash
# V26 c: the copy reference by cuMemcpy (as until now) or by a kernel; ours only, alternated twice.
nvidia-smi --query-gpu=name,driver_version --format=csv > $OUT/01-env.txt; date -u >> $OUT/01-env.txt
A=1x4096:bf16,16x4096:bf16,256x2048:bf16,256x4096:bf16,4096x4096:bf16,256x4096:fp32
F=1x4096:bf16,16x4096:bf16,256x2048:bf16,256x4096:bf16,256x8192:bf16,4096x4096:bf16,16x4096:fp32
echo "== add"; VARIANT=add bash .gpu/ab3.sh $A "RMSNORM_BENCH_COPY=memcpy" "RMSNORM_BENCH_COPY=kernel"
for r in 1 2; do for i in 1 2; do echo "-- add run $r config $i"; grep -E "^(Measured|[0-9]+x)" $OUT/ab3-$r-$i.txt | cut -c1-50; done; done
mkdir -p $OUT/add; mv $OUT/ab3-* $OUT/add/
echo "== forward"; bash .gpu/ab3.sh $F "RMSNORM_BENCH_COPY=memcpy" "RMSNORM_BENCH_COPY=kernel"
for r in 1 2; do for i in 1 2; do echo "-- forward run $r config $i"; grep -E "^(Measured|[0-9]+x)" $OUT/ab3-$r-$i.txt | cut -c1-50; done; done
