#!/usr/bin/env bash
# A/B of an environment switch (default RMSNORM_ROW_MODULES): ours only, VAR=0 and VAR=1 alternated twice.
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
S=$1; VAR=${2:-RMSNORM_ROW_MODULES}
for r in 1 2; do
  for v in 0 1; do
    env $VAR=$v .gpu/rmsnorm-bench run --shapes $S --no-peers --reps 100 --output /tmp/ab > $OUT/abrow-$r-$v.txt 2>&1
  done
done
python3 - <<'PY'
import os, re
out = os.environ["OUT"]
def load(f):
    d = {}
    for line in open(os.path.join(out, f)):
        m = re.match(r"^(\d+x\d+:\w+)\s+([\d.]+)/", line)
        if m: d[m.group(1)] = float(m.group(2))
    return d
runs = {(r, v): load(f"abrow-{r}-{v}.txt") for r in (1, 2) for v in (0, 1)}
print(f"{'shape':18s} {'off r1':>8s} {'on r1':>8s} {'off r2':>8s} {'on r2':>8s}  on/off")
for s in runs[(1, 0)]:
    a = [runs[(r, v)].get(s, float('nan')) for r in (1, 2) for v in (0, 1)]
    print(f"{s:18s} " + " ".join(f"{x:8.2f}" for x in a) + f"  {(a[1] + a[3]) / (a[0] + a[2]):.3f}")
PY
