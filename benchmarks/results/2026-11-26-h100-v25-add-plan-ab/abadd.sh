#!/usr/bin/env bash
# Fused add at few rows: the elements-per-thread cap (8, 16, default 32 → the few-rows rule's 16).
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
S=1x4096:bf16,16x4096:bf16,256x2048:bf16,256x4096:bf16,256x8192:bf16,256x4096:fp16,256x4096:fp32,4096x4096:bf16
for r in 1 2; do for c in 8 16 32; do
  RMSNORM_VARIANT_ELEMENTS=$c .gpu/rmsnorm-bench run --variant add --shapes $S --no-peers --reps 100 --output /tmp/aa > $OUT/abadd-$r-$c.txt 2>&1
done; done
python3 - <<'PY'
import os, re
out = os.environ["OUT"]
def load(f):
    d = {}
    for line in open(os.path.join(out, f)):
        m = re.match(r"^(\d+x\d+:\w+)\s+([\d.]+)/", line)
        if m: d[m.group(1)] = (float(m.group(2)), line.rstrip().split("  ")[-1])
    return d
runs = {(r, c): load(f"abadd-{r}-{c}.txt") for r in (1, 2) for c in (8, 16, 32)}
for s in runs[(1, 32)]:
    print(f"{s:16s} " + "  ".join(f"cap{c}: {runs[(1, c)][s][0]:6.2f} {runs[(2, c)][s][0]:6.2f}" for c in (8, 16, 32)))
    for c in (8, 16, 32): print(f"    cap{c} plan: {runs[(1, c)][s][1]}")
PY
