# Prints the Triton code torch.compile generates for the fused add, fp8 output and forward at one shape.
import os, sys, torch
import torch.nn.functional as F
m, n = int(sys.argv[1]), int(sys.argv[2])
dt = torch.bfloat16
x = torch.randn(m, n, device="cuda", dtype=dt); r = torch.randn_like(x); w = torch.randn(n, device="cuda", dtype=dt)
fns = {
 "add": lambda x, r, w: (F.rms_norm(x + r, (n,), w, 1e-6), x + r),
 "fp8": lambda x, r, w: ((F.rms_norm(x.float(), (n,), None, 1e-6) * w.float() / 0.02).clamp(-448, 448).to(torch.float8_e4m3fn)),
 "fwd": lambda x, r, w: F.rms_norm(x, (n,), w, 1e-6),
}
for name, f in fns.items():
    torch._dynamo.reset()
    print(f"######## {name} {m}x{n}", file=sys.stderr, flush=True)
    cf = torch.compile(f, dynamic=False)
    cf(x, r, w); torch.cuda.synchronize()
