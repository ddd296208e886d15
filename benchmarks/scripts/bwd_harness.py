"""One row's backward (M = 1), ours and torch.compile's timed by one harness in one process.

In the bench's `llm` backward suite ours takes 5.0-6.4 us at M = 1 against torch.compile's best 4.4-5.5, while
ncu (clocks locked, L2 flushed) put the two kernels 0.25 us apart (benchmarks/NOTES.md, V44). This script asks
whether the rest is the kernel or the harness: it loads our backward module (KIND=1) from rmsnorm-bench's disk
cache, launches `rmsnorm_bwd_one_nptK` on tensors from PyTorch's allocator and times it with peers.py's
`time_events` beside the peers' torch.compile backward (autograd of the compiled forward) and a PyTorch copy,
in rounds (the methods interleaved).

    RMSNORM_CACHE_DIR=/tmp/rmsnorm-cache N=4096 DT=bf16 python3 benchmarks/scripts/bwd_harness.py [N ...]

Run rmsnorm-bench's backward at the same dtype on that machine first (it fills the cache). Environment as
same_harness.py: DT, ROUNDS, PER, FLUSH; VARIANTS (comma list: "ours:nptK", "ours_ex:nptK" through cuLaunchKernelEx, "ours_wait:nptK" after a host wait,
"probe:tprT:nptK[:redR:wrW:rlR:polP:nfix1]" (bwd_probes.cu's defines, bf16; compiled here), "torch_compile", "torch_native", "copy").
"""
import ctypes
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import same_harness as sh  # noqa: E402

peers = sh.peers


def find_backward_module(directory, in_t, vec):
    """The full backward module, or with ROW_TPR=T (environment) the one-row module of T threads (V47)."""
    row_tpr = os.environ.get("ROW_TPR")
    for key, cubin in sh.cache_entries(directory):
        defs = dict(re.findall(r"-D(\w+)=(\S+)", key))
        extra = set(defs) - {"IN_T", "W_T", "VEC", "CACHE_HINTS", "KIND"} - ({"ROW_TPR"} if row_tpr else set())
        if (defs.get("IN_T") == str(in_t) and defs.get("W_T") == str(in_t) and defs.get("VEC") == str(vec)
                and defs.get("KIND") == "1" and not extra and defs.get("ROW_TPR") == row_tpr):
            return key, cubin
    raise SystemExit(f"no backward module IN_T={in_t} VEC={vec} in {directory}: run rmsnorm-bench --backward first")


def backward_args(x, w, dy, dx, rstd, dw, n, eps, tpr):
    """BWD_PARAMS of rmsnorm.cu, then tpr; the one-row kernel writes dw where the partial rows would go."""
    return [ctypes.c_void_p(x.data_ptr()), ctypes.c_int64(x.stride(0)), ctypes.c_void_p(w.data_ptr()),
            ctypes.c_void_p(dy.data_ptr()), ctypes.c_int64(dy.stride(0)), ctypes.c_void_p(0), ctypes.c_int64(0),
            ctypes.c_void_p(dx.data_ptr()), ctypes.c_int64(dx.stride(0)), ctypes.c_void_p(rstd.data_ptr()),
            ctypes.c_void_p(dw.data_ptr()), ctypes.c_int64(1), ctypes.c_int(n), ctypes.c_float(eps),
            ctypes.c_float(0.0), ctypes.c_int(tpr)]


def waiting(call, seconds):
    def wrapped():
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            pass
        call()
    return wrapped


