#!/usr/bin/env bash
# On the GPU machine: each backward kernel's own time at the given shapes, as ncu measures it inside a bench run
# (kernels serialised; `--cache-control none`, so the dw reduction finds the partial rows where the row kernel left
# them; clocks left alone), beside the bench's time of the whole call. For NOTES' lead "the backward's fixed cost".
# Usage: scripts/ncu-backward.sh OUTDIR [SHAPE …]   (default shapes: 4096x2048:bf16 4096x4096:bf16 16384x4096:bf16)
# The bench verifies 7 shapes before it times; --launch-skip 40 steps past them.
set -uo pipefail
out=${1:?output folder}; shift
shapes=("$@"); [ ${#shapes[@]} -gt 0 ] || shapes=(4096x2048:bf16 4096x4096:bf16 16384x4096:bf16)
bench=${RMSNORM_BENCH:-.gpu/rmsnorm-bench}
[ -x "$bench" ] || { gunzip -kf "$bench.gz" && chmod +x "$bench"; }
mkdir -p "$out"
for s in "${shapes[@]}"; do
    ncu --clock-control none --cache-control none --kernel-name regex:"rmsnorm_bwd|rmsnorm_dw_reduce" \
        --launch-skip 40 --launch-count 6 \
        --metrics gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,launch__grid_size,launch__block_size \
        "$bench" run --variant backward --shapes "$s" --no-peers --reps 20 --output "$out/o-$s" > "$out/ncu-$s.txt" 2>&1
    "$bench" run --variant backward --shapes "$s" --no-peers --output "$out/o-$s" > "$out/bench-$s.txt" 2>&1
    echo "== $s"; grep -E "^  rmsnorm_|gpu__time_duration" "$out/ncu-$s.txt"; grep -E "^$s" "$out/bench-$s.txt"
done
