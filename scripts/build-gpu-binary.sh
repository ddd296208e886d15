#!/usr/bin/env bash
# Builds the deployable rmsnorm-bench: Swift runtime and libstdc++ linked statically, so the
# binary needs only glibc (plus, at run time, the NVIDIA driver and NVRTC, found by dlopen).
# Output: .gpu/rmsnorm-bench.gz (an ignored folder, carried to the GPU machine): stripped and gzipped (~6 MB), since
# the tracked files and the carried folders must stay under the device's 64 MiB; unpack there with
#   gunzip -kf .gpu/rmsnorm-bench.gz && chmod +x .gpu/rmsnorm-bench
# `--keep` also leaves the unpacked .gpu/rmsnorm-bench (to run it here).
# Clean by default: an incremental release build once kept a module reading `CUDADevice.name` at an old
# offset after an internal struct stored in it grew, and the binary crashed at its first line on the GPU
# (V50 in benchmarks/NOTES.md). `--incremental` skips the clean step (~1 min saved) for edits that cannot
# change a type's layout.
set -euo pipefail
cd "$(dirname "$0")/.."
incremental=0 keep=0
for a in "$@"; do case $a in --incremental) incremental=1 ;; --keep) keep=1 ;; *) echo "unknown option $a" >&2; exit 2 ;; esac; done
if [ $incremental = 0 ] && [ -e .build/release ]; then
    rm -rf "$(readlink -f .build/release)"
fi
cxx=$(g++ -print-file-name=libstdc++.a)
mkdir -p .build/static-cxx
ln -sf "$cxx" .build/static-cxx/libstdc++.a
swift build -c release --static-swift-stdlib --product rmsnorm-bench \
    -Xlinker -L"$PWD/.build/static-cxx" -Xswiftc -Xclang-linker -Xswiftc -static-libgcc
mkdir -p .gpu
cp .build/release/rmsnorm-bench .gpu/
strip .gpu/rmsnorm-bench
ldd .gpu/rmsnorm-bench
gzip -9 -c .gpu/rmsnorm-bench > .gpu/rmsnorm-bench.gz
[ $keep = 1 ] || rm .gpu/rmsnorm-bench
ls -la .gpu/
