#!/usr/bin/env bash
# Session 21, call 2: the forward at N = 128 fp32 (seed: 16,384 and 32,768 rows, ours 0.92-0.93 of torch.compile):
# torch.compile's generated kernel; ncu of ours and of torch.compile's kernel inside their bench runs (after the
# bench's flush, --cache-control none, clocks left alone): time, DRAM bytes, grid, block, registers, occupancy;
# XPOLICY 0/1/2 for ours, alternated twice.
set -uo pipefail
R=/tmp/s21b; mkdir -p $R
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
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s21b.tgz -C $R .
}
cp .gpu/s21b.sh .gpu/dump_fwd.py $R/
step 02-inductor-code timeout 120 env TORCH_LOGS=output_code python3 .gpu/dump_fwd.py 16384x128 32768x128 65535x96
M="gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,launch__grid_size,launch__block_size,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,lts__t_sectors_srcunit_tex_op_read_lookup_miss.sum"
for s in 16384x128 32768x128; do
  step 10-ncu-ours-$s timeout 120 ncu --clock-control none --cache-control none --kernel-name regex:rmsnorm_fwd --launch-count 80 --metrics $M $B run --shapes $s:fp32 --no-peers --reps 20 --output /tmp/o-ours
  M2=${s%x*}; echo "{\"shapes\": [{\"M\": $M2, \"N\": 128, \"dtype\": \"fp32\"}], \"methods\": [\"torch_compile\", \"torch_copy\"], \"reps\": 20}" > /tmp/req-$s.json
  step 11-ncu-compile-$s timeout 150 bash -c "ncu --clock-control none --cache-control none --kernel-name regex:'triton|copy|Memcpy' --launch-count 80 --metrics $M python3 peers/rmsnorm_peers.py < /tmp/req-$s.json"
done
S=8192x128:fp32,16384x128:fp32,32768x128:fp32,65536x128:fp32,65535x96:fp32,4096x769:fp32,4096x4096:bf16,256x4096:bf16
for r in 1 2; do
  for p in 2 0 1; do step 2$r-xpolicy$p timeout 60 env RMSNORM_KERNEL_DEFINES=XPOLICY=$p $B run --shapes $S --no-peers --output /tmp/o-2$r-xpolicy$p; done
done
