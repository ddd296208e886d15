set -uo pipefail
R=$OUT; export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
nvidia-smi --query-gpu=name,driver_version,clocks.max.mem --format=csv > $R/env.txt 2>&1
PYTHONUNBUFFERED=1 timeout 300 python3 .gpu/proto/proto2.py 2>&1 | tee $R/proto.txt
