# torch.compile's backward of rms_norm at one row: Inductor's generated code (TORCH_LOGS=output_code).
import torch
import torch.nn.functional as F
for n, dt in [(4096, torch.bfloat16), (8192, torch.bfloat16), (4096, torch.float32)]:
    torch._dynamo.reset()
    x = torch.randn(1, n, device="cuda", dtype=dt, requires_grad=True)
    w = torch.randn(n, device="cuda", dtype=dt, requires_grad=True)
    cf = torch.compile(lambda a, b: F.rms_norm(a, (n,), b, 1e-6), dynamic=False)
    y = cf(x, w)
    torch.autograd.grad(y, (x, w), torch.randn_like(y))
    torch.cuda.synchronize()
    print("==== done", n, dt, flush=True)
