#!/usr/bin/env bash
# V26 b: the fused add in one harness with probes and kernel knobs; bench A/B of WBATCH and LOAD_FENCE.
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
nvidia-smi --query-gpu=name,driver_version --format=csv > $OUT/01-env.txt; date -u >> $OUT/01-env.txt
S=1x4096:bf16,16x4096:bf16,256x4096:bf16,4096x4096:bf16
.gpu/rmsnorm-bench run --variant add --shapes $S --no-peers --reps 20 --output /tmp/b1 > /tmp/fill.txt 2>&1
RMSNORM_VARIANT_ELEMENTS=8 .gpu/rmsnorm-bench run --variant add --shapes $S --no-peers --reps 20 --output /tmp/b2 > /tmp/fill-8.txt 2>&1
N=4096 DT=bf16 python3 benchmarks/scripts/add_harness.py 16 256 4096 > $OUT/02-add-harness.txt 2>&1
cat $OUT/02-add-harness.txt
VARIANT=add bash .gpu/ab3.sh 256x4096:bf16,256x2048:bf16,4096x4096:bf16,16384x4096:bf16,4096x8192:bf16,256x4096:fp16,4096x4096:fp16 "X=0" "RMSNORM_KERNEL_DEFINES=WBATCH=1" "RMSNORM_KERNEL_DEFINES=WBATCH=1,LOAD_FENCE=1" > $OUT/03-ab-add.txt 2>&1
cat $OUT/03-ab-add.txt
ROUNDS=1 PER=3 N=4096 DT=bf16 timeout 200 ncu --clock-control none --kernel-name regex:'rmsnorm_fwd|triton_|probe_add|^kernel$' \
  --metrics gpu__time_duration.sum,dram__bytes_read.sum,launch__registers_per_thread,launch__block_size \
  python3 benchmarks/scripts/add_harness.py 256 > $OUT/04-ncu-256.txt 2>&1
python3 - > $OUT/04-ncu-summary.txt <<'PY'
import re, os, collections
d = collections.defaultdict(list); name = None
for line in open(os.path.join(os.environ["OUT"], "04-ncu-256.txt")):
    m = re.match(r"^\s\s(\S+) \((\d+), 1, 1\)x\((\d+), 1, 1\)", line)
    if m: name = f"{m.group(1)} {m.group(3)}thr"
    m = re.search(r"gpu__time_duration.sum\s+\S+\s+([\d.]+)", line)
    if m and name: d[name].append(float(m.group(1)))
for k, v in d.items(): print(f"{k:50s} " + " ".join(f"{x:.2f}" for x in v))
PY
cat $OUT/04-ncu-summary.txt
