#!/usr/bin/env bash
# Prepared in session 26 for the next session (H200): where torch.compile beats a same-size copy (65,536 x 8192 bf16,
# 65,536 x 4096 fp32) and where every kernel trails it (65,536 x 5120 bf16). Inductor's generated code at those shapes,
# then ncu (clocks and caches left alone, bench state) of ours, our copy and torch.compile's kernel: duration, DRAM
# bytes and throughput, occupancy, registers, L2 hit rates. Then plain graph mode at 256 x 2048 bf16, ours against
# Triton, with PC sampling (the s23g gap: the busiest SM 380-500 cycles longer in ours).
set -uo pipefail
R=/tmp/s27a; mkdir -p $R
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
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s27a.tgz -C $R .
}
cp .gpu/s27a.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
M="gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,lts__t_sector_hit_rate.pct,sm__warps_active.avg.pct_of_peak_sustained_active,launch__registers_per_thread,launch__grid_size,launch__block_size,launch__occupancy_limit_registers,sm__cycles_active.max,sm__cycles_active.avg"
for s in 65536x8192:bf16 65536x4096:fp32 65536x5120:bf16; do
  t=${s%%:*}; d=${s#*:}; m=${s%%x*}; n=${t#*x}
  echo "{\"shapes\": [{\"M\": $m, \"N\": $n, \"dtype\": \"$d\"}], \"methods\": [\"torch_compile\"], \"reps\": 10, \"placements\": 1}" > /tmp/req-$t.json
  step 10-inductor-$t timeout 90 bash -c "TORCH_LOGS=output_code python3 peers/rmsnorm_peers.py < /tmp/req-$t.json"
  step 11-ncu-ours-$t timeout 90 ncu --clock-control none --cache-control none --kernel-name regex:"rmsnorm_(fwd|copy)" --launch-skip 4 --launch-count 6 --metrics $M $B run --shapes $s --no-peers --no-repeat --reps 10 --output /tmp/o-ours
  step 12-ncu-compile-$t timeout 90 bash -c "ncu --clock-control none --cache-control none --kernel-name regex:triton --launch-skip 4 --launch-count 6 --metrics $M python3 peers/rmsnorm_peers.py < /tmp/req-$t.json"
done
NCU="ncu --clock-control none --cache-control none --set full --import-source no --sampling-interval 0 --launch-skip 20 --launch-count 1"
step 20-ncu-graph-ours timeout 90 $NCU --kernel-name regex:rmsnorm_fwd_row --export $R/g-ours $B run --graph --shapes 256x2048:bf16 --no-peers --no-repeat --output /tmp/o-g
step 21-src-graph-ours timeout 60 ncu --import $R/g-ours.ncu-rep --page source --csv --print-source sass
echo '{"shapes": [{"M": 256, "N": 2048, "dtype": "bf16"}], "methods": ["triton_simple"], "reps": 30, "graph": true, "graph_k": 100, "placements": 8}' > /tmp/req-g.json
step 22-ncu-graph-triton timeout 90 bash -c "$NCU --kernel-name regex:^kernel --export $R/g-triton python3 peers/rmsnorm_peers.py < /tmp/req-g.json"
step 23-src-graph-triton timeout 60 ncu --import $R/g-triton.ncu-rep --page source --csv --print-source sass
rm -f $R/*.ncu-rep
tar czf $OUT/s27a.tgz -C $R .
