"""Which part of torch.compile's RMSNorm kernel beats a copy at 16-64 K rows of 8192 bf16 / 4096 fp32 (NOTES, s28).

Inductor's kernel there (s27a) is a two-pass loop over the row, one program a row: the first pass reads x in
chunks of R elements with `evict_last` and sums squares, the second reads x again (from L2) with `evict_first`,
with the weight, and stores y. This script writes the same structure as a Triton kernel whose parts can be
switched one at a time (chunk R, warps, the two eviction policies, one pass with the row held whole) and times
each beside torch.compile itself and a PyTorch copy of the same bytes, with peers.py's `time_events` (the
bench's method: L2 flushed, paced), the methods interleaved in rounds (same_harness.time_rounds).

    python3 benchmarks/scripts/loop_probe.py 65536x8192:bf16 65536x4096:fp32 ...

VARIANTS (environment): comma list of "rR.wW.E1.E2[.one]" with E1, E2 in last, first, none (the policies of the
first and second reads of x) and "one" for a single pass over a row held whole (R = N); default: a set around
Inductor's own choice. ROUNDS, PER as same_harness.py.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import same_harness as sh  # noqa: E402

peers = sh.peers

DEFAULT_VARIANTS = ("r2048.w16.last.first,r2048.w16.none.none,r2048.w16.last.none,r2048.w16.none.first,"
                    "r1024.w16.last.first,r4096.w16.last.first,r2048.w8.last.first,r4096.w8.last.first,"
                    "rN.w8.none.none.one,rN.w16.none.none.one")


def make_kernels():
    import triton
    import triton.language as tl

    @triton.jit
    def two_pass(x_ptr, w_ptr, y_ptr, n, eps, R: tl.constexpr, E1: tl.constexpr, E2: tl.constexpr):
        row = tl.program_id(0).to(tl.int64)
        xr = x_ptr + row * n
        yr = y_ptr + row * n
        acc = tl.zeros([R], dtype=tl.float32)
        for off in tl.range(0, n, R):
            c = off + tl.arange(0, R)
            v = tl.load(xr + c, mask=c < n, other=0.0, eviction_policy=E1).to(tl.float32)
            acc += v * v
        rstd = tl.rsqrt(tl.sum(acc, 0) / n + eps)
        for off in tl.range(0, n, R):
            c = off + tl.arange(0, R)
            v = tl.load(xr + c, mask=c < n, other=0.0, eviction_policy=E2).to(tl.float32)
            wv = tl.load(w_ptr + c, mask=c < n, other=0.0, eviction_policy="evict_last").to(tl.float32)
            tl.store(yr + c, (v * rstd * wv).to(y_ptr.dtype.element_ty), mask=c < n)

    @triton.jit
    def one_pass(x_ptr, w_ptr, y_ptr, n, eps, R: tl.constexpr):
        row = tl.program_id(0).to(tl.int64)
        c = tl.arange(0, R)
        v = tl.load(x_ptr + row * n + c, mask=c < n, other=0.0).to(tl.float32)
        wv = tl.load(w_ptr + c, mask=c < n, other=0.0).to(tl.float32)
        rstd = tl.rsqrt(tl.sum(v * v, 0) / n + eps)
        tl.store(y_ptr + row * n + c, (v * rstd * wv).to(y_ptr.dtype.element_ty), mask=c < n)

    return triton, two_pass, one_pass


def policy(name):
    return {"last": "evict_last", "first": "evict_first", "none": ""}[name]


def main():
    torch = peers.import_torch() or peers.torch
    triton, two_pass, one_pass = make_kernels()
    dtypes = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
    rounds = int(os.environ.get("ROUNDS", "6"))
    per = int(os.environ.get("PER", "20"))
    eps = 1e-6
    for shape in sys.argv[1:] or ["65536x8192:bf16"]:
        dims, _, dt = shape.partition(":")
        m, n = (int(v) for v in dims.split("x"))
        dtype = dtypes[dt or "bf16"]
        x = torch.randn(m, n, device="cuda").to(dtype)
        w = torch.randn(n, device="cuda").to(dtype)
        y = torch.empty_like(x)
        xd, wd = x.double(), w.double()
        ref = (xd * torch.rsqrt(xd.pow(2).mean(-1, keepdim=True) + eps) * wd).to(dtype)
        compiled = peers.make_torch_compile()
        methods = {"torch_compile": lambda: compiled(x, w, eps), "torch_copy": lambda: y.copy_(x)}
        for spec in os.environ.get("VARIANTS", DEFAULT_VARIANTS).split(","):
            parts = spec.split(".")
            r = triton.next_power_of_2(n) if parts[0] == "rN" else int(parts[0][1:])
            warps = int(parts[1][1:])
            if "one" in parts[4:]:
                def call(r=r, warps=warps):
                    one_pass[(m,)](x, w, y, n, eps, R=r, num_warps=warps)
            else:
                e1, e2 = policy(parts[2]), policy(parts[3])

                def call(r=r, warps=warps, e1=e1, e2=e2):
                    two_pass[(m,)](x, w, y, n, eps, R=r, E1=e1, E2=e2, num_warps=warps)
            y.fill_(float("nan"))
            call()
            torch.cuda.synchronize()
            err = (y.double() - ref.double()).abs().max().item()
            ok = err <= 2 * (ref.double().abs().max().item() * (2 ** -7 if dtype != torch.float32 else 1e-6))
            print(f"{shape} {spec}: max |y - ref| {err:.3g} {'ok' if ok else 'MISMATCH'}")
            methods[spec] = call
        sh.time_rounds(methods, rounds, per, f"{shape} (bytes {2 * m * n * x.element_size() / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
