# s39g: torch.compile's fused add kernel at 4096 x 4096 / 5120 bf16: its Triton source (Inductor's config) and the
# launch (grid, block, registers, shared memory) from a profiler trace.
import json, os, torch
import torch.nn.functional as F
from torch._inductor.utils import run_and_get_code
from torch.profiler import profile, ProfilerActivity
out = os.environ["OUT"]
for n in (4096, 5120):
    x = torch.randn(4096, n, device="cuda", dtype=torch.bfloat16)
    r = torch.randn_like(x)
    w = torch.randn(n, device="cuda", dtype=torch.bfloat16)
    fn = lambda a, b, c: (F.rms_norm(a + b, (n,), c, 1e-6), a + b)
    torch._dynamo.reset()
    cf = torch.compile(fn, dynamic=False)
    _, codes = run_and_get_code(cf, x, r, w)
    open(f"{out}/compile_{n}.py", "w").write("\n\n# ----\n".join(codes))
    for _ in range(5):
        cf(x, r, w)
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as p:
        for _ in range(3):
            cf(x, r, w)
        torch.cuda.synchronize()
    p.export_chrome_trace(f"{out}/trace_{n}.json")
    ev = json.load(open(f"{out}/trace_{n}.json"))["traceEvents"]
    for e in ev:
        if e.get("cat") == "kernel":
            a = e.get("args", {})
            print(n, e["name"][:60], e.get("dur"), "grid", a.get("grid"), "block", a.get("block"),
                  "regs", a.get("registers per thread"), "smem", a.get("shared memory"), "occ", a.get("est. achieved occupancy %"))
