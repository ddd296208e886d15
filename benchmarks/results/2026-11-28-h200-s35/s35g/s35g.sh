#!/usr/bin/env bash
# Session 35, call g (H200; prepared as s36-prepared.sh, run with the last device minutes) — lead 1 of session 35: why torch.compile's two-loop kernel
# of 1,024 threads runs 4096 x 24,576 bf16 at a copy's speed (98.5 us) while ours with the same structure (the register
# plan of 1,024 threads read twice, REFETCH=1 in the row modules) ran 134 us and ours' cluster plan 110.5 (s35c).
# ncu of the three kernels side by side, same sections, plus the cache and DRAM counters that separate them.
# Prediction: Inductor's kernel reads ~100 MB from DRAM for the 201 MB of x and the re-read (L2 hit rate of the second
# read ~100%), ours read twice the same; if ours reads markedly more DRAM bytes, its evict_last first read is not kept
# in L2 (policy or L1 carveout); if not, the difference is in the issue of the stores (ours behind branches).
set -uo pipefail
R=/tmp/s36a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
{ date -u; nvidia-smi; ncu --version; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s36a.tgz -C $R .; }
cat > /tmp/one.py <<'PY'
import sys, torch, torch.nn.functional as F
m, n = int(sys.argv[1]), int(sys.argv[2])
x = torch.randn(m, n, device="cuda").to(torch.bfloat16); w = torch.randn(n, device="cuda").to(torch.bfloat16)
f = torch.compile(lambda a, b: F.rms_norm(a, (n,), b, 1e-6), dynamic=False)
for _ in range(8): f(x, w)
torch.cuda.synchronize()
PY
SEC="--section SpeedOfLight --section LaunchStats --section Occupancy --section WarpStateStats --section MemoryWorkloadAnalysis --section MemoryWorkloadAnalysis_Tables --section SourceCounters"
MET="--metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sectors_srcunit_tex_op_read.sum,lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum,l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum,l1tex__t_sectors_pipe_lsu_mem_global_op_ld_lookup_hit.sum,sm__warps_active.avg.pct_of_peak_sustained_active"
export TORCHINDUCTOR_CACHE_DIR=/tmp/ind
step 10-compile 150 ncu --kernel-name regex:triton --launch-skip 5 --launch-count 1 $SEC $MET python3 /tmp/one.py 4096 24576
step 11-ours-cluster 120 ncu --kernel-name regex:rmsnorm_fwd_smem_c2 --launch-skip 2 --launch-count 1 $SEC $MET $B run --shapes 4096x24576:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o11
step 12-ours-refetch 150 env RMSNORM_KERNEL_DEFINES=REFETCH=1 ncu --kernel-name regex:rmsnorm_fwd_row_npt4 --launch-skip 2 --launch-count 1 $SEC $MET $B tune --shapes 4096x24576:bf16 --reps 3 --output /tmp/o12
step 13-ours-registers 150 ncu --kernel-name regex:rmsnorm_fwd_row_npt4 --launch-skip 2 --launch-count 1 $SEC $MET $B tune --shapes 4096x24576:bf16 --reps 3 --output /tmp/o13
tar czf $OUT/s36a.tgz -C $R .
