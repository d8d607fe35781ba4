#!/usr/bin/env python3
"""Times, through PyTorch's and MLX's Python APIs, the calls that opbench times
in C++, and prints opbench/python per cell.

    scripts/python_crosscheck.py RESULT.json [--min-ms 1] [--backends cpu,mlx_cpu]

RESULT.json is what `opbench run` wrote (or a .json.gz of docs/results). For
every timed cell of it whose backend has a Python counterpart (cpu, cuda, mps:
PyTorch; mlx_cpu, mlx_gpu and their *_compile forms: MLX) and whose mean is at
least --min-ms, this script builds inputs of the same shapes and kinds, calls
the framework function the reference harness (mlx-benchmark) calls, the way
it calls it (synchronised: torch.cuda.synchronize() / mx.eval on the result),
and times each call with time.perf_counter() until --time-s seconds have
passed (at least --min-calls calls after a warm-up). The calls are those of
docs/ops.md; a ratio near 1 says opbench's C++ call costs what the Python
call costs on this machine.

Each cell runs in a fresh Python process (as opbench runs each cell in a fresh
worker), and the table gives the page faults per call on both sides. The
allocators' state decides whether a large result is reused memory or fresh
pages that fault on every call (docs/sampling.md), so the calls run in one
stated state (--state): "reused" (opbench's default: glibc serves every block
from its heap and keeps what is freed), "fresh" (opbench's --fresh-memory:
glibc's free memory and the framework's cache handed back before every call),
or "plain" (what a plain Python script gets: no allocator setting, no cache
cleared). By default, the state the result file was timed in. The table's
first line names the state compared.

A GPU cell's calls are timed with every thread of the process held on one
core (--one-core) or wherever the OS puts them (--any-core), by default as
opbench's run was timed (its --one-core holds them): a synchronised call
hands over between the caller and a framework's thread, and on a virtual
machine the cores chosen decide its time (execution/one_core.h).

How a call waits for a GPU result is stated too (opbench's --wait,
docs/sampling.md). PyTorch's CUDA calls wait as the result file's did:
torch.cuda.synchronize() polls (poll, framework), a blocking CUDA event sleeps
(sleep). MLX's Python API has one wait, mx.eval's, which sleeps until the
driver wakes the thread: against a file timed with --wait poll (opbench's
default) its small cells read slower by that wake-up, and the table's first
line says so; a file timed with --wait sleep or framework compares like with
like.

It is run by hand beside a result (the frameworks must be importable: the
Python that opbench was built against, ~/.opbench/venv/bin/python by default).
"""
import argparse
import functools
import gzip
import json
import math
import os
import statistics
import sys
import time

TORCH_BACKENDS = {"cpu": "cpu", "cuda": "cuda", "mps": "mps"}
MLX_BACKENDS = {"mlx_cpu": ("cpu", False), "mlx_cpu_compile": ("cpu", True),
                "mlx_gpu": ("gpu", False), "mlx_gpu_compile": ("gpu", True)}


def parse_line(line):
    """'Argmax dim1=64x1024x128 axis=0' -> ('Argmax', [[64, 1024, 128]], {'axis': 0})."""
    words = line.split()
    dims, args = [], {}
    for word in words[1:]:
        key, value = word.split("=", 1)
        if key.startswith("dim"):
            dims.append([int(d) for d in value.split("x")])
        elif key == "axis":
            args["axis"] = int(value)
        else:
            args[key] = value
    return words[0], dims, args


# ---- inputs -----------------------------------------------------------------
# Same shapes and kinds as opbench's (the op units, src/model/ops/): normal floats, BCE's
# probabilities and 0/1 targets, indices from [0, N-1), Scatter's source rows
# taken from a normal N x F matrix. Each framework draws its own numbers, as
# the reference does; no op timed here has a cost that depends on them
# beyond their kind.

