"""Ours and the peers timed by one harness in one process (benchmarks/NOTES.md, V22).

The bench compares ours (timed by rmsnorm-bench, in Swift) with the peers (timed by peers.py,
in Python). Both use the same method, but they are two processes and two harnesses. This script
loads our compiled kernels from rmsnorm-bench's disk cache (RMSNORM_CACHE_DIR, filled by a run
of the bench on the same machine) through the driver API and times them with peers.py's own
`time_events` beside Triton's kernel and PyTorch's copy, the methods interleaved in rounds.

    RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache python3 benchmarks/scripts/same_harness.py [M ...]
"""
import ctypes
import glob
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "peers"))
import rmsnorm_peers as peers  # noqa: E402
import bisect_patches  # noqa: E402

MAGIC = b"RMSNORM-CUBIN-1\n"


def cache_entries(directory):
    for path in glob.glob(os.path.join(directory, "*.cubin")):
        data = open(path, "rb").read()
        if not data.startswith(MAGIC):
            continue
        at = len(MAGIC)
        klen = int.from_bytes(data[at:at + 8], "little")
        at += 8
        key = data[at:at + klen].decode()
        at += klen
        length = int.from_bytes(data[at:at + 8], "little")
        at += 8 + 16
        yield key, data[at:at + length]


def find_module(directory, in_t, vec):
    """The full forward module, or with ROW_TPR=T (environment) the row module of T threads a row."""
    row_tpr = os.environ.get("ROW_TPR")
    for key, cubin in cache_entries(directory):
        defs = dict(re.findall(r"-D(\w+)=(\S+)", key))
        extra = set(defs) - {"IN_T", "W_T", "VEC", "CACHE_HINTS"} - ({"ROW_TPR"} if row_tpr else set())
        if (defs.get("IN_T") == str(in_t) and defs.get("W_T") == str(in_t) and defs.get("VEC") == str(vec) and not extra
                and defs.get("ROW_TPR") == row_tpr):
            return key, cubin
    raise SystemExit(f"no forward module IN_T={in_t} VEC={vec} in {directory}: run rmsnorm-bench there first")


class Driver:
    def __init__(self):
        self.lib = ctypes.CDLL("libcuda.so.1")

    def check(self, rc, what):
        if rc != 0:
            raise RuntimeError(f"{what} failed: CUresult {rc}")

    def load(self, cubin):
        mod = ctypes.c_void_p()
        buf = ctypes.create_string_buffer(cubin, len(cubin))
        self.check(self.lib.cuModuleLoadData(ctypes.byref(mod), buf), "cuModuleLoadData")
        return mod

    def function(self, mod, name):
        f = ctypes.c_void_p()
        self.check(self.lib.cuModuleGetFunction(ctypes.byref(f), mod, name.encode()), f"cuModuleGetFunction {name}")
        return f


def launcher(drv, fn, grid, block, smem, stream, args):
    params = (ctypes.c_void_p * len(args))(*[ctypes.cast(ctypes.pointer(a), ctypes.c_void_p) for a in args])
    h = ctypes.c_void_p(stream)

    def call():
        rc = drv.lib.cuLaunchKernel(fn, grid, 1, 1, block, 1, 1, smem, h, params, None)
        if rc != 0:
            raise RuntimeError(f"cuLaunchKernel: {rc}")
    call.keep = (args, params)
    return call


class LaunchConfig(ctypes.Structure):  # CUlaunchConfig, no attributes
    _fields_ = [("gridDimX", ctypes.c_uint), ("gridDimY", ctypes.c_uint), ("gridDimZ", ctypes.c_uint),
                ("blockDimX", ctypes.c_uint), ("blockDimY", ctypes.c_uint), ("blockDimZ", ctypes.c_uint),
                ("sharedMemBytes", ctypes.c_uint), ("hStream", ctypes.c_void_p), ("attrs", ctypes.c_void_p),
                ("numAttrs", ctypes.c_uint)]


def launcher_ex(drv, fn, grid, block, smem, stream, args):
    """As `launcher`, through cuLaunchKernelEx (the entry point Triton's launcher uses)."""
    params = (ctypes.c_void_p * len(args))(*[ctypes.cast(ctypes.pointer(a), ctypes.c_void_p) for a in args])
    cfg = LaunchConfig(grid, 1, 1, block, 1, 1, smem, stream, None, 0)

    def call():
        rc = drv.lib.cuLaunchKernelEx(ctypes.byref(cfg), fn, params, None)
        if rc != 0:
            raise RuntimeError(f"cuLaunchKernelEx: {rc}")
    call.keep = (args, params, cfg)
    return call


