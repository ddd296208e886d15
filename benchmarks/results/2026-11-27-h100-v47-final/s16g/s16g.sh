#!/usr/bin/env bash
# Session 16, call 7 (final build: V46 and V47): verify --quick; racecheck and memcheck of the backward up to 8,200
# elements (the one-row modules) and racecheck of a fused case (column blocks first); `llm` backward with peers.
set -uo pipefail
R=/tmp/s16g; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
B=.gpu/rmsnorm-bench
step() {
    local name=$1; shift
    local start=$(date +%s)
    "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json svg; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(tail -1 $R/$name.txt)" | tee -a $R/steps.txt
    tar czf $OUT/s16g.tgz -C $R .
}
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
{ date -u; nvidia-smi; python3 -c "import torch, triton, liger_kernel; print(torch.__version__, triton.__version__)"; } > $R/01-env.txt 2>&1
cp .gpu/s16g.sh $R/
step 02-verify-quick $B verify --quick
step 03-racecheck-backward compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 8200
step 04-memcheck-backward compute-sanitizer --tool memcheck --error-exitcode 9 $B verify --variants-only --match backward --max-elements 8200
step 05-racecheck-fused compute-sanitizer --tool racecheck --error-exitcode 9 $B verify --variants-only --match 256x12288
step 40-backward-llm $B run --backward --suite llm --output /tmp/o-40-backward-llm