def input_kinds(op, dims):
    """[(kind, shape, bound)] with kind normal | uniform | binary | index | rows."""
    if op == "BCE":
        return [("uniform", dims[0], None), ("binary", dims[1], None)]
    if op == "Gather":
        return [("normal", dims[0], None), ("index", dims[1], dims[0][0] - 1)]
    if op in ("Scatter", "ScatterSum", "ScatterMax"):
        return [("index", dims[1], dims[0][0] - 1), ("rows", dims[0], dims[1][0])]
    return [("normal", d, None) for d in dims]


def torch_inputs(op, dims, device):
    import torch
    out = []
    for kind, shape, bound in input_kinds(op, dims):
        if kind == "normal":
            out.append(torch.randn(shape, device=device))
        elif kind == "uniform":
            out.append(torch.rand(shape, device=device))
        elif kind == "binary":
            out.append(torch.randint(0, 2, shape, device=device).float())
        elif kind == "index":
            out.append(torch.randint(0, bound, shape, device=device))
        else:  # rows: `bound` rows of a normal N x F matrix
            x = torch.randn(shape, device=device)
            out.append(x[torch.randint(0, shape[0] - 1, (bound,), device=device)].contiguous())
    return out


def mlx_inputs(op, dims):
    import mlx.core as mx
    out = []
    for kind, shape, bound in input_kinds(op, dims):
        if kind == "normal":
            out.append(mx.random.normal(shape))
        elif kind == "uniform":
            out.append(mx.random.uniform(shape=shape))
        elif kind == "binary":
            out.append(mx.random.randint(0, 2, shape).astype(mx.float32))
        elif kind == "index":
            out.append(mx.random.randint(0, bound, shape))
        else:
            x = mx.random.normal(shape)
            out.append(x[mx.random.randint(0, shape[0] - 1, (bound,))])
    mx.eval(out)
    return out


def causal_mask_rows(lq, lk):
    """The additive causal mask as nested lists: 0 where j <= i, -inf elsewhere."""
    return [[0.0 if j <= i else -math.inf for j in range(lk)] for i in range(lq)]


# ---- PyTorch: the reference's calls -------------------------------------------

def torch_call(op, dims, args, device):
    import torch
    import torch.nn.functional as F
    t = torch_inputs(op, dims, device)
    axis = args.get("axis")
    if op == "Argmax":
        return lambda: torch.argmax(t[0], dim=axis)
    if op == "BCE":
        return lambda: F.binary_cross_entropy(t[0], t[1])
    if op == "Concat":
        return lambda: torch.cat([t[0], t[1]], dim=axis)
    if op == "Conv1d":
        x, w = torch.transpose(t[0], -1, -2), torch.transpose(t[1], -1, -2)
        return lambda: F.conv1d(x, w)
    if op == "Conv2d":
        x, w = torch.permute(t[0], (0, 3, 1, 2)), torch.permute(t[1], (0, 3, 1, 2))
        return lambda: F.conv2d(x, w)
    if op == "Gather":
        return lambda: t[0][t[1]]
    if op == "LayerNorm":
        return lambda: F.layer_norm(t[0], normalized_shape=t[0].shape[-1:])
    if op == "LeakyReLU":
        return lambda: F.leaky_relu(t[0])
    if op == "Linear":
        w = t[1].T
        return lambda: F.linear(t[0], w, t[2])
    if op == "MatMul":
        return lambda: t[0] @ t[1]
    if op == "PReLU":
        alpha = t[1].reshape(1)
        return lambda: F.prelu(t[0], alpha)
    if op == "ReLU":
        return lambda: F.relu(t[0])
    if op == "ScaledDotProductAttention":
        scale = 1 / math.sqrt(dims[0][3])
        if args.get("mask") == "causal":
            return lambda: F.scaled_dot_product_attention(t[0], t[1], t[2], is_causal=True, scale=scale)
        mask = torch.tensor(causal_mask_rows(dims[0][2], dims[1][2]), device=device)
        return lambda: F.scaled_dot_product_attention(t[0], t[1], t[2], attn_mask=mask, scale=scale)
    if op in ("Scatter", "ScatterSum", "ScatterMax"):
        idx, src = t
        x = torch.zeros(dims[0], device=device)
        if op == "Scatter":
            def setitem():
                x[idx] = src
                return x
            return setitem
        index = idx.unsqueeze(1).expand_as(src)
        reduce = "sum" if op == "ScatterSum" else "amax"
        return lambda: torch.scatter_reduce(x, 0, index, src, reduce=reduce)
    if op == "SeLU":
        return lambda: F.selu(t[0])
    if op == "Sigmoid":
        return lambda: torch.sigmoid(t[0])
    if op == "Softmax":
        return lambda: F.softmax(t[0], dim=axis)
    if op == "Softplus":
        return lambda: F.softplus(t[0])
    if op == "Sort":
        return lambda: torch.sort(t[0], dim=axis)
    if op == "Sum":
        return lambda: torch.sum(t[0], dim=axis)
    if op == "SumAll":
        return lambda: torch.sum(t[0])
    return None


