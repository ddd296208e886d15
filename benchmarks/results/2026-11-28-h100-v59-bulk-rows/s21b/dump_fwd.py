# Prints the Triton code torch.compile generates for the forward at the given shapes (fp32).
import sys, torch
import torch.nn.functional as F
for s in sys.argv[1:]:
    m, n = map(int, s.split("x"))
    x = torch.randn(m, n, device="cuda"); w = torch.randn(n, device="cuda")
    torch._dynamo.reset()
    print(f"######## fwd {m}x{n} fp32", file=sys.stderr, flush=True)
    f = torch.compile(lambda x, w: F.rms_norm(x, (n,), w, 1e-6), dynamic=False)
    f(x, w); torch.cuda.synchronize()
