#!/usr/bin/env bash
# Session 30, call 3 (H200), build with V78 (16-bit rows of 7/10 to 7/8 of 4 x 256 read twice):
# verify of the 8,448-row cases; V78 confirmed by its switch (RMSNORM_HIGH_BANDWIDTH is too broad, so against the
# s30a numbers and by plan); the fused add: plan and store-order A/Bs, then torch.compile's add kernel (Inductor's
# source kept) and ncu of it beside ours at 16,384 x 4096 / 65,536 x 8192 bf16.
set -uo pipefail
R=/tmp/s30c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'geometric mean\|passed' $R/$name.txt | tail -1 | cut -c1-120)" | tee -a $R/steps.txt
    [ $(stat -c %s $R/$name.txt) -gt 100000 ] && gzip -f $R/$name.txt
    tar czf $OUT/s30c.tgz -C $R .
}
cp .gpu/s30c.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 02-verify-8448 timeout 120 stdbuf -oL $B verify --match 8448x
# V78 shapes, default build (expect 'refetch' in the plan at 6144 / 6656).
step 03-v78 timeout 60 $B run --shapes 65536x6144:bf16,65536x6144:fp16,65536x6656:bf16,16384x6144:bf16,65536x5736:bf16,65536x5728:bf16 --no-peers --no-repeat --output /tmp/o-03
S=65536x8192:bf16,16384x8192:bf16,65536x7168:bf16,65536x5120:bf16,65536x4096:bf16,16384x4096:bf16,65536x4096:fp16,65536x16384:bf16,4096x8192:bf16,65536x4096:fp32
run() { local name=$1; shift; step $name timeout 60 env "$@" $B run --variant add --shapes $S --no-peers --no-repeat --output /tmp/o-$name; cp /tmp/o-$name/benchmark.csv $R/$name.csv 2>/dev/null; }
for r in 1 2; do
  run $r-base X=0
  run $r-ve16 RMSNORM_VARIANT_ELEMENTS=16
  run $r-hlate RMSNORM_KERNEL_DEFINES=HLATE=1
done
# torch.compile's fused add: Inductor's kernel source, and ncu beside ours.
export TORCHINDUCTOR_CACHE_DIR=/tmp/ind
M="gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,lts__t_sector_hit_rate.pct,launch__registers_per_thread,launch__grid_size,launch__block_size,sm__warps_active.avg.pct_of_peak_sustained_active,smsp__inst_executed.sum,smsp__average_warp_latency_issue_stalled_long_scoreboard.ratio,lts__t_sectors_srcunit_tex_op_write.sum"
for s in 16384:4096 65536:8192; do
  m=${s%%:*}; n=${s##*:}
  echo "{\"variant\": \"add\", \"methods\": [\"torch_compile\"], \"reps\": 10, \"shapes\": [{\"M\": $m, \"N\": $n, \"dtype\": \"bf16\"}]}" > /tmp/req-$m.json
  step 20-ncu-compile-$m timeout 120 bash -c "ncu --clock-control none --cache-control none --kernel-name regex:'triton_' --launch-skip 4 --launch-count 3 --metrics $M python3 peers/rmsnorm_peers.py < /tmp/req-$m.json"
  step 21-ncu-ours-$m timeout 60 ncu --clock-control none --cache-control none --kernel-name regex:"rmsnorm_fwd_row" --launch-skip 4 --launch-count 3 --metrics $M $B run --variant add --shapes ${m}x${n}:bf16 --no-peers --no-repeat --reps 10 --output /tmp/o-21
done
mkdir -p $R/inductor; find /tmp/ind -name '*.py' -size -200k -exec grep -l "rms\|rsqrt" {} \; | head -20 | xargs -I{} cp {} $R/inductor/ 2>/dev/null
tar czf $OUT/s30c.tgz -C $R .