def torch_timed(op, dims, args, device, wait="poll"):
    import torch
    fn = torch_call(op, dims, args, device)
    if fn is None:
        return None
    sync = {"cuda": torch.cuda.synchronize, "mps": getattr(torch, "mps", None) and torch.mps.synchronize,
            "cpu": lambda: None}[device]
    sync()
    if device == "cuda" and wait == "sleep":  # opbench's --wait sleep: a blocking-sync event
        done = torch.cuda.Event(blocking=True)

        def sync():
            done.record()
            done.synchronize()

    @torch.no_grad()
    def call():
        fn()
        sync()
    return call


# ---- MLX: the reference's calls -----------------------------------------------

def mlx_call(op, dims, args):
    import mlx.core as mx
    import mlx.nn as nn
    a = mlx_inputs(op, dims)
    axis = args.get("axis")
    if op == "Argmax":
        return lambda: mx.argmax(a[0], axis=axis)
    if op == "BCE":
        return lambda: nn.losses.binary_cross_entropy(a[0], a[1], with_logits=False)
    if op == "Concat":
        return lambda: mx.concatenate([a[0], a[1]], axis=axis)
    if op == "Conv1d":
        return lambda: mx.conv1d(a[0], a[1])
    if op == "Conv2d":
        return lambda: mx.conv2d(a[0], a[1])
    if op == "Gather":
        return lambda: a[0][a[1]]
    if op == "LayerNorm":
        layer = nn.LayerNorm(dims=dims[0][-1], affine=False, bias=False)
        return lambda: layer(a[0])
    if op == "LeakyReLU":
        return lambda: nn.leaky_relu(a[0])
    if op == "Linear":
        return lambda: mx.addmm(a[2], a[0], a[1])
    if op == "MatMul":
        return lambda: a[0] @ a[1]
    if op == "PReLU":
        alpha = a[1].reshape(1)
        return lambda: nn.prelu(a[0], alpha)
    if op == "ReLU":
        return lambda: nn.relu(a[0])
    if op == "ScaledDotProductAttention":
        scale = 1 / math.sqrt(dims[0][3])
        mask = "causal" if args.get("mask") == "causal" else mx.array(causal_mask_rows(dims[0][2], dims[1][2]))
        return lambda: mx.fast.scaled_dot_product_attention(a[0], a[1], a[2], scale=scale, mask=mask)
    if op in ("Scatter", "ScatterSum", "ScatterMax"):
        idx, src = a
        box = [mx.zeros(dims[0])]
        mx.eval(box[0])
        if op == "Scatter":
            def setitem():
                x = box[0]
                x[idx] = src
                return x
            return setitem
        if op == "ScatterSum":
            return lambda: box[0].at[idx].add(src)
        return lambda: box[0].at[idx].maximum(src)
    if op == "SeLU":
        return lambda: nn.selu(a[0])
    if op == "Sigmoid":
        return lambda: mx.sigmoid(a[0])
    if op == "Softmax":
        return lambda: mx.softmax(a[0], axis=axis)
    if op == "Softplus":
        return lambda: nn.softplus(a[0])
    if op == "Sort":
        return lambda: mx.sort(a[0], axis=axis)
    if op == "Sum":
        return lambda: mx.sum(a[0], axis=axis)
    if op == "SumAll":
        return lambda: mx.sum(a[0])
    return None


