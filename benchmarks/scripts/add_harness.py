"""The fused residual add, ours and the peers timed by one harness in one process (NOTES.md, V26).

In the bench's `add` suite ours took 8.1 µs at 256 × 4096 bf16 against torch.compile's 6.0, and our
same-size copy (cuMemcpy on separate allocations) 8.3. This script asks whether that gap is the kernel
or the variants' harness (one operand placement, the bench's own allocations): it loads our row
module with the residual add (RESID=1) from rmsnorm-bench's disk cache, launches it on tensors from
PyTorch's allocator, and times it with peers.py's `time_events` beside the peers' torch.compile maker,
a minimal Triton fused add written here, and PyTorch copies of the same byte count, in rounds.

    RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache N=4096 DT=bf16 python3 benchmarks/scripts/add_harness.py [M ...]

Environment: N, DT (bf16, fp16, fp32); ROUNDS, PER (rounds of PER repetitions per method); VARIANTS (comma list,
see DEFAULT_VARIANTS and the comments in main: "ours:nptK[+DEFINE=V…]", probes, "triton_add", "op_memcpy",
"op_memset", "op_d2h", "op_h2d", "op_graph", each with "@k" for output set k and "#tag" to list it twice);
BUILTINS=0 (only VARIANTS, in their order); SKIP (built-in methods to leave out); STREAM=side (a stream of its
own instead of the legacy default stream). The outputs of V26 in benchmarks/NOTES.md came from this script's
successive versions.
"""
import ctypes
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
import same_harness as sh  # noqa: E402

peers = sh.peers


def find_add_module(directory, in_t, vec, tpr):
    for key, cubin in sh.cache_entries(directory):
        defs = dict(re.findall(r"-D(\w+)=(\S+)", key))
        extra = set(defs) - {"IN_T", "W_T", "VEC", "CACHE_HINTS", "RESID", "ROW_TPR"}
        if (defs.get("IN_T") == str(in_t) and defs.get("W_T") == str(in_t) and defs.get("VEC") == str(vec)
                and defs.get("RESID") == "1" and defs.get("ROW_TPR") == str(tpr) and not extra):
            return key, cubin
    return None, None


def make_triton_add():
    """One row a program: h = x + r (rounded to the input type), y = rms_norm(h) · w."""
    import triton
    import triton.language as tl

    @triton.jit
    def kernel(x_ptr, r_ptr, w_ptr, h_ptr, y_ptr, stride, n, eps, BLOCK: tl.constexpr):
        row = tl.program_id(0)
        cols = tl.arange(0, BLOCK)
        mask = cols < n
        x = tl.load(x_ptr + row * stride + cols, mask=mask, other=0.0)
        r = tl.load(r_ptr + row * stride + cols, mask=mask, other=0.0)
        h = (x.to(tl.float32) + r.to(tl.float32)).to(x.dtype)
        tl.store(h_ptr + row * stride + cols, h, mask=mask)
        hf = h.to(tl.float32)
        rstd = 1.0 / tl.sqrt(tl.sum(hf * hf, axis=0) / n + eps)
        w = tl.load(w_ptr + cols, mask=mask, other=0.0).to(tl.float32)
        tl.store(y_ptr + row * stride + cols, (hf * rstd * w).to(x.dtype), mask=mask)

    def fn(x, r, w, h, y, eps):
        n = x.shape[-1]
        kernel[(x.shape[0],)](x, r, w, h, y, x.stride(0), n, eps, BLOCK=triton.next_power_of_2(n))
        return y, h
    return fn


DEFAULT_VARIANTS = ("ours:npt1,ours:npt2,ours:npt4,ours:npt4+WBATCH=0,"
                    "probe_add_128x4,probe_add_128x4_fence,probe_add_256x2,probe_add_512x1")


def check(spec, call, h, y, hd, ref_y, dtype):
    h.fill_(float("nan"))
    y.fill_(float("nan"))
    call()
    peers.torch.cuda.synchronize()
    herr, _ = peers.ulp_error(h, hd, dtype)
    yerr, limit = peers.ulp_error(y, ref_y, dtype)
    if not (herr <= limit and yerr <= limit):
        raise SystemExit(f"{spec} wrong: h {herr} y {yerr} ulp")