def fresh_y(drv, fn, grid, block, smem, stream, make_args, x):
    """A launcher whose y is a new tensor each call (PyTorch's caching allocator), as the peers' is."""
    torch = peers.torch
    h = ctypes.c_void_p(stream)

    def call():
        y = torch.empty_like(x)
        args = make_args(y)
        params = (ctypes.c_void_p * len(args))(*[ctypes.cast(ctypes.pointer(a), ctypes.c_void_p) for a in args])
        rc = drv.lib.cuLaunchKernel(fn, grid, 1, 1, block, 1, 1, smem, h, params, None)
        if rc != 0:
            raise RuntimeError(f"cuLaunchKernel: {rc}")
        return y
    return call


def ours_args(x, w, y, m, n, npt, vec, eps):
    tpr = n // (npt * vec)
    return [ctypes.c_void_p(x.data_ptr()), ctypes.c_int64(x.stride(0)), ctypes.c_void_p(0), ctypes.c_int64(0),
            ctypes.c_void_p(0), ctypes.c_int64(0), ctypes.c_void_p(w.data_ptr()), ctypes.c_void_p(y.data_ptr()),
            ctypes.c_int64(y.stride(0)), ctypes.c_void_p(0), ctypes.c_int64(m), ctypes.c_int(n),
            ctypes.c_float(eps), ctypes.c_float(0.0), ctypes.c_float(1.0), ctypes.c_int(tpr)]


def ours_call(drv, fn, x, w, y, m, n, npt, vec, eps, stream, smem=0, fresh=False):
    tpr = n // (npt * vec)  # one row a block (the launcher's rule for tpr > 32)
    if fresh:
        return fresh_y(drv, fn, m, tpr, smem, stream, lambda yy: ours_args(x, w, yy, m, n, npt, vec, eps), x)
    return launcher(drv, fn, m, tpr, smem, stream, ours_args(x, w, y, m, n, npt, vec, eps))


PROBES = ["probe_late", "probe_early", "probe_after_x", "probe_after_x_ieee_loop"]


def nvrtc_compile(source, options):
    lib = None
    for name in ("libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12"):
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if lib is None:
        raise SystemExit("libnvrtc not found")
    prog = ctypes.c_void_p()
    if lib.nvrtcCreateProgram(ctypes.byref(prog), source.encode(), b"probes.cu", 0, None, None) != 0:
        raise SystemExit("nvrtcCreateProgram failed")
    opts = [o.encode() for o in options]
    rc = lib.nvrtcCompileProgram(prog, len(opts), (ctypes.c_char_p * len(opts))(*opts))
    size = ctypes.c_size_t()
    lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetProgramLog(prog, log)
    if rc != 0:
        raise SystemExit("probe compile failed: " + log.value.decode())
    lib.nvrtcGetCUBINSize(prog, ctypes.byref(size))
    cubin = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetCUBIN(prog, cubin)
    return cubin.raw


def probe_args(x, w, y, n, eps):
    return [ctypes.c_void_p(x.data_ptr()), ctypes.c_void_p(w.data_ptr()), ctypes.c_void_p(y.data_ptr()),
            ctypes.c_int64(x.stride(0)), ctypes.c_int(n), ctypes.c_float(eps)]


def probe_call(drv, fn, x, w, y, m, n, eps, stream, smem=0, fresh=False):
    if fresh:
        return fresh_y(drv, fn, m, 128, smem, stream, lambda yy: probe_args(x, w, yy, n, eps), x)
    return launcher(drv, fn, m, 128, smem, stream, probe_args(x, w, y, n, eps))


DEFAULT_VARIANTS = "ours:npt1,ours:npt2,ours:npt4," + ",".join(PROBES) + "," + ",".join(p + ":nc" for p in PROBES)
CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT = 9