def mlx_timed(op, dims, args, device, compiled, clear=True):
    import mlx.core as mx
    mx.set_default_device(mx.gpu if device == "gpu" else mx.cpu)
    fn = mlx_call(op, dims, args)
    if fn is None:
        return None
    # After the inputs, whose making (the random draws) frees temporaries:
    # opbench's inputs come from the host and free nothing. A plain script
    # does not.
    if clear:
        mx.clear_cache()
    if compiled:
        fn = mx.compile(fn)

    def call():
        mx.eval(fn())
    return call


# ---- the allocators' state -------------------------------------------------------
# opbench pins glibc's malloc policy at start-up, returns free memory to the
# system and empties MLX's buffer cache before each cell (model/memory.h,
# backends/mlx), so that whether a large result is fresh, page-faulting memory
# does not depend on what ran before; then it times the calls in a stated
# state (docs/sampling.md). The same here, or the two would time different
# allocator states; "plain" does none of it.

STATES = ("reused", "fresh", "plain")

@functools.lru_cache(maxsize=None)
def libc():
    import ctypes
    import ctypes.util
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("c"))
        return lib if hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim") else None
    except OSError:  # not glibc: nothing to pin
        return None


def pin_allocator_policy():
    lib = libc()
    if lib:
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
        lib.mallopt(M_MMAP_THRESHOLD, 32 << 20)
        lib.mallopt(M_TRIM_THRESHOLD, 64 << 20)


def release_free_host_memory():
    """glibc's malloc_trim(0), as opbench calls it before each cell."""
    lib = libc()
    if lib:
        lib.malloc_trim(0)


def reuse_host_memory():
    """opbench's default state while it samples (ReusedHostMemory): no block
    mapped afresh, nothing freed given back."""
    lib = libc()
    if lib:
        M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4  # glibc's malloc.h
        lib.mallopt(M_MMAP_MAX, 0)
        lib.mallopt(M_TRIM_THRESHOLD, -1)


def framework_cache_release(backend):
    """What opbench's --fresh-memory hands back before every call besides glibc's
    free memory: MLX's buffer cache, PyTorch's CUDA cache."""
    if backend in MLX_BACKENDS:
        import mlx.core as mx
        return mx.clear_cache
    if backend == "cuda":
        import torch
        return torch.cuda.empty_cache
    return lambda: None


def fenced_mean(samples):
    """The mean inside Tukey's far-out fences, as opbench's tables print it
    (docs/statistics.md): Q1 - 3 x spread to Q3 + 3 x spread, the spread the
    interquartile range but at least 5% of the median."""
    s = sorted(samples)

    def quantile(q):
        at = q * (len(s) - 1)
        below = int(at)
        return s[-1] if below + 1 >= len(s) else s[below] + (at - below) * (s[below + 1] - s[below])
    q1, q3 = quantile(0.25), quantile(0.75)
    spread = max(q3 - q1, 0.05 * abs(quantile(0.5)))
    kept = [v for v in s if q1 - 3 * spread <= v <= q3 + 3 * spread]
    return statistics.fmean(kept)


# ---- timing -------------------------------------------------------------------

def host_usage():
    """(minor page faults, user ms, system ms) of this process so far."""
    import resource
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_minflt, u.ru_utime * 1e3, u.ru_stime * 1e3


