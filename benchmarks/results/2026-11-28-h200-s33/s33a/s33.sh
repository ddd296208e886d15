#!/usr/bin/env bash
# Prepared in session 32 for the next session (H200), one call of ~2 minutes (lead 1 of session 32: the small-M state).
# The forward at three 16-row shapes, ours only, in 8 processes with one y a process (the default) and 8 with a y per
# input set (RMSNORM_BENCH_Y=sets), alternating. If the ~5.0 µs state follows y's placement, the `sets` processes
# show it less often (or in proportion to the sets); if not, y is cleared and the weight is next.
#   bash .gpu/s33.sh      (after scripts/build-gpu-binary.sh; carry .gpu)
set -uo pipefail
R=/tmp/s33a; mkdir -p $R
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
gunzip -kf .gpu/rmsnorm-bench.gz; chmod +x .gpu/rmsnorm-bench
B=.gpu/rmsnorm-bench
cp .gpu/s33.sh $R/
{ date -u; nvidia-smi; } > $R/01-env.txt 2>&1
S=16x7168:bf16,16x8192:bf16,16x4096:fp32
for r in 1 2 3 4 5 6 7 8; do
    for y in one sets; do
        env $([ $y = sets ] && echo RMSNORM_BENCH_Y=sets) timeout 40 $B run --shapes $S --no-peers --no-repeat \
            --output /tmp/o-$r-$y > $R/$r-$y.txt 2>&1
        echo "$r-$y: rc=$?" >> $R/steps.txt
        cp /tmp/o-$r-$y/benchmark.csv $R/$r-$y.csv; cp /tmp/o-$r-$y/benchmark.json $R/$r-$y.json
    done
done
# One line a process: ours' median [p25–p75] at each shape (the quartiles tell a shifted distribution from a
# mixture of two states).
for f in $R/[0-9]-*.json; do
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sys.argv[2], '  '.join('%dx%d %.2f [%.2f-%.2f]' % (r['M'], r['N'], r['median_us'], r['p25_us'], r['p75_us']) for r in d['results'] if r['method'] == 'ours'))" $f $(basename $f .json)
done | tee $R/summary.txt
tar czf $OUT/s33a.tgz -C $R .
