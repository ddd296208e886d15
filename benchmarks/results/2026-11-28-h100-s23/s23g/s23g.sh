#!/usr/bin/env bash
# Session 23, call 7 (the s23e binary): plain graph mode trails Triton at 1-256 rows of 2048-4096 columns (s23f,
# 0.92-0.97). ncu inside both harnesses' graph-mode runs (kernel nodes profiled one by one, caches and clocks left
# alone): is the gap in the kernels' durations or between them?
set -uo pipefail
R=/tmp/s23g; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s23g.tgz -C $R .
}
cp .gpu/s23g.sh $R/
M="gpu__time_duration.sum,launch__grid_size,launch__block_size,launch__registers_per_thread,smsp__inst_executed.sum,sm__cycles_active.max"
for s in 256x2048:bf16 256x4096:bf16; do
  step 10-ncu-ours-$s timeout 70 ncu --clock-control none --cache-control none --kernel-name regex:rmsnorm_fwd --launch-skip 20 --launch-count 20 --metrics $M $B run --graph --shapes $s --no-peers --no-repeat --output /tmp/o-ours
  m=${s%%x*}; n=${s#*x}; n=${n%:*}
  echo "{\"shapes\": [{\"M\": $m, \"N\": $n, \"dtype\": \"bf16\"}], \"methods\": [\"triton_simple\"], \"reps\": 20, \"graph\": true, \"graph_k\": 100, \"placements\": 8}" > /tmp/req-$m.json
  step 11-ncu-triton-$s timeout 70 bash -c "ncu --clock-control none --cache-control none --kernel-name regex:^kernel --launch-skip 20 --launch-count 20 --metrics $M python3 peers/rmsnorm_peers.py < /tmp/req-$m.json"
done
