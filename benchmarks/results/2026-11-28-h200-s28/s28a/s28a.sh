#!/usr/bin/env bash
# Session 28, call 1 (H200). Lead 1: `tune` at bf16 rows under 9/16 of the 4 x 256 layout (4104-4600 columns,
# staged today; the tuner's register plans there run bounded at 5 blocks an SM), to see whether V72's threshold can
# go down to 1/2. Lead 2: fp16 under the bound with the packed layout and the weight read after the reduction
# (PACKED_WREG=0) and bf16's bounded module with the packed layout, against the default, two alternations. Lead 3:
# Inductor's kernel kept (Triton cache: TTGIR, PTX, cubin, chosen config) at 65,536 x 8192 bf16 and x 4096 fp32,
# and loop_probe.py (its structure rebuilt in Triton, one part switched at a time) beside torch.compile and a copy.
set -uo pipefail
R=/tmp/s28a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s" | tee -a $R/steps.txt
    tar czf $OUT/s28a.tgz -C $R .
}
cp .gpu/s28a.sh benchmarks/scripts/loop_probe.py $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=65536x5120:fp16,16384x5120:fp16,4096x5120:fp16,65536x4608:fp16,65536x5120:bf16,16384x5120:bf16,65536x8192:fp16,65536x8192:bf16
for r in 1 2; do
  step $r-base timeout 60 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-base
  step $r-wlate timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=5,PACKED_WREG=0 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-wlate
  step $r-packed timeout 60 env RMSNORM_KERNEL_DEFINES=ROW_MINB=5,PACKED32=1,PACKED_WREG=0 $B run --shapes $S --no-peers --no-repeat --output /tmp/o-$r-packed
  for v in base wlate packed; do cp /tmp/o-$r-$v/benchmark.csv $R/$r-$v.csv 2>/dev/null; done
done
step 10-tune timeout 120 $B tune --shapes 65536x4104:bf16,65536x4352:bf16,16384x4352:bf16,65536x4600:bf16,4096x4352:bf16 --verbose --output /tmp/o-10
cp /tmp/o-10/tune.csv $R/10-tune.csv 2>/dev/null
for s in 65536x8192:bf16 65536x4096:fp32; do
  t=${s%%:*}; d=${s#*:}; m=${s%%x*}; n=${t#*x}
  echo "{\"shapes\": [{\"M\": $m, \"N\": $n, \"dtype\": \"$d\"}], \"methods\": [\"torch_compile\"], \"reps\": 10, \"placements\": 1}" > /tmp/req-$t.json
  step 20-inductor-$t timeout 120 env TRITON_CACHE_DIR=/tmp/tc-$t TORCHINDUCTOR_CACHE_DIR=/tmp/ic-$t TORCH_LOGS=output_code bash -c "python3 peers/rmsnorm_peers.py < /tmp/req-$t.json"
  mkdir -p $R/cache-$t
  find /tmp/tc-$t /tmp/ic-$t -type f \( -name '*.ttgir' -o -name '*.ptx' -o -name '*.cubin' -o -name '*.json' -o -name '*.best_config' \) -size -2M -exec cp --parents {} $R/cache-$t/ \;
done
step 30-probe timeout 240 env TRITON_CACHE_DIR=/tmp/tc-probe python3 benchmarks/scripts/loop_probe.py 65536x8192:bf16 65536x4096:fp32 16384x8192:bf16
tar czf $OUT/s28a.tgz -C $R .
