set -uo pipefail
R=$OUT; export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
nvidia-smi --query-gpu=name,driver_version,clocks.max.mem --format=csv > $R/env.txt 2>&1
PYTHONUNBUFFERED=1 timeout 200 python3 .gpu/proto/proto3.py 2>&1 | tee $R/proto3.txt
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
timeout 150 .gpu/rmsnorm-bench run --shapes 4096x11008:bf16,4096x24576:bf16,4096x32768:bf16,2048x65536:bf16,4096x16384:fp32,4096x12288:fp32,1024x32768:fp32,4096x8192:bf16,16384x8192:bf16 --no-peers --output $R/ours > $R/ours.txt 2>&1
grep -A14 "^Sweep" $R/ours.txt
