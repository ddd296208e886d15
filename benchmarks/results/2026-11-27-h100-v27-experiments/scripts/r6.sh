#!/usr/bin/env bash
# Session 8, call 6: ncu with the L2 left as the flush leaves it (dirty), fused add 256 x 4096 bf16; Triton cubins kept.
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
mkdir -p $OUT/f
.gpu/rmsnorm-bench run --variant add --shapes 256x4096:bf16 --no-peers --reps 20 --output /tmp/o > /dev/null 2>&1
M="gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sectors_op_read.sum,lts__t_sectors_op_write.sum,lts__t_sectors_op_read_lookup_miss.sum,launch__registers_per_thread,launch__block_size,launch__grid_size,sm__warps_active.avg.pct_of_peak_sustained_active"
for cc in none all; do
SKIP=torch_compile:graph,copy_two,copy_same_bytes VARIANTS=ours:npt2,probe_add_256x2,probe_add_512x1 ROUNDS=1 PER=4 N=4096 DT=bf16 timeout 200 \
  ncu --cache-control $cc --clock-control none --kernel-name regex:'rmsnorm_fwd_row|triton_|probe_add|^kernel$' --metrics $M \
  python3 benchmarks/scripts/add_harness.py 256 > $OUT/f/ncu-$cc.txt 2>&1
python3 - $OUT/f/ncu-$cc.txt <<'PY'
import re, sys, collections
d = collections.defaultdict(lambda: collections.defaultdict(list)); name = None
for line in open(sys.argv[1]):
    m = re.match(r"^\s\s(\S+) \((\d+), 1, 1\)x\((\d+), 1, 1\)", line)
    if m: name = f"{m.group(1)[:40]} {m.group(2)}x{m.group(3)}"
    m = re.match(r"^\s+(\S+)\s+(\S+)\s+([\d.,]+)\s*$", line)
    if m and name: d[name][m.group(1)].append(float(m.group(3).replace(",", "")))
print(sys.argv[1])
for k, v in d.items():
    print(k); [print(f"   {mk:60s} {' '.join(f'{x:.4g}' for x in mv)}") for mk, mv in v.items()]
PY
done
mkdir -p $OUT/f/cubin; find ~/.triton/cache -name "triton_red_fused*.cubin" -exec cp {} $OUT/f/cubin/ \; ; find ~/.triton/cache -name "kernel.cubin" -exec cp {} $OUT/f/cubin/ \; ; ls $OUT/f/cubin
