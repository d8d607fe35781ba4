# Per-call time of a few cells' calls from Python, as a user times them: MLX (mx.eval each call) and
# PyTorch CUDA (synchronize each call); mean, median, cv (stddev/mean), max/median.
import statistics as st, sys, time
import mlx.core as mx, mlx.nn as nn, torch
import torch.nn.functional as F

def stats(name, f, n=3000, warm=50):
    for _ in range(warm): f()
    t = []
    for _ in range(n):
        s = time.perf_counter(); f(); t.append((time.perf_counter() - s) * 1e3)
    m, med = st.mean(t), st.median(t)
    print(f"{name:58s} n={n} mean={m:.4f} ms median={med:.4f} cv={st.pstdev(t)/m:.2f} max/med={max(t)/med:.1f} calls_for_1%={int((st.pstdev(t)/m/0.01)**2)}", flush=True)

mx.random.seed(0)
cases = {
  "Sum dim1=64x128x128x128 axis=0": ([(64,128,128,128)], lambda m, a: m.sum(a[0], axis=0), lambda a: a[0].sum(dim=0)),
  "Softplus dim1=128x16x1024": ([(128,16,1024)], lambda m, a: nn.softplus(a[0]), lambda a: F.softplus(a[0])),
  "LeakyReLU dim1=64x128x1024": ([(64,128,1024)], lambda m, a: nn.leaky_relu(a[0]), lambda a: F.leaky_relu(a[0])),
  "Concat dim1=1000000x64 dim2=1000000x32 axis=1": ([(1000000,64),(1000000,32)], lambda m, a: m.concatenate(a, axis=1), lambda a: torch.cat(a, dim=1)),
  "Softmax dim1=64x1000000 axis=-1": ([(64,1000000)], lambda m, a: m.softmax(a[0], axis=-1), lambda a: torch.softmax(a[0], dim=-1)),
}
for name, (shapes, fm, ft) in cases.items():
    xs = [mx.random.normal(s) for s in shapes]; mx.eval(xs)
    stats("mlx_gpu " + name, lambda: mx.eval(fm(mx, xs)))
    ts = [torch.randn(s, device="cuda") for s in shapes]
    def tcall():
        y = ft(ts); torch.cuda.synchronize()
    stats("cuda    " + name, tcall)
