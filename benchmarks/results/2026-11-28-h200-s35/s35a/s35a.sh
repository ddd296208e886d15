#!/usr/bin/env bash
# Session 35, call a (H200): (1) verify of the forced staged 48 KB case (not yet run on a GPU); (2) Inductor's kernel at
# wide rows of many rows (code and autotuned config kept) beside loop_probe's two-pass Triton kernels of several chunks
# and warps; (3) ours and our copy at the same shapes, ours' plans listed; (4) ncu of compile's kernel and ours.
set -uo pipefail
R=/tmp/s35a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s35a.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step() { local name=$1 t=$2; shift 2; local b=$(date +%s); timeout $t "$@" > $R/$name.txt 2>&1; echo "$name rc=$? $(( $(date +%s) - b )) s" | tee -a $R/steps.txt; tar czf $OUT/s35a.tgz -C $R .; }
step 10-verify 150 $B verify --match 264x24576
S="4096x24576:bf16 1024x32768:fp32 4096x32768:bf16 2048x65536:bf16"
export TORCHINDUCTOR_CACHE_DIR=$R/ind TRITON_CACHE_DIR=/tmp/tc PYTHONUNBUFFERED=1
step 20-probe 200 env VARIANTS=r1024.w4.last.first,r2048.w8.last.first,r2048.w16.last.first,r4096.w8.last.first,r4096.w16.last.first,r8192.w16.last.first,r4096.w16.none.none ROUNDS=3 PER=10 python3 benchmarks/scripts/loop_probe.py $S
step 30-ours 120 $B run --shapes 4096x24576:bf16,1024x32768:fp32,4096x32768:bf16,2048x65536:bf16 --no-peers --no-repeat
find $R/ind -name '*.py' -size -200k | xargs grep -l "def triton" > $R/ind-files.txt 2>/dev/null
mkdir -p $R/kern; i=0; for f in $(cat $R/ind-files.txt); do i=$((i+1)); cp $f $R/kern/k$i.py; done
find $R/ind /tmp/tc -name '*.best_config' -exec sh -c 'echo "== $1"; cat "$1"; echo' _ {} \; > $R/best-configs.txt 2>&1
rm -rf $R/ind; tar czf $OUT/s35a.tgz -C $R .
cat > /tmp/one.py <<'PY'
import sys, torch, torch.nn.functional as F
m,n,dt=int(sys.argv[1]),int(sys.argv[2]),{"bf16":torch.bfloat16,"fp32":torch.float32}[sys.argv[3]]
x=torch.randn(m,n,device="cuda").to(dt); w=torch.randn(n,device="cuda").to(dt)
f=torch.compile(lambda a,b: F.rms_norm(a,(n,),b,1e-6),dynamic=False)
for _ in range(8): f(x,w)
torch.cuda.synchronize()
PY
export TORCHINDUCTOR_CACHE_DIR=/tmp/ind2
step 40-ncu-compile-24576 150 ncu --kernel-name regex:triton --launch-skip 5 --launch-count 1 --section SpeedOfLight --section LaunchStats --section Occupancy --section MemoryWorkloadAnalysis python3 /tmp/one.py 4096 24576 bf16
step 41-ncu-ours-24576 120 ncu --kernel-name regex:rmsnorm_fwd --launch-skip 3 --launch-count 1 --section SpeedOfLight --section LaunchStats --section Occupancy --section MemoryWorkloadAnalysis $B run --shapes 4096x24576:bf16 --no-peers --no-repeat --reps 3 --output /tmp/o41
step 42-ncu-compile-32768f 150 ncu --kernel-name regex:triton --launch-skip 5 --launch-count 1 --section SpeedOfLight --section LaunchStats --section Occupancy --section MemoryWorkloadAnalysis python3 /tmp/one.py 1024 32768 fp32
tar czf $OUT/s35a.tgz -C $R .
