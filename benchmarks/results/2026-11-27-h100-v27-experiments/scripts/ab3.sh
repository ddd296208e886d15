#!/usr/bin/env bash
# A/B/C of environment settings: ours only, each configuration in turn, twice. Usage: ab3.sh SHAPES "A=1 B=2" "A=0" ...
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
S=$1; shift
i=0
for r in 1 2; do
  i=0
  for cfg in "$@"; do
    i=$((i + 1))
    env $cfg .gpu/rmsnorm-bench run --variant ${VARIANT:-forward} --shapes $S --no-peers --reps 100 --output /tmp/ab > $OUT/ab3-$r-$i.txt 2>&1
  done
done
N=$# python3 - "$@" <<'PY'
import os, re, sys
out = os.environ["OUT"]; n = int(os.environ["N"])
def load(f):
    d = {}
    for line in open(os.path.join(out, f)):
        m = re.match(r"^(\d+x\d+:\w+)\s+([\d.]+)/", line)
        if m: d[m.group(1)] = float(m.group(2))
    return d
runs = {(r, i): load(f"ab3-{r}-{i}.txt") for r in (1, 2) for i in range(1, n + 1)}
for i, cfg in enumerate(sys.argv[1:], 1): print(f"config {i}: {cfg}")
print(f"{'shape':18s} " + " ".join(f"{'c%d r%d' % (i, r):>8s}" for r in (1, 2) for i in range(1, n + 1)) + "  " + " ".join(f"c{i}/c1" for i in range(2, n + 1)))
for s in runs[(1, 1)]:
    a = {(r, i): runs[(r, i)].get(s, float('nan')) for r in (1, 2) for i in range(1, n + 1)}
    ratios = [(a[(1, i)] + a[(2, i)]) / (a[(1, 1)] + a[(2, 1)]) for i in range(2, n + 1)]
    print(f"{s:18s} " + " ".join(f"{a[(r, i)]:8.2f}" for r in (1, 2) for i in range(1, n + 1)) + "  " + " ".join(f"{x:.3f}" for x in ratios))
PY