def main():
    torch, directory, n, dtype_name, dtype, in_t, vec = sh.settings()
    drv = sh.Driver()
    torch.zeros(1, device="cuda")
    stream = torch.cuda.current_stream().cuda_stream
    eps = 1e-6
    rounds = int(os.environ.get("ROUNDS", "10"))
    per = int(os.environ.get("PER", "20"))
    makers = peers.variant_makers("add")
    here = os.path.dirname(__file__)
    ours_source = open(os.path.join(here, "..", "..", "Sources", "RMSNorm", "Kernels", "rmsnorm.cu")).read()
    major, minor = torch.cuda.get_device_capability()
    probe_source = open(os.path.join(here, "add_probes.cu")).read()
    probe_module = drv.load(sh.nvrtc_compile(probe_source, [f"-arch=sm_{major}{minor}", "-std=c++17"]))
    triton_add = make_triton_add()
    for m in [int(a) for a in sys.argv[1:]] or [1, 16, 256, 4096]:
        t = {"x": torch.randn(m, n, device="cuda").to(dtype), "r": torch.randn(m, n, device="cuda").to(dtype),
             "w": (torch.randn(n, device="cuda") * 0.1 + 1.0).to(dtype), "eps": eps}
        x, r, w = t["x"], t["r"], t["w"]
        h, y = torch.empty_like(x), torch.empty_like(x)
        h2, y2 = torch.empty_like(x), torch.empty_like(x)
        h3, y3 = torch.empty_like(x), torch.empty_like(x)
        outs = [(h, y), (h2, y2), (h3, y3)]
        hd = (x.float() + r.float()).to(dtype).double()
        ref_y = hd * torch.rsqrt(hd.pow(2).mean(-1, keepdim=True) + eps) * w.double()
        both = torch.empty(2, m, n, device="cuda", dtype=dtype)
        both_out = torch.empty_like(both)
        methods = {}
        builtins = os.environ.get("BUILTINS", "1") == "1"
        methods["torch_compile"] = makers["torch_compile"]([t])[0]
        # The same compiled call replayed from a CUDA graph: the device time without Dynamo's host time
        # (which outruns the flush at these sizes, so the plain call's median is the host's).
        compiled_call = methods["torch_compile"]
        for _ in range(3):
            compiled_call()
        torch.cuda.synchronize()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            compiled_call()
        methods["torch_compile:graph"] = graph.replay
        if "liger" in makers:  # Liger's fused add (new h and y each call), as the bench times it
            methods["liger"] = makers["liger"]([t])[0]
        methods["triton_add"] = lambda: triton_add(x, r, w, h2, y2, eps)
        methods["copy_same_bytes"] = lambda: both_out.copy_(both)
        methods["copy_two"] = lambda: (h2.copy_(x), y2.copy_(r))
        if not builtins:  # BUILTINS=0: only VARIANTS, in their order
            methods = {}
        for skipped in os.environ.get("SKIP", "").split(","):  # SKIP=a,b: leave these built-in methods out
            methods.pop(skipped, None)
        # VARIANTS: "ours:nptK" (the bench's cached row module), "ours:nptK+NAME=V+…" (compiled here from
        # rmsnorm.cu with the cached module's options and these defines), or a probe's name (add_probes.cu).
        for spec in os.environ.get("VARIANTS", DEFAULT_VARIANTS).split(","):
            # "…@k": outputs h and y of set k (0 default; 1 = triton_add's; 2 = allocated last)
            # "…#tag": a second entry of the same method (for order effects)
            name = spec
            spec = spec.partition("#")[0]
            # "…!ex": launched through cuLaunchKernelEx instead of cuLaunchKernel (ours and probes)
            launch = sh.launcher
            if spec.endswith("!ex"):
                spec, launch = spec[:-3], sh.launcher_ex
            spec, _, at = spec.partition("@")
            h, y = outs[int(at or 0)]
            # Operations of other engines, timed like a method, to see what they leave for the methods after
            # them: a device-to-device memcpy, a driver memset, a device-to-host and a host-to-device copy.
            if spec == "op_memcpy":
                methods[name] = lambda h=h: h.copy_(x)
                continue
            if spec == "op_memset":
                methods[name] = lambda h=h: drv.lib.cuMemsetD8Async(ctypes.c_uint64(h.data_ptr()), ctypes.c_ubyte(0),
                                                                    ctypes.c_size_t(h.numel() * h.element_size()),
                                                                    ctypes.c_void_p(stream))
                continue
            if spec == "op_d2h":
                methods[name] = lambda h=h: h[0, :8].cpu()
                continue
            if spec == "op_graph":  # a CUDA graph of one small kernel, replayed
                tiny = torch.zeros(8, device="cuda")
                g = torch.cuda.CUDAGraph()
                with torch.cuda.graph(g):
                    tiny.add_(1.0)
                methods[name] = g.replay
                continue
            if spec == "op_h2d":
                host = torch.ones(8, dtype=dtype)
                methods[name] = lambda h=h, host=host: h[0, :8].copy_(host)
                continue
            if spec.startswith("triton_add"):
                methods[name] = lambda h=h, y=y: triton_add(x, r, w, h, y, eps)
                continue
            if spec.startswith("probe"):
                if n != 4096 or dtype_name != "bf16":
                    continue
                threads = int(spec.split("_")[2].split("x")[0])
                fn = drv.function(probe_module, spec)
                pa = [ctypes.c_void_p(x.data_ptr()), ctypes.c_void_p(r.data_ptr()), ctypes.c_void_p(w.data_ptr()),
                      ctypes.c_void_p(h.data_ptr()), ctypes.c_void_p(y.data_ptr()), ctypes.c_int64(n),
                      ctypes.c_int(n), ctypes.c_float(eps)]
                call = launch(drv, fn, m, threads, 0, stream, pa)
                check(spec, call, h, y, hd, ref_y, dtype)
                methods[name] = call
                continue
            npt_text, *defines = spec.split(":")[1].split("+")
            npt = int(npt_text[3:])
            tpr = n // (npt * vec)
            if n % (npt * vec) or not 32 <= tpr <= 1024:
                continue
            key, cubin = find_add_module(directory, in_t, vec, tpr)
            if cubin is None:
                print(f"  ({spec}: no cached module with ROW_TPR={tpr})")
                continue
            if defines:  # "arch=sm_90a" replaces the cached module's -arch option; others are -D defines
                options = key.split(" ")[3:]
                for d in defines:
                    if d.startswith("arch="):
                        options = [o for o in options if not o.startswith(("-arch=", "--gpu-architecture="))] + ["--gpu-architecture=" + d[5:]]
                    else:
                        options.append("-D" + d)
                cubin = sh.nvrtc_compile(ours_source, options)
            fn = drv.function(drv.load(cubin), f"rmsnorm_fwd_row_npt{npt}")
            pa = [ctypes.c_void_p(x.data_ptr()), ctypes.c_int64(n), ctypes.c_void_p(r.data_ptr()),
                  ctypes.c_int64(n), ctypes.c_void_p(h.data_ptr()), ctypes.c_int64(n),
                  ctypes.c_void_p(w.data_ptr()), ctypes.c_void_p(y.data_ptr()), ctypes.c_int64(n),
                  ctypes.c_void_p(0), ctypes.c_int64(m), ctypes.c_int(n), ctypes.c_float(eps),
                  ctypes.c_float(0.0), ctypes.c_float(1.0), ctypes.c_int(tpr)]
            call = launch(drv, fn, m, tpr, 0, stream, pa)
            check(spec, call, h, y, hd, ref_y, dtype)
            methods[name] = call
        sh.time_rounds(methods, rounds, per, f"{m}x{n}:{dtype_name} add", width=24)


if __name__ == "__main__":
    if os.environ.get("STREAM") == "side":  # everything on a stream of its own instead of the legacy default
        import torch as _torch
        with _torch.cuda.stream(_torch.cuda.Stream()):
            main()
    else:
        main()
