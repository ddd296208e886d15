#!/usr/bin/env bash
# Session 33, call 3 (H200): V86 (pipelined rows over clusters). verify the forced pipelined plans and the variants
# that take them; ours only A/B (RMSNORM_PIPELINE=0 against the default, and =1 below the rule), two alternations;
# then compute-sanitizer (memcheck, racecheck) over the forced pipelined plans.
set -uo pipefail
R=/tmp/s33c; mkdir -p $R
T0=$(date +%s)
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
step() {
    local name=$1 budget=$2; shift 2
    if [ $(( $(date +%s) - T0 + budget )) -gt 580 ]; then echo "$name: skipped (time)" | tee -a $R/steps.txt; return; fi
    local start=$(date +%s)
    timeout $budget "$@" > $R/$name.txt 2>&1
    local rc=$?
    for f in csv json; do [ -f /tmp/o-$name/benchmark.$f ] && cp /tmp/o-$name/benchmark.$f $R/$name.$f; done
    echo "$name: rc=$rc in $(( $(date +%s) - start )) s; $(grep -h 'passed\|ERROR SUMMARY' $R/$name.txt | tail -1 | cut -c1-140)" | tee -a $R/steps.txt
    tar czf $OUT/s33c.tgz -C $R .
}
cp .gpu/s33c.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
step 02-verify-pipelined 150 stdbuf -oL $B verify --match pipelined
step 03-verify-variants 120 stdbuf -oL $B verify --variants-only --match 70x
S1=64x262144:fp32,512x65536:fp32,64x262144:bf16,128x131072:bf16,256x65536:fp32,32x262144:fp32
S2=16x65536:fp32,32x131072:fp32,16x131072:bf16
for r in 1 2; do
    step $r-off 50 env RMSNORM_PIPELINE=0 $B run --shapes $S1 --no-peers --no-repeat --output /tmp/o-$r-off
    step $r-on 50 $B run --shapes $S1 --no-peers --no-repeat --output /tmp/o-$r-on
    step $r-low-off 40 env RMSNORM_PIPELINE=0 $B run --shapes $S2 --no-peers --no-repeat --output /tmp/o-$r-low-off
    step $r-low-on 40 env RMSNORM_PIPELINE=1 $B run --shapes $S2 --no-peers --no-repeat --output /tmp/o-$r-low-on
done
for f in $R/[12]-*.csv; do echo "$(basename $f .csv) $(grep ',ours,' $f | cut -d, -f2,3,4,6 | tr '\n' ' ')"; done | tee $R/summary.txt
step 20-memcheck 120 compute-sanitizer --tool memcheck $B verify --match pipelined --max-elements 3000000
step 21-racecheck 120 compute-sanitizer --tool racecheck $B verify --match pipelined --max-elements 1300000
tar czf $OUT/s33c.tgz -C $R .
