#!/usr/bin/env bash
# Session 35, call c (H200): the register plans read twice (REFETCH=1 in every row module: Inductor's structure, 1,024
# threads a row, compile-time layout) in tune's space at wide rows, against the same space without; ncu of ours'
# cluster plan and of Inductor's kernel at 4096 x 24,576 bf16 (warp states).
set -uo pipefail
R=/tmp/s35c; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s35c.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s35c.tgz -C $R .; }
T=4096x24576:bf16,1024x32768:fp32,4096x32768:bf16,2048x65536:bf16,1024x49152:bf16,4096x20000:fp32
step 20-tune-rf 170 env RMSNORM_KERNEL_DEFINES=REFETCH=1,PASS2_U=2 $B tune --verbose --reps 20 --shapes $T --output $R/tune-rf
step 21-tune-u2 170 env RMSNORM_KERNEL_DEFINES=PASS2_U=2 $B tune --verbose --reps 20 --shapes $T --output $R/tune-u2
step 22-tune-rf-again 170 env RMSNORM_KERNEL_DEFINES=REFETCH=1,PASS2_U=2 $B tune --verbose --reps 20 --shapes $T --output $R/tune-rf2
cat > /tmp/one.py <<'PY'
import sys, torch, torch.nn.functional as F
m,n,dt=int(sys.argv[1]),int(sys.argv[2]),{"bf16":torch.bfloat16,"fp32":torch.float32}[sys.argv[3]]
x=torch.randn(m,n,device="cuda").to(dt); w=torch.randn(n,device="cuda").to(dt)
f=torch.compile(lambda a,b: F.rms_norm(a,(n,),b,1e-6),dynamic=False)
for _ in range(8): f(x,w)
torch.cuda.synchronize()
PY
export TORCHINDUCTOR_CACHE_DIR=/tmp/ind2
SEC="--section SpeedOfLight --section LaunchStats --section Occupancy --section WarpStateStats --section MemoryWorkloadAnalysis --section SchedulerStats"
step 40-ncu-compile 150 ncu --kernel-name regex:triton --launch-skip 5 --launch-count 1 $SEC python3 /tmp/one.py 4096 24576 bf16
step 41-ncu-ours 120 ncu --kernel-name regex:rmsnorm_fwd_smem_c2 --launch-skip 3 --launch-count 1 $SEC $B run --shapes 4096x24576:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o41
tar czf $OUT/s35c.tgz -C $R .