def measure(call, time_s, min_calls, before_call=lambda: None):
    """Mean (inside the fences, as opbench's) and median of single calls, each
    timed as the reference times it, and the host's cost per call (page
    faults, CPU time) over the samples. `before_call` runs untimed before each."""
    call()  # the first call builds kernels, plans, compiled graphs
    start = time.perf_counter()
    while time.perf_counter() - start < min(0.05, time_s):
        before_call()
        call()
    samples = []
    before = host_usage()
    start = time.perf_counter()
    while len(samples) < min_calls or time.perf_counter() - start < time_s:
        before_call()
        tic = time.perf_counter()
        call()
        samples.append((time.perf_counter() - tic) * 1e3)
        if len(samples) >= 100000:
            break
    faults, user_ms, system_ms = (b - a for a, b in zip(before, host_usage()))
    n = len(samples)
    return {"mean": fenced_mean(samples), "median": statistics.median(samples), "count": n,
            "minor_faults": faults / n, "user_ms": user_ms / n, "system_ms": system_ms / n}


GPU_BACKENDS = ("cuda", "mps", "mlx_gpu", "mlx_gpu_compile")


class OneCore:
    """Every thread of this process held on one core (the first allowed),
    and given its set back after: opbench's hold for a GPU cell."""

    def __init__(self, hold):
        self.before = {}
        if not hold or not hasattr(os, "sched_setaffinity"):
            return
        core = min(os.sched_getaffinity(0))
        for tid in os.listdir("/proc/self/task"):
            try:
                self.before[int(tid)] = os.sched_getaffinity(int(tid))
                os.sched_setaffinity(int(tid), {core})
            except OSError:  # ended since it was listed
                pass

    def __enter__(self):
        return self

    def __exit__(self, *_):
        if not self.before:
            return
        process = self.before[min(self.before)]
        for tid in os.listdir("/proc/self/task"):
            try:
                os.sched_setaffinity(int(tid), self.before.get(int(tid), process))
            except OSError:
                pass


def measure_cell(line, backend, time_s, min_calls, state="reused", one_core=False, wait="poll"):
    """One cell, in this process, in allocator state `state` (STATES): the
    allocator pinned and emptied as opbench does at the start of a cell, then
    reused or handed back before every call; "plain" touches nothing. None
    when the op has no call here."""
    if state != "plain":
        pin_allocator_policy()
        release_free_host_memory()
    op, dims, args = parse_line(line)
    if backend in TORCH_BACKENDS:
        call = torch_timed(op, dims, args, TORCH_BACKENDS[backend], wait)
    else:
        call = mlx_timed(op, dims, args, *MLX_BACKENDS[backend], clear=state != "plain")
    if call is None:
        return None
    with OneCore(one_core and backend in GPU_BACKENDS):
        if state == "reused":
            reuse_host_memory()
            return measure(call, time_s, min_calls)
        if state == "fresh":
            release_cache = framework_cache_release(backend)

            def fresh():
                release_cache()
                release_free_host_memory()
            return measure(call, time_s, min_calls, fresh)
        return measure(call, time_s, min_calls)


def measure_in_fresh_process(line, backend, opts):
    """One cell in a Python process of its own, as a user's script runs it.
    A long process's history (which sizes glibc's heap happens to hold free)
    decides whether a large result is recycled memory or fresh pages that
    fault on every call; a fresh process, like opbench's worker, starts from
    none of it."""
    import subprocess
    cell = json.dumps({"line": line, "backend": backend, "time_s": opts.time_s, "min_calls": opts.min_calls,
                       "state": opts.state, "one_core": opts.one_core, "wait": opts.wait})
    done = subprocess.run([sys.executable, __file__, "--cell", cell], capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr.strip() or f"exit {done.returncode}").splitlines()
        raise RuntimeError(lines[-1])
    return json.loads(done.stdout.strip().splitlines()[-1])


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return json.load(f)


def faults_text(ours, theirs):
    """'8193 / 0': page faults per call, opbench's and Python's."""
    ours_text = f"{ours:.0f}" if ours is not None else "?"
    return f"{ours_text} / {theirs:.0f}"


