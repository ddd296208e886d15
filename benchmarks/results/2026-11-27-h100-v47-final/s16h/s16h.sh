#!/usr/bin/env bash
# Session 16, call 8 (final build, after call 7's verify --quick, 3,594 passed, whose racecheck over every backward
# case up to 8,200 elements ran past the call's limit): `llm` backward with peers; racecheck and memcheck of one bf16
# row's backward (the one-row modules) and racecheck of a fused case (column blocks first), each time-limited.
set -uo pipefail
R=/tmp/s16h; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16h.tgz -C $R .
}
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
{ date -u; nvidia-smi; python3 -c "import torch, triton, liger_kernel; print(torch.__version__, triton.__version__)"; } > $R/01-env.txt 2>&1
cp .gpu/s16h.sh $R/
step 40-backward-llm $B run --backward --suite llm --output /tmp/o-40-backward-llm
step 03-racecheck-one timeout 150 compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match "backward bf16/w:bf16 1x" --max-elements 8200
step 04-memcheck-one timeout 150 compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match "backward bf16/w:bf16 1x" --max-elements 8200
step 05-racecheck-fused timeout 90 compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match 256x12288
