# Session 20: the code torch.compile generates for the fused add (h = x + r; y = rms_norm(h)) at given fp32 shapes,
# as the bench's peer compiles it (dynamic=False), and its time with CUDA events (L2 not flushed; for orientation).
import os, sys, torch
import torch.nn.functional as F
shapes = [(int(a), int(b)) for a, b in (s.split("x") for s in sys.argv[1:])] or [(256, 4096)]
def add(x, r, w, eps):
    h = x + r
    return F.rms_norm(h, (x.shape[-1],), w, eps), h
for m, n in shapes:
    torch._dynamo.reset()
    cf = torch.compile(add, dynamic=False)
    x = torch.randn(m, n, device="cuda"); r = torch.randn_like(x); w = torch.randn(n, device="cuda")
    for _ in range(3): cf(x, r, w, 1e-6)
    torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    for _ in range(200): cf(x, r, w, 1e-6)
    e.record(); torch.cuda.synchronize()
    print(f"== {m}x{n} fp32 add, torch.compile: {s.elapsed_time(e) / 200 * 1000:.2f} us a call (back to back)", flush=True)
