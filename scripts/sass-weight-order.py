#!/usr/bin/env python3
"""Where the loop-free register kernels issue their weight loads, read from the SASS (no GPU needed).

Compiles the forward row modules (`ROW_TPR` = 32 … 1024) of Sources/RMSNorm/Kernels/rmsnorm.cu for sm_90 with NVRTC,
disassembles them with nvdisasm and prints, for each `rmsnorm_fwd_row_nptK`, the index of its first x load, its first
weight load (`LDG…CONSTANT`), its first arithmetic on loaded data and how many loads precede that arithmetic. "LATE" marks
kernels whose weight loads come after it, i.e. after x has arrived: at few rows their DRAM round trip follows x's
(benchmarks/NOTES.md, session 36, "held weights that ptxas loads late").

Usage: scripts/sass-weight-order.py [NAME=VALUE …]   (kernel defines, e.g. IN_T=2 W_T=2 VEC=8 RESID=1)
Needs NVRTC and nvdisasm, e.g. `pip install nvidia-cuda-nvrtc nvidia-cuda-nvdisasm`; found in site-packages, or given by
RMSNORM_NVRTC (the library's path) and NVDISASM (the program's).
"""
import ctypes
import glob
import os
import re
import subprocess
import sys
import sysconfig
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "Sources", "RMSNorm", "Kernels", "rmsnorm.cu")


def find(env, pattern):
    if os.environ.get(env):
        return os.environ[env]
    roots = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    hits = sorted(h for r in roots for h in glob.glob(os.path.join(r, "nvidia", "cu*", pattern)))
    if not hits:
        sys.exit(f"{pattern} not found: pip install nvidia-cuda-nvrtc nvidia-cuda-nvdisasm, or set {env}")
    return hits[-1]


def compile_cubin(nvrtc, defines):
    source = open(SOURCE, "rb").read()
    options = [b"--gpu-architecture=sm_90", b"--std=c++17", b"-default-device"] + [b"-D" + d.encode() for d in defines]
    program = ctypes.c_void_p()
    if nvrtc.nvrtcCreateProgram(ctypes.byref(program), source, b"rmsnorm.cu", 0, None, None) != 0:
        sys.exit("nvrtcCreateProgram failed")
    status = nvrtc.nvrtcCompileProgram(program, len(options), (ctypes.c_char_p * len(options))(*options))
    size = ctypes.c_size_t()
    if status != 0:
        nvrtc.nvrtcGetProgramLogSize(program, ctypes.byref(size))
        log = ctypes.create_string_buffer(size.value)
        nvrtc.nvrtcGetProgramLog(program, log)
        sys.exit("compile failed:\n" + log.value.decode(errors="replace"))
    nvrtc.nvrtcGetCUBINSize(program, ctypes.byref(size))
    cubin = ctypes.create_string_buffer(size.value)
    nvrtc.nvrtcGetCUBIN(program, cubin)
    return cubin.raw


def main():
    defines = sys.argv[1:]
    nvrtc = ctypes.CDLL(find("RMSNORM_NVRTC", "lib/libnvrtc.so*"))
    nvdisasm = find("NVDISASM", "bin/nvdisasm")
    math = re.compile(r"\b(FADD|FFMA|FMUL|F2FP|HADD2)\b")
    with tempfile.TemporaryDirectory() as tmp:
        for tpr in [32, 64, 128, 256, 512, 1024]:
            path = os.path.join(tmp, f"row{tpr}.cubin")
            with open(path, "wb") as f:
                f.write(compile_cubin(nvrtc, [f"ROW_TPR={tpr}"] + defines))
            sass = subprocess.run([nvdisasm, path], capture_output=True, text=True, check=True).stdout
            for npt in [1, 2, 4]:
                name = f"rmsnorm_fwd_row_npt{npt}"
                section = re.search(r"\t\.section\t\.text\." + name + r",.*?(?=\t\.section\t|\Z)", sass, re.S)
                if not section:
                    continue
                lines = [l for l in section.group(0).split("\n") if "/*" in l]
                first_w = next((i for i, l in enumerate(lines) if "LDG" in l and "CONSTANT" in l), None)
                first_x = next((i for i, l in enumerate(lines) if "LDG" in l and "CONSTANT" not in l), None)
                first_math = next((i for i, l in enumerate(lines) if math.search(l)), None)
                before = sum(1 for l in lines[:first_math] if "LDG" in l) if first_math is not None else None
                late = first_w is not None and first_math is not None and first_w > first_math
                print(f"tpr={tpr:4d} {name:22s} x@{first_x} weight@{first_w} arithmetic@{first_math} "
                      f"loads before it={before}{'  LATE' if late else ''}")


if __name__ == "__main__":
    main()
