#!/usr/bin/env bash
# Session 8, call 5: fused add at 16/256 rows: probes with h stored late, x and r re-read after the reduction; inductor's chosen configs.
set -uo pipefail
export RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache
mkdir -p $OUT/e
.gpu/rmsnorm-bench run --variant add --shapes 16x4096:bf16,256x4096:bf16 --no-peers --reps 20 --output /tmp/o > /dev/null 2>&1
P=probe_add_256x2,probe_add_256x2_late,probe_add_256x2_reload,probe_add_512x1,probe_add_512x1_late,probe_add_512x1_reload,probe_add_128x4,probe_add_128x4_reload
SKIP=torch_compile:graph,copy_two VARIANTS=ours:npt2,$P,ours:npt2#b N=4096 DT=bf16 timeout 200 python3 benchmarks/scripts/add_harness.py 16 256 > $OUT/e/1-add-probes.txt 2>&1
tail -32 $OUT/e/1-add-probes.txt
rm -rf /tmp/torchinductor_root
python3 .gpu/dump_inductor.py 256 4096 > /dev/null 2>&1
python3 .gpu/dump_inductor.py 16 4096 > /dev/null 2>&1
for f in $(find /tmp/torchinductor_$(whoami) -name "*.best_config"); do echo "$f: $(cat $f)"; done > $OUT/e/2-inductor-best-configs.txt 2>&1
cat $OUT/e/2-inductor-best-configs.txt | sed 's/.*\///' | cut -c1-300
