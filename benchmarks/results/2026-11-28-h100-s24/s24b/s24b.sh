#!/usr/bin/env bash
# Session 24, call 2: V66 (YPOLICY, y stored with an L2 priority), ours only, event-timed after the flush, two
# alternations of 0 / YPOLICY=2 / YPOLICY=2 + XPOLICY=1 / YPOLICY=2 + XPOLICY=0; then ncu's DRAM bytes inside the kernel
# at 32 K x 128 fp32 and 4096 x 4096 bf16 for ours (0 and 2), our copy, torch.compile and torch's copy_.
set -uo pipefail
R=/tmp/s24b; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|ERROR SUMMARY' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 200000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s24b.tgz -C $R .
}
cp .gpu/s24b.sh $R/
{ date -u; nvidia-smi; nvidia-smi -q | grep -iE "product name|driver|cuda|clocks" | head -20; } > $R/01-env.txt 2>&1
S=$(for m in 4096 8192 16384 32768 65536 262144 1048576; do printf "%sx128:fp32," $m; done)1024x4096:bf16,4096x2048:bf16,4096x4096:bf16,4096x8192:bf16,16384x4096:bf16,65536x4096:bf16,4096x4096:fp16,4096x4096:fp32
e() { step $1 timeout 120 env RMSNORM_KERNEL_DEFINES=$2 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$1; }
for r in 1 2; do
  e 1$r-y0 YPOLICY=0
  e 2$r-y2 YPOLICY=2
  e 3$r-y2x1 YPOLICY=2,XPOLICY=1
  e 4$r-y2x0 YPOLICY=2,XPOLICY=0
done
M=gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,sm__warps_active.avg.pct_of_peak_sustained_active,launch__grid_size,launch__block_size,launch__registers_per_thread
for s in 32768x128:fp32 4096x4096:bf16; do
  for d in YPOLICY=0 YPOLICY=2; do
    step 50-ncu-ours-$d-${s%%:*} timeout 90 env RMSNORM_KERNEL_DEFINES=$d ncu --clock-control none --cache-control none --kernel-name regex:"rmsnorm_fwd|rmsnorm_copy" --launch-skip 20 --launch-count 6 --metrics $M $B run --shapes $s --no-peers --no-repeat --reps 20 --output /tmp/o-ncu
  done
  m=${s%%x*}; n=${s#*x}; n=${n%:*}; t=${s#*:}
  echo "{\"shapes\": [{\"M\": $m, \"N\": $n, \"dtype\": \"$t\"}], \"methods\": [\"torch_compile\", \"torch_copy\"], \"reps\": 20, \"placements\": 8}" > /tmp/req.json
  step 60-ncu-peers-${s%%:*} timeout 150 bash -c "ncu --clock-control none --cache-control none --kernel-name regex:'triton_|copy|elementwise_kernel' --launch-skip 30 --launch-count 30 --metrics $M python3 peers/rmsnorm_peers.py < /tmp/req.json"
done