def main():
    torch, directory, _, dtype_name, dtype, in_t, vec = sh.settings()
    key, cubin = find_backward_module(directory, in_t, vec)
    print("module:", key)
    drv = sh.Driver()
    torch.zeros(1, device="cuda")
    mod = drv.load(cubin)
    stream = torch.cuda.current_stream().cuda_stream
    eps = 1e-6
    rounds = int(os.environ.get("ROUNDS", "10"))
    per = int(os.environ.get("PER", "20"))
    variants = os.environ.get("VARIANTS", "ours:npt1,ours:npt2,ours_ex:npt1,torch_compile,copy").split(",")
    makers = peers.variant_makers("backward") if hasattr(peers, "variant_makers") else None
    probe_source = open(os.path.join(os.path.dirname(__file__), "bwd_probes.cu")).read()
    probe_modules = {}
    smid_log = torch.zeros(4097, dtype=torch.int32, device="cuda")  # probes built with SMID=1: count, then SM ids
    major, minor = torch.cuda.get_device_capability()
    for n in [int(a) for a in sys.argv[1:]] or [2048, 4096, 8192]:
        x = torch.randn(1, n, device="cuda").to(dtype)
        w = torch.randn(n, device="cuda").to(dtype)
        dy = torch.randn(1, n, device="cuda").to(dtype)
        dx = torch.empty_like(x)
        dw = torch.empty_like(w)
        rstd = torch.rsqrt(x.float().pow(2).mean(-1) + eps).contiguous()
        xd = x.double().requires_grad_(True)
        wd = w.double().requires_grad_(True)
        yd = xd * torch.rsqrt(xd.pow(2).mean(-1, keepdim=True) + eps) * wd
        ref_dx, ref_dw = torch.autograd.grad(yd, (xd, wd), dy.double())
        t = {"x": x, "w": w, "dy": dy, "eps": eps}
        methods = {}

        def checked(call):
            """`call` once on poisoned outputs, against the fp64 reference; then it is timed."""
            dx.fill_(float("nan"))
            dw.fill_(float("nan"))
            call()
            torch.cuda.synchronize()
            for out, ref in ((dx, ref_dx), (dw, ref_dw)):
                err = float((out.double() - ref).abs().max()) / (float(ref.abs().max()) or 1.0)
                if not err < 2e-2:
                    raise SystemExit(f"{spec} at N = {n} wrong: relative error {err}")
            return call
        for spec in variants:
            name, _, opt = spec.partition(":")
            if name in ("ours", "ours_ex", "ours_wait"):
                npt = int(opt[3:])
                tpr = -(-n // (npt * vec))
                if not 32 < tpr <= 1024 or os.environ.get("ROW_TPR", str(tpr)) != str(tpr):
                    continue
                fn = drv.function(mod, f"rmsnorm_bwd_one_npt{npt}")
                make = sh.launcher_ex if name == "ours_ex" else sh.launcher
                call = make(drv, fn, 1, tpr, 0, stream, backward_args(x, w, dy, dx, rstd, dw, n, eps, tpr))
                if name == "ours_wait":
                    # "ours_wait:nptK": the host waits WAIT_US µs (default 60) before each launch, as a slower
                    # caller (torch.compile's autograd call) would
                    call = waiting(call, float(os.environ.get("WAIT_US", "60")) * 1e-6)
                methods[spec] = checked(call)
            elif name == "probe":
                # "probe:tprT:nptK:redR:wrW" (bwd_probes.cu, bf16 only), compiled here once per option set
                o = {k: int(v) for k, v in re.findall(r"([a-z]+)(\d+)", opt)}
                if dtype_name != "bf16" or o["tpr"] * o["npt"] * 8 < n or (o["tpr"] * (o["npt"] - 1)) * 8 >= n:
                    continue
                flags = [f"-arch=sm_{major}{minor}", "-std=c++17", f"-DTPR={o['tpr']}", f"-DNPT={o['npt']}",
                         f"-DRED={o.get('red', 0)}", f"-DWRELOAD={o.get('wr', 0)}", f"-DRELOAD={o.get('rl', 0)}",
                         f"-DPOL={o.get('pol', 0)}", f"-DNFIX={n if o.get('nfix') else 0}", f"-DSMID={o.get('smid', 0)}"]
                if (opt, n) not in probe_modules:
                    probe_modules[(opt, n)] = drv.load(sh.nvrtc_compile(probe_source, flags))
                fn = drv.function(probe_modules[(opt, n)], "probe_bwd_one")
                args = [ctypes.c_void_p(x.data_ptr()), ctypes.c_void_p(w.data_ptr()), ctypes.c_void_p(dy.data_ptr()),
                        ctypes.c_void_p(rstd.data_ptr()), ctypes.c_void_p(dx.data_ptr()), ctypes.c_void_p(dw.data_ptr()),
                        ctypes.c_int(n), ctypes.c_float(1.0 / n), ctypes.c_void_p(smid_log.data_ptr())]
                call = sh.launcher(drv, fn, 1, o["tpr"], 0, stream, args)
                methods[spec] = checked(call)
            elif name in ("torch_compile", "torch_native"):
                if makers is None or name not in makers:
                    continue
                call, _ = makers[name]([t])
                methods[spec] = call
            elif name == "copy":
                dst = torch.empty(3 * n, device="cuda", dtype=dtype)
                src = torch.randn(3 * n, device="cuda").to(dtype)
                methods[spec] = lambda dst=dst, src=src: dst.copy_(src)
        smid_log.zero_()
        times = sh.time_rounds(methods, rounds, per, f"1x{n}:{dtype_name} backward")
        if os.environ.get("SPREAD"):
            # SPREAD=1: each method's deciles; for a probe with SMID=1, its times by the SM its block ran on
            # (the log holds its launches in order; its timed ones are the last rounds × per).
            for name, t in times.items():
                q = statistics.quantiles(t, n=10)
                print(f"  {name:30s} deciles " + " ".join(f"{v:.2f}" for v in q))
            smids = [spec for spec in methods if spec.startswith("probe") and "smid1" in spec]
            if len(smids) == 1:
                count = int(smid_log[0])
                ids = smid_log[1:1 + min(count, 4096)].tolist()[-len(times[smids[0]]):]
                by_sm = {}
                for sm, t in zip(ids, times[smids[0]]):
                    by_sm.setdefault(sm, []).append(t)
                for sm in sorted(by_sm, key=lambda k: statistics.median(by_sm[k])):
                    v = by_sm[sm]
                    print(f"  {smids[0]} on SM {sm:3d}: {len(v):3d} launches, median {statistics.median(v):.3f}, min {min(v):.3f}")


if __name__ == "__main__":
    main()
