#!/usr/bin/env bash
# Prepared in session 29 for the next session (H200), lead 1: at 4096 x 8192 / 7168 bf16 Triton's plain one-pass
# kernel at ours' own layout (8 warps, 32 elements a thread, no cache hints) runs ~3% faster than ours (s29c, s29d).
# ncu (clocks and caches left alone) of ours, our copy, the probe's one-pass kernel and torch.compile's: duration,
# DRAM bytes / throughput, L2 and L1 hit rates, registers, occupancy, active-cycle spread; the probe's cubin kept
# (ptxas / nvdisasm from PyPI read it on the dev machine). Then two ours-only A/Bs (leads 3-4).
set -uo pipefail
R=/tmp/s30a; mkdir -p $R
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
    tar czf $OUT/s30a.tgz -C $R .
}
cp .gpu/s30a.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
M="gpu__time_duration.sum,dram__bytes_read.sum,dram__bytes_write.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,lts__t_sector_hit_rate.pct,l1tex__t_sector_hit_rate.pct,sm__warps_active.avg.pct_of_peak_sustained_active,launch__registers_per_thread,launch__occupancy_limit_registers,launch__grid_size,launch__block_size,sm__cycles_active.max,sm__cycles_active.avg,smsp__average_warp_latency_issue_stalled_long_scoreboard.ratio"
export TRITON_CACHE_DIR=/tmp/tc-probe
for s in 4096x8192:bf16 4096x7168:bf16; do
  t=${s%%:*}
  step 10-ncu-ours-$t timeout 90 ncu --clock-control none --cache-control none --kernel-name regex:"rmsnorm_(fwd|copy)" --launch-skip 4 --launch-count 6 --metrics $M $B run --shapes $s --no-peers --no-repeat --reps 10 --output /tmp/o-ours
  step 11-ncu-probe-$t timeout 120 env VARIANTS=rN.w8.none.none.one ROUNDS=1 PER=5 ncu --clock-control none --cache-control none --kernel-name regex:"one_pass|triton" --launch-skip 2 --launch-count 6 --metrics $M python3 benchmarks/scripts/loop_probe.py $s
done
mkdir -p $R/cache
find /tmp/tc-probe -type f \( -name 'one_pass*.cubin' -o -name 'one_pass*.ptx' \) -exec cp --parents {} $R/cache/ \;
step 20-time timeout 120 env VARIANTS=rN.w8.none.none.one ROUNDS=4 PER=20 python3 benchmarks/scripts/loop_probe.py 4096x8192:bf16 4096x7168:bf16
# Leads 3-4 of session 29, ours only, two alternations: x read twice between 7/10 and 7/8 of 4 x 256 (REFETCH=1 forced),
# and the chunked second pass where the launcher reads partly filled rows twice (fp16 4104-5728 columns).
S=65536x6144:bf16,65536x6144:fp16,65536x6656:bf16,16384x6144:bf16,65536x5120:fp16,65536x4608:fp16,16384x5120:fp16,65536x8192:bf16
run() { local name=$1; shift; step $name timeout 60 env "$@" $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$name; cp /tmp/o-$name/benchmark.csv $R/$name.csv 2>/dev/null; }
for r in 1 2; do
  run $r-base X=0
  run $r-rf RMSNORM_KERNEL_DEFINES=REFETCH=1
  run $r-chunk RMSNORM_KERNEL_DEFINES=REFETCH_CHUNKED=1
done
tar czf $OUT/s30a.tgz -C $R .
# Session 30 addition: the fused add over llm with peers on the H200 (first time on this card; H100 s18d 0.988).
step 30-add timeout 200 $B run --variant add --suite llm --output /tmp/o-30-add
for f in csv json svg; do [ -f /tmp/o-30-add/benchmark.$f ] && cp /tmp/o-30-add/benchmark.$f $R/30-add.$f; done
grep -h "geometric mean" $R/30-add.txt | tee -a $R/steps.txt
tar czf $OUT/s30a.tgz -C $R .
