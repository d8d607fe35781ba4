# Two experiments on the H200 (2026-12-03, MLX-CUDA 0.32.4), 18:00 UTC, run one after the other:
#   python h200-small-calls-threads.py residency gpu-first|host-first
#   python h200-small-calls-threads.py threads TAG   (under taskset -c 3, -c 3,4, -c 3-10 or none)
import sys
if sys.argv[1] == 'residency':
    sys.argv = sys.argv[1:]
    # Is the slow mode of small MLX-CUDA calls where unified memory lives? ReLU on
    # 128x16x1024 float32, inputs written by the GPU or by the host, outputs read
    # by the host or not.
    import time, statistics, sys
    import numpy as np
    import mlx.core as mx
    
    def calls(f, n, read_every=0):
        out = []
        for k in range(n):
            t = time.perf_counter(); y = f(); mx.eval(y); out.append((time.perf_counter() - t) * 1e6)
            if read_every and k % read_every == 0: np.array(y)
        return out
    
    def report(tag, f, read_every=0):
        calls(f, 300, read_every)
        ts = calls(f, 3000, read_every)
        q = [statistics.median(ts[i:i + 500]) for i in range(0, 3000, 500)]
        print(f"{tag:34s} median {statistics.median(ts):6.1f} us  min {min(ts):5.1f}  by 500s: {' '.join('%.0f' % v for v in q)}", flush=True)
    
    shape = (128, 16, 1024)
    order = sys.argv[1] if len(sys.argv) > 1 else "gpu-first"
    x_gpu = mx.random.normal(shape); mx.eval(x_gpu)
    x_host = mx.array(np.random.default_rng(0).standard_normal(shape, dtype=np.float32)); mx.eval(x_host)
    x_gpu_read = mx.random.normal(shape); mx.eval(x_gpu_read); np.array(x_gpu_read)
    x_copied = mx.array(x_host * 1); mx.eval(x_copied)  # the host's values, written again by the GPU
    cases = [("input GPU-written", lambda: mx.maximum(x_gpu, 0), 0),
             ("input host-written", lambda: mx.maximum(x_host, 0), 0),
             ("input GPU-written, host-read", lambda: mx.maximum(x_gpu_read, 0), 0),
             ("input host values, GPU copy", lambda: mx.maximum(x_copied, 0), 0),
             ("GPU input, output read each 100", lambda: mx.maximum(x_gpu, 0), 100),
             ("input GPU-written again", lambda: mx.maximum(x_gpu, 0), 0)]
    if order == "host-first": cases = cases[1:2] + cases[0:1] + cases[2:]
    for tag, f, r in cases: report(tag, f, r)
    print("sigmoid host-written", end=" "); report("", lambda: mx.sigmoid(x_host))
    print("sigmoid GPU-written", end=" "); report("", lambda: mx.sigmoid(x_gpu))
else:
    sys.argv = sys.argv[1:]
    import time, statistics, sys, threading, os
    import mlx.core as mx
    x = mx.random.normal((128, 16, 1024)); mx.eval(x)
    def calls(n):
        out = []
        for _ in range(n):
            t = time.perf_counter(); mx.eval(mx.maximum(x, 0)); out.append((time.perf_counter() - t) * 1e6)
        return out
    calls(300); ts = calls(4000)
    q = [statistics.median(ts[i:i + 500]) for i in range(0, 4000, 500)]
    print(f"{sys.argv[1]:24s} cpus {len(os.sched_getaffinity(0)):2d} threads {threading.active_count()}/{len(os.listdir('/proc/self/task'))}  median {statistics.median(ts):5.1f} us  by 500s: {' '.join('%.0f' % v for v in q)}", flush=True)
