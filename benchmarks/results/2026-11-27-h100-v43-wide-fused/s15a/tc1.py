# torch.compile's RMSNorm backward at one row, for ncu (profiled range: one forward + backward after warm-up).
import sys, torch
n = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
dt = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[sys.argv[2] if len(sys.argv) > 2 else "bf16"]
x = torch.randn(1, n, device="cuda", dtype=dt, requires_grad=True)
w = torch.randn(n, device="cuda", dtype=dt, requires_grad=True)
f = torch.compile(lambda x, w: torch.nn.functional.rms_norm(x, (n,), w, 1e-6))
dy = torch.randn(1, n, device="cuda", dtype=dt)
for _ in range(5):
    y = f(x, w); torch.autograd.grad(y, (x, w), dy)
torch.cuda.synchronize()
torch.cuda.profiler.start()
y = f(x, w); g = torch.autograd.grad(y, (x, w), dy)
torch.cuda.synchronize()
torch.cuda.profiler.stop()