def waits_text(wait, backends):
    """How each side's GPU calls waited for their results, for the table's
    first line: opbench as its --wait said, Python as it can."""
    gpu = sorted(b for b in backends if b in GPU_BACKENDS)
    if not gpu:
        return "no GPU cells"
    opbench = {"poll": "by polling", "sleep": "asleep (blocking events)",
               "framework": "as each framework does (MLX asleep, PyTorch polling)"}[wait]
    python = []
    if "cuda" in gpu:
        python.append("cuda " + ("asleep (a blocking event)" if wait == "sleep" else "by polling (torch.cuda.synchronize)"))
    if any(b.startswith("mlx_gpu") for b in gpu):
        python.append("mlx_gpu asleep (mx.eval, the only wait of MLX's Python API"
                      + ("; its wake-up is in Python's times, not opbench's)" if wait == "poll" else ")"))
    return f"GPU results awaited: opbench {opbench}, Python " + ", ".join(python)


def summary_lines(ratios):
    inside = sum(0.7 <= r <= 1.3 for r, _, _ in ratios)
    lines = ["", f"{inside} of {len(ratios)} cells within 0.7-1.3 of the Python call "
                 f"(geometric mean ratio {math.exp(statistics.fmean(math.log(r) for r, _, _ in ratios)):.2f})."]
    slower = [f"{n} on {b} ({r:.2f})" for r, n, b in ratios if r > 1.3]
    faster = [f"{n} on {b} ({r:.2f})" for r, n, b in ratios if r < 0.7]
    if slower:
        lines.append("opbench slower: " + "; ".join(slower))
    if faster:
        lines.append("opbench faster: " + "; ".join(faster))
    return lines


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--cell":  # a child of measure_in_fresh_process
        cell = json.loads(sys.argv[2])
        print(json.dumps(measure_cell(cell["line"], cell["backend"], cell["time_s"], cell["min_calls"], cell["state"],
                                      cell.get("one_core", False), cell.get("wait", "poll"))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("result", help="an opbench result.json (or .json.gz)")
    parser.add_argument("--min-ms", type=float, default=1.0, help="cells with an opbench mean below this are left out (default 1)")
    parser.add_argument("--backends", default="", help="comma-separated backends to check (default: every one with a Python counterpart)")
    parser.add_argument("--time-s", type=float, default=0.3, help="sampling time per cell (default 0.3 s)")
    parser.add_argument("--min-calls", type=int, default=10, help="fewest timed calls per cell (default 10)")
    parser.add_argument("--one-process", action="store_true",
                        help="time every cell in this one process instead of a fresh process per cell "
                             "(faster; large results then depend on what ran before)")
    parser.add_argument("--state", choices=STATES,
                        help="the allocators' state of the Python calls: reused (opbench's default), fresh "
                             "(opbench's --fresh-memory) or plain (a plain script's: nothing set, nothing cleared); "
                             "default: the state the result file was timed in")
    parser.add_argument("--plain", dest="state", action="store_const", const="plain", help="the same as --state plain")
    parser.add_argument("--one-core", dest="one_core", action="store_const", const=True,
                        help="time GPU cells with every thread held on one core, as opbench does by default")
    parser.add_argument("--any-core", dest="one_core", action="store_const", const=False,
                        help="time GPU cells with the threads wherever the OS puts them")
    parser.add_argument("--out", help="also write the table (markdown) to this file")
    parser.add_argument("--python-cache", help="a JSON file of Python timings: cells found there are not timed "
                                               "again, new ones are added (to check two opbench results against "
                                               "one set of Python calls)")
    opts = parser.parse_args()
    cache = {}
    if opts.python_cache:
        try:
            with open(opts.python_cache) as f:
                cache = json.load(f)
        except FileNotFoundError:
            pass

    result = load(opts.result)
    timed_fresh = result.get("settings", {}).get("fresh_memory", False)
    opbench_state = "fresh" if timed_fresh else "reused"
    if "fresh_memory" not in result.get("settings", {}):
        opbench_state = "pinned, cleared per cell (before the stated states)"
    opts.state = opts.state or ("fresh" if timed_fresh else "reused")
    opbench_one_core = result.get("settings", {}).get("one_core", False)
    opts.wait = result.get("settings", {}).get("wait", "framework")  # files before --wait: each framework's own
    if opts.one_core is None:
        opts.one_core = opbench_one_core
    wanted = set(filter(None, opts.backends.split(",")))
    rows, ratios = [], []
    for experiment in result["experiments"]:
        op, dims, args = parse_line(experiment["line"])
        if args.get("dtype", "float32") != "float32":
            continue
        for cell in experiment["cells"]:
            backend = cell["backend"]
            if "time_ms" not in cell or (wanted and backend not in wanted):
                continue
            if backend not in TORCH_BACKENDS and backend not in MLX_BACKENDS:
                continue
            ours = cell["time_ms"].get("steady_mean", cell["time_ms"]["mean"])
            if ours < opts.min_ms:
                continue
            our_faults = cell.get("host_per_call", {}).get("minor_faults")
            held = opts.one_core and backend in GPU_BACKENDS
            key = (f"{experiment['line']}|{backend}|{opts.state}" + ("|one-core" if held else "") +
                   ("|sleep" if backend == "cuda" and opts.wait == "sleep" else ""))
            try:
                if key in cache:
                    theirs = cache[key]
                elif opts.one_process:
                    theirs = measure_cell(experiment["line"], backend, opts.time_s, opts.min_calls, opts.state,
                                          opts.one_core, opts.wait)
                else:
                    theirs = measure_in_fresh_process(experiment["line"], backend, opts)
            except Exception as err:  # an op a framework lacks: say so, go on
                rows.append((experiment["name"], backend, ours, None, None, "", str(err).splitlines()[0][:80]))
                continue
            cache[key] = theirs
            if theirs is None:
                continue
            ratio = ours / theirs["mean"]
            ratios.append((ratio, experiment["name"], backend))
            detail = (f"median {theirs['median']:.4g} ms, {theirs['count']} calls, "
                      f"user {theirs['user_ms']:.3g} + sys {theirs['system_ms']:.3g} ms/call")
            rows.append((experiment["name"], backend, ours, theirs["mean"], ratio,
                         faults_text(our_faults, theirs["minor_faults"]), detail))
            print(f"{experiment['name']} on {backend}: opbench {ours:.4g} ms, python {theirs['mean']:.4g} ms, "
                  f"ratio {ratio:.2f}", file=sys.stderr, flush=True)

    if opts.python_cache:
        with open(opts.python_cache, "w") as f:
            json.dump(cache, f)
    width = max([len(r[0]) for r in rows] + [10])
    mode = "all cells in one process" if opts.one_process else "each cell in a fresh process"
    lines = [f"Python cross-check of {opts.result} ({result.get('description', '')}); Python: {mode}; "
             f"allocators' state: opbench {opbench_state}, Python {opts.state}; GPU cells' threads: opbench "
             f"{'on one core' if opbench_one_core else 'anywhere'}, Python {'on one core' if opts.one_core else 'anywhere'}; "
             f"{waits_text(opts.wait, {r[1] for r in rows})}",
             "",
             f"| {'experiment':<{width}} | backend | opbench ms | python ms | opbench/python | page faults per call, opbench / python | python detail |",
             f"|{'-' * (width + 2)}|---------|-----------:|----------:|---------------:|------:|---------------|"]
    for name, backend, ours, theirs, ratio, faults, detail in rows:
        theirs_text = f"{theirs:.4g}" if theirs is not None else "nan"
        ratio_text = f"{ratio:.2f}" if ratio is not None else "nan"
        lines.append(f"| {name:<{width}} | {backend} | {ours:.4g} | {theirs_text} | {ratio_text} | {faults} | {detail} |")
    if ratios:
        lines += summary_lines(ratios)
    text = "\n".join(lines) + "\n"
    print(text)
    if opts.out:
        with open(opts.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
