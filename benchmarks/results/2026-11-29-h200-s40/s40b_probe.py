# s40b: Liger's fused add (and plain forward) and torch.compile's fused add at 4096 rows of bf16: the launch (grid,
# block, registers, occupancy) and kernel time from a profiler trace (no L2 flush between calls).
import json, os, torch
import torch.nn.functional as F
from torch.profiler import profile, ProfilerActivity
from liger_kernel.ops.fused_add_rms_norm import LigerFusedAddRMSNormFunction
from liger_kernel.ops.rms_norm import LigerRMSNormFunction
out = os.environ["OUT"]
for m, n in ((4096, 4096), (4096, 5120), (4096, 7168), (4096, 8192), (65536, 2048)):
    x = torch.randn(m, n, device="cuda", dtype=torch.bfloat16)
    r = torch.randn_like(x)
    w = torch.randn(n, device="cuda", dtype=torch.bfloat16)
    fn = lambda a, b, c: (F.rms_norm(a + b, (n,), c, 1e-6), a + b)
    torch._dynamo.reset()
    cf = torch.compile(fn, dynamic=False)
    calls = {
        "liger_add": lambda: LigerFusedAddRMSNormFunction.apply(x, r, w, 1e-6, 0.0, "gemma", False),
        "liger_fwd": lambda: LigerRMSNormFunction.apply(x, w, 1e-6, 0.0, "gemma", False),
        "compile_add": lambda: cf(x, r, w),
    }
    for name, call in calls.items():
        for _ in range(5):
            call()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as p:
            for _ in range(3):
                call()
            torch.cuda.synchronize()
        path = f"{out}/trace_{name}_{m}x{n}.json"
        p.export_chrome_trace(path)
        for e in json.load(open(path))["traceEvents"]:
            if e.get("cat") == "kernel":
                a = e.get("args", {})
                print(f"{m}x{n}", name, e["name"][:48], e.get("dur"), "grid", a.get("grid"), "block", a.get("block"),
                      "regs", a.get("registers per thread"), "smem", a.get("shared memory"),
                      "occ", a.get("est. achieved occupancy %"), flush=True)
        os.remove(path)
