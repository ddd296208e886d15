#!/usr/bin/env bash
# Builds the deployable rmsnorm-bench: Swift runtime and libstdc++ linked statically, so the
# binary needs only glibc (plus, at run time, the NVIDIA driver and NVRTC, found by dlopen).
# Output: .gpu/rmsnorm-bench (an ignored folder, carried to the GPU machine).
set -euo pipefail
cd "$(dirname "$0")/.."
cxx=$(g++ -print-file-name=libstdc++.a)
mkdir -p .build/static-cxx
ln -sf "$cxx" .build/static-cxx/libstdc++.a
swift build -c release --static-swift-stdlib --product rmsnorm-bench \
    -Xlinker -L"$PWD/.build/static-cxx" -Xswiftc -Xclang-linker -Xswiftc -static-libgcc
mkdir -p .gpu
cp .build/release/rmsnorm-bench .gpu/
ldd .gpu/rmsnorm-bench
ls -la .gpu/rmsnorm-bench