def set_flush_mode(torch):
    """FLUSH (environment): what precedes each timed repetition in place of peers.py's flush. "write" (the
    default, as the bench: 256 MB written, the L2 left full of dirty lines), "clean" (the same write, then a
    read of another 256 MB: the L2 left full of clean lines, as under ncu's cache control), "none" (no flush:
    the operands stay in L2 from the previous repetition), "ours" / "ours_const" (rmsnorm-bench's flush kernel,
    see below)."""
    mode = os.environ.get("FLUSH", "write")
    if os.environ.get("SPIN") == "ours" and not getattr(peers, "spin_set", False):
        # SPIN=ours: the hold by rmsnorm-bench's own kernel (rmsnorm_spin) instead of torch.cuda._sleep.
        peers.spin_set = True
        spin = bench_utility("rmsnorm_spin")
        torch.cuda._sleep = lambda cycles: spin(1, 1, [ctypes.c_longlong(cycles)])
    if mode == "write" or getattr(peers, "flush_mode_set", False):
        return
    peers.flush_mode_set = True
    if mode in ("ours", "ours_const"):
        # rmsnorm-bench's flush: its kernel (rmsnorm_flush, SMs × 4 blocks of 512 threads, a grid-stride loop of
        # 16-byte stores) over 256 MB, writing the repetition's number (ours) or one constant (ours_const).
        flush = bench_utility("rmsnorm_flush")
        buf = torch.empty(256 * 1024 * 1024, dtype=torch.uint8, device="cuda")
        blocks = torch.cuda.get_device_properties(0).multi_processor_count * 4
        count = [0]

        def ours():
            count[0] += 1
            v = 0xA5A5A5A5 if mode == "ours_const" else count[0]
            flush(blocks, 512, [ctypes.c_void_p(buf.data_ptr()), ctypes.c_int64(buf.numel() // 16), ctypes.c_uint(v)])
        peers.flush_l2 = ours
        return
    if mode == "none":
        peers.flush_l2 = lambda: None
        return
    if mode != "clean":
        raise SystemExit(f"FLUSH={mode}: write, clean or none")
    other = torch.ones(64 * 1024 * 1024, dtype=torch.float32, device="cuda")
    write = peers.flush_l2

    def clean():
        write()
        other.amax()
    peers.flush_l2 = clean


UTILITY_SOURCE = r"""
extern "C" __global__ void rmsnorm_flush(uint4* dst, long long n, unsigned v) {
    const uint4 word = make_uint4(v, v, v, v);
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) dst[i] = word;
}
extern "C" __global__ void rmsnorm_spin(long long cycles) {
    const long long start = clock64();
    while (clock64() - start < cycles) {}
}
"""


def bench_utility(name):
    """A launcher of rmsnorm-bench's flush or hold kernel (the same code as in rmsnorm.cu), compiled here:
    call(grid, block, [ctypes arguments]) on the current stream."""
    torch = peers.torch
    if not hasattr(bench_utility, "module"):
        major, minor = torch.cuda.get_device_capability()
        bench_utility.drv = Driver()
        bench_utility.module = bench_utility.drv.load(nvrtc_compile(UTILITY_SOURCE, [f"-arch=sm_{major}{minor}"]))
    drv = bench_utility.drv
    fn = drv.function(bench_utility.module, name)

    def call(grid, block, args):
        launcher(drv, fn, grid, block, 0, torch.cuda.current_stream().cuda_stream, args)()
    return call


def time_rounds(methods, rounds, per, title, width=30):
    """Warms every method up, then times them in `rounds` rounds of `per` repetitions each (in the
    order given) with peers.py's `time_events`, and prints each one's median and minimum."""
    set_flush_mode(peers.torch)
    for f in methods.values():
        for _ in range(3):
            f()
    peers.torch.cuda.synchronize()
    times = {name: [] for name in methods}
    for _ in range(rounds):
        for name, f in methods.items():
            times[name] += peers.time_events(f, per)
    print(f"{title}  (median of {rounds * per}, µs)")
    for name, t in times.items():
        print(f"  {name:{width}s} {statistics.median(t):7.3f}  min {min(t):6.3f}")
    sys.stdout.flush()
    return times


def settings():
    """torch, the cache folder, N, the dtype's name, the dtype, its kernel code and the 16-byte vector width."""
    torch = peers.import_torch() or peers.torch
    directory = os.environ.get("RMSNORM_CACHE_DIR", "/tmp/rmsnorm-cache")
    n = int(os.environ.get("N", "4096"))
    dtype_name = os.environ.get("DT", "bf16")
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype_name]
    in_t = {"fp32": 0, "fp16": 1, "bf16": 2}[dtype_name]
    vec = 16 // torch.empty((), dtype=dtype).element_size()
    return torch, directory, n, dtype_name, dtype, in_t, vec


def main():
    torch, directory, n, dtype_name, dtype, in_t, vec = settings()
    key, cubin = find_module(directory, in_t, vec)
    print("module:", key)
    drv = Driver()
    torch.zeros(1, device="cuda")
    mod = drv.load(cubin)
    probe_source = open(os.path.join(os.path.dirname(__file__), "probes.cu")).read()
    major, minor = torch.cuda.get_device_capability()
    probe_cubins = {nc: nvrtc_compile(probe_source, [f"-arch=sm_{major}{minor}", "-std=c++17", f"-DW_NC={nc}"])
                    for nc in (0, 1)}
    probe_modules = {nc: drv.load(c) for nc, c in probe_cubins.items()}
    stream = torch.cuda.current_stream().cuda_stream
    ours_source = open(os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "RMSNorm", "Kernels",
                                    "rmsnorm.cu")).read()
    ours_flags = key.split(" ")[3:]  # the cached module's own NVRTC options
    patched_modules = {}
    triton_fn = peers.make_triton_simple()
    eps = 1e-6
    rounds = int(os.environ.get("ROUNDS", "10"))
    per = int(os.environ.get("PER", "20"))
    for m in [int(a) for a in sys.argv[1:]] or [1, 16, 256]:
        x = torch.randn(m, n, device="cuda").to(dtype)
        w = torch.randn(n, device="cuda").to(dtype)
        y = torch.empty_like(x)
        xd, wd = x.double(), w.double()
        ref = xd * torch.rsqrt(xd.pow(2).mean(-1, keepdim=True) + eps) * wd
        methods = {"triton": lambda: triton_fn(x, w, eps), "torch_copy": lambda: y.copy_(x)}
        if "triton:fixedy" in os.environ.get("VARIANTS", ""):
            import triton
            block_n = triton.next_power_of_2(n)
            methods["triton:fixedy"] = lambda: triton_fn.kernel[(m,)](x, w, y, x.stride(0), n, eps, BLOCK=block_n)
        # A variant: "ours:nptK" or a probe's name, then options: "nc" (probe built with W_NC=1),
        # "smemB" (B bytes of dynamic shared memory at launch, unused), "carveP" (the function's preferred
        # shared-memory carveout, P percent; a module loaded for this variant alone).
        for spec in os.environ.get("VARIANTS", DEFAULT_VARIANTS).split(","):
            if spec.startswith("triton"):
                continue
            parts = spec.split(":")
            fresh = "freshy" in parts
            opts = parts[1:]
            smem = next((int(o[4:]) for o in opts if o.startswith("smem")), 0)
            carve = next((int(o[5:]) for o in opts if o.startswith("carve")), None)
            if parts[0] == "ours":
                # "ours:npt2@a+b": the module compiled here from rmsnorm.cu with bisect_patches a and b
                npt_text, _, patch_names = opts[0].partition("@")
                npt = int(npt_text[3:])
                if n % (npt * vec) or not 32 <= n // (npt * vec) <= 1024:
                    continue
                if patch_names:
                    if patch_names not in patched_modules:
                        src = bisect_patches.patched(ours_source, patch_names.split("+"))
                        patched_modules[patch_names] = drv.load(nvrtc_compile(src, ours_flags))
                    module = patched_modules[patch_names]
                else:
                    module = drv.load(cubin) if carve is not None else mod
                fn = drv.function(module, f"rmsnorm_fwd_row_npt{npt}")
                call = ours_call(drv, fn, x, w, y, m, n, npt, vec, eps, stream, smem, fresh)
            else:
                if n != 4096 or dtype_name != "bf16":
                    continue
                nc = 1 if "nc" in opts else 0
                module = drv.load(probe_cubins[nc]) if carve is not None else probe_modules[nc]
                fn = drv.function(module, parts[0])
                call = probe_call(drv, fn, x, w, y, m, n, eps, stream, smem, fresh)
            if carve is not None:
                drv.check(drv.lib.cuFuncSetAttribute(fn, CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT, carve),
                          "cuFuncSetAttribute")
            y.fill_(float("nan"))
            out = call()
            torch.cuda.synchronize()
            err, limit = peers.ulp_error(out if fresh else y, ref, dtype)
            if not err <= limit:
                raise SystemExit(f"{spec} wrong: {err} ulp")
            methods[spec] = call
        time_rounds(methods, rounds, per, f"{m}x{n}:{dtype_name}")


if __name__ == "__main__":
    main()
