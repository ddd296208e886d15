#!/usr/bin/env python3
"""Liger's fused add forward kernel compiled for sm_90 here, with no GPU: registers, stack and SASS (NOTES, session 40).

Reads the kernel from an unpacked Liger wheel (nothing of Liger is kept in this repository), compiles it with Triton for
the launch Liger picks (BLOCK_SIZE = next power of two of N; 4 warps, 8 from 2048, 16 from 8192) with every pointer
16-byte aligned and every integer argument divisible by 16 (Triton's own specialisation at 4096-8192 columns), bf16
operands and Liger's "gemma" casting mode (the bench's), and prints the resource use and the SASS.

    pip download --no-deps -d /tmp/w triton==3.6.0 liger-kernel==0.8.5
    pip install --no-deps --target /tmp/tri /tmp/w/triton-*.whl && unzip -q /tmp/w/liger_kernel-*.whl -d /tmp/liger
    PYTHONPATH=/tmp/tri python3 benchmarks/scripts/liger_add_sass.py /tmp/liger 5120 > liger_5120.sass
"""
import importlib.util
import os
import subprocess
import sys
import tempfile

import triton
from triton.backends.compiler import GPUTarget
from triton.compiler import ASTSource


def kernel_module(liger_root):
    lines = open(os.path.join(liger_root, "liger_kernel", "ops", "fused_add_rms_norm.py")).read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("def _fused_add_rms_norm_forward_kernel")) - 1
    end = next(i for i, l in enumerate(lines) if i > start + 2 and l.startswith("@triton.jit"))
    header = ("import triton\nimport triton.language as tl\nfrom triton.language.extra.libdevice import rsqrt\n"
              "_CASTING_MODE_NONE: tl.constexpr = tl.constexpr(-1)\n_CASTING_MODE_LLAMA: tl.constexpr = tl.constexpr(0)\n"
              "_CASTING_MODE_GEMMA: tl.constexpr = tl.constexpr(1)\n")
    path = os.path.join(tempfile.mkdtemp(), "liger_add_kernel.py")
    open(path, "w").write(header + "\n".join(lines[start:end]))
    spec = importlib.util.spec_from_file_location("liger_add_kernel", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    liger_root, n = sys.argv[1], int(sys.argv[2])
    block = triton.next_power_of_2(n)
    warps = 32 if block >= 32768 else 16 if block >= 8192 else 8 if block >= 2048 else 4
    names = ["Y_ptr", "Y_row_stride", "S_ptr", "S_row_stride", "X_ptr", "X_row_stride", "R_ptr", "R_row_stride",
             "W_ptr", "W_row_stride", "RSTD_ptr", "RSTD_row_stride", "n_cols", "eps", "offset", "casting_mode", "BLOCK_SIZE"]
    types = ["*bf16", "i32"] * 5 + ["*fp32", "i32", "i32", "fp32", "fp32", "constexpr", "constexpr"]
    aligned = [i for i, t in enumerate(types) if t.startswith("*") or t == "i32"]
    source = ASTSource(fn=kernel_module(liger_root)._fused_add_rms_norm_forward_kernel, signature=dict(zip(names, types)),
                       constexprs={"casting_mode": 1, "BLOCK_SIZE": block},
                       attrs={(i,): [["tt.divisibility", 16]] for i in aligned})
    kernel = triton.compile(source, target=GPUTarget("cuda", 90, 32), options={"num_warps": warps})
    cubin = tempfile.NamedTemporaryFile(suffix=".cubin", delete=False)
    cubin.write(kernel.asm["cubin"])
    cubin.close()
    tools = os.path.join(os.path.dirname(triton.__file__), "backends", "nvidia", "bin")
    usage = subprocess.run([os.path.join(tools, "cuobjdump"), "-res-usage", cubin.name], capture_output=True, text=True)
    print(f"# N = {n}: BLOCK_SIZE {block}, {warps} warps;",
          " ".join(l.strip() for l in usage.stdout.splitlines() if "REG:" in l))
    print(subprocess.run([os.path.join(tools, "nvdisasm"), "-c", cubin.name], capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
