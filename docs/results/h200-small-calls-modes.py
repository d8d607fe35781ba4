# Two experiments on the H200 (2026-12-03, MLX-CUDA 0.32.4), run one after the other:
# python h200-small-calls-modes.py idle | cache
import sys
if sys.argv[1:] == ['idle']:
    # Is the H200's slow mode of small MLX-CUDA calls the host's idle states?
    import os, struct, time, statistics, sys
    import mlx.core as mx
    
    def calls(f, n):
        out = []
        for _ in range(n):
            t = time.perf_counter(); mx.eval(f()); out.append((time.perf_counter() - t) * 1e6)
        return out
    
    x = mx.random.normal((128, 16, 1024)); mx.eval(x)
    a = mx.zeros((64, 16)); idx = mx.random.randint(0, 63, (10,)); src = mx.random.normal((10, 16)); mx.eval(a, idx, src)
    ops = {"ReLU": lambda: mx.maximum(x, 0), "Sigmoid": lambda: mx.sigmoid(x),
           "Scatter": lambda: a.at[idx].add(src), "SumAll": lambda: mx.sum(x)}
    
    def report(tag):
        for name, f in ops.items():
            calls(f, 300)
            ts = calls(f, 3000)
            slow = sum(t > 45 for t in ts) / len(ts)
            halves = [statistics.median(ts[:1500]), statistics.median(ts[1500:])]
            print(f"{tag:10s} {name:8s} median {statistics.median(ts):6.1f} us  min {min(ts):5.1f}  halves {halves[0]:.1f}/{halves[1]:.1f}  share>45us {slow:.2f}", flush=True)
    
    for path in ("/sys/devices/system/cpu/cpuidle/current_governor", "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"):
        try: print(path, open(path).read().strip())
        except Exception as e: print(path, "?", e)
    for rnd in range(2):
        report(f"plain{rnd}")
        try:
            fd = os.open("/dev/cpu_dma_latency", os.O_WRONLY); os.write(fd, struct.pack("i", 0))
        except Exception as e:
            print("cannot hold cpu_dma_latency:", e); fd = None
        report(f"latency0-{rnd}")
        if fd is not None: os.close(fd)
else:
    # Does MLX's buffer cache choose the small calls' mode?
    import time, statistics
    import mlx.core as mx
    
    def calls(f, n, keep):
        out, last = [], None
        for _ in range(n):
            t = time.perf_counter(); y = f(); mx.eval(y); out.append((time.perf_counter() - t) * 1e6)
            last = y if keep else None
        return out
    
    x = mx.random.normal((128, 16, 1024)); mx.eval(x)
    zero = mx.array(0.0); mx.eval(zero)
    a = mx.zeros((64, 16)); idx = mx.random.randint(0, 63, (10,)); src = mx.random.normal((10, 16)); mx.eval(a, idx, src)
    ops = {"ReLU(0)": lambda: mx.maximum(x, 0), "ReLU(arr)": lambda: mx.maximum(x, zero), "Sigmoid": lambda: mx.sigmoid(x),
           "Scatter": lambda: a.at[idx].add(src), "SumAll": lambda: mx.sum(x)}
    
    def report(tag, keep=False):
        for name, f in ops.items():
            calls(f, 300, keep)
            ts = calls(f, 3000, keep)
            print(f"{tag:12s} {name:9s} median {statistics.median(ts):6.1f} us  min {min(ts):5.1f}  share>45us {sum(t > 45 for t in ts) / len(ts):.2f}", flush=True)
    
    report("plain")
    report("keep-last", keep=True)
    mx.clear_cache(); report("cleared")
    old = mx.set_cache_limit(0); report("no-cache"); mx.set_cache_limit(old)
    report("plain-again")
    print("cache MB", mx.get_cache_memory() / 2**20, "active MB", mx.get_active_memory() / 2**20)
