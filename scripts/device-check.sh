#!/usr/bin/env bash
# One GPU session's steps, run on the device machine from the repository root:
#   scripts/device-check.sh STEP...   (SAN_ELEMENTS, SAN_TIMEOUT for the sanitizer steps; steps: env verify verify-quick memcheck racecheck initcheck synccheck resources stress host
#                                      verify-split (the heuristic taking split-row plans, RMSNORM_SPLIT=1) split-ab (ours: no split, split with and without programmatic launch; twice) split-graph memcheck-split
#                                      bench:ARGS, e.g. "bench:--variant backward --suite llm")
# Needs .gpu/rmsnorm-bench.gz or .gpu/rmsnorm-bench (scripts/build-gpu-binary.sh) and, for Liger, .whl/ (carried).
# Logs go to $OUT (one file per step, numbered); set OUT when running by hand.
set -uo pipefail
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        && export PYTHONPATH=/tmp/site
fi
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
bench=.gpu/rmsnorm-bench
[ -x $bench ] || { gunzip -kf $bench.gz && chmod +x $bench; }
n=0
for step in "$@"; do
    n=$((n + 1))
    log="$OUT/$(printf %02d $n)-${step%%:*}.txt"
    start=$(date +%s)
    case "$step" in
    env) { date -u; nvidia-smi; python3 -c 'import torch, triton; print(torch.__version__, triton.__version__)'; } >"$log" 2>&1 ;;
    verify) $bench verify >"$log" 2>&1 ;;
    verify-quick) $bench verify --quick >"$log" 2>&1 ;;
    memcheck | racecheck | initcheck | synccheck)
        # Every variant case and the forward matrix up to SAN_ELEMENTS (default 200 K) elements a case, under the tool.
        timeout "${SAN_TIMEOUT:-600}" compute-sanitizer --tool "$step" --print-limit 20 $bench verify --quick --max-elements "${SAN_ELEMENTS:-200000}" >"$log" 2>&1 ;;
    memcheck-split)  # the forced split-row plans only (up to 786 K elements a case), under memcheck
        timeout "${SAN_TIMEOUT:-600}" compute-sanitizer --tool memcheck --print-limit 20 $bench verify --quick --match "plan split" >"$log" 2>&1
        # …and the variants at 7 × 65,536 (fused add included: h re-read after the programmatic wait) with the heuristic taking split plans
        RMSNORM_SPLIT=1 timeout "${SAN_TIMEOUT:-600}" compute-sanitizer --tool memcheck --print-limit 20 $bench verify --quick --variants-only --match "x65536" >>"$log" 2>&1 ;;
    verify-split)  # the forward matrix, then every variant at the full matrix's columns (16,384 to 262,144 among them)
        { RMSNORM_SPLIT=1 $bench verify --quick && RMSNORM_SPLIT=1 $bench verify --variants-only; } >"$log" 2>&1 ;;
    split-ab)
        for r in 1 2; do
            for cfg in "RMSNORM_SPLIT=0" "RMSNORM_SPLIT=1 RMSNORM_PDL=1" "RMSNORM_SPLIT=1 RMSNORM_PDL=0"; do
                echo "== $cfg, round $r" >>"$log"
                env $cfg $bench run --no-peers --reps 100 --output /tmp/split-ab \
                    --shapes 1x32768:fp32,1x65536:fp32,1x262144:fp32,1x131072:bf16,4x262144:bf16,16x65536:bf16,16x262144:bf16 >>"$log" 2>&1
            done
        done ;;
    split-graph)  # the split path (programmatic launch included) captured in CUDA graphs, beside the default plans
        for cfg in "RMSNORM_SPLIT=0" "RMSNORM_SPLIT=1"; do
            echo "== $cfg, graph mode" >>"$log"
            env $cfg $bench run --graph --no-peers --output /tmp/split-graph \
                --shapes 1x32768:fp32,1x65536:fp32,1x262144:fp32,4x262144:bf16,16x262144:bf16 >>"$log" 2>&1
        done ;;
    resources) $bench resources --variants >"$log" 2>&1 ;;
    stress) $bench stress >"$log" 2>&1 ;;
    host) $bench host >"$log" 2>&1 ;;
    bench:*) eval "$bench run ${step#bench:} --output /tmp/bench$n" >"$log" 2>&1; cp /tmp/bench$n/benchmark.csv "$OUT/$(printf %02d $n)-bench.csv" 2>/dev/null ;;
    *) echo "unknown step $step" >"$log" ;;
    esac
    echo "step $step: exit $? in $(( $(date +%s) - start )) s; $(tail -1 "$log")"
done
