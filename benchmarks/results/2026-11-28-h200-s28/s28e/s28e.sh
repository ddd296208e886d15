#!/usr/bin/env bash
# Session 28, call 5 (H200): the Triton probe's two-pass kernel at 2 x 512 (r4096.w16.last.first, 65,536 x 8192 bf16),
# its cubin and PTX kept, to compare with our REFETCH kernel at the same layout (lead 1 of session 28).
set -uo pipefail
R=/tmp/s28e; mkdir -p $R
cp .gpu/s28e.sh $R/
export TRITON_CACHE_DIR=/tmp/tc-probe
VARIANTS=r4096.w16.last.first,r8192.w16.last.first ROUNDS=2 PER=10 timeout 150 python3 benchmarks/scripts/loop_probe.py 65536x8192:bf16 > $R/10-probe.txt 2>&1
echo "rc=$?" >> $R/10-probe.txt
mkdir -p $R/cache
find /tmp/tc-probe -type f \( -name 'two_pass*' -o -name 'one_pass*' \) -exec cp --parents {} $R/cache/ \;
tar czf $OUT/s28e.tgz -C $R .
