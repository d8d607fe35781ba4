#!/usr/bin/env python3
"""Compares opbench's cuda times with the kernel time PyTorch's profiler reports.

For each experiment, opbench runs it on `cuda` with --timing events (device
events around one call) and --timing wall (host clock, synchronised); the
profiler then runs the same ATen call in PyTorch and sums the time of the
CUDA kernels it launched per call. Prints a markdown table.

    python3 scripts/profile_check.py build/opbench [--case LINE ...]
"""
import argparse
import json
import subprocess
import sys
import tempfile

import torch
from torch.profiler import ProfilerActivity, profile

# The large experiments of the default suite, one per op family.
DEFAULT_CASES = [
    "MatMul dim1=1000000x64 dim2=64x1024",
    "Linear dim1=100x1024x512 dim2=512x1024 dim3=1024",
    "Conv2d dim1=100x256x256x3 dim2=8x3x3x3",
    "Softmax dim1=128x16x32x1024 axis=-1",
    "Sort dim1=64x128x1024 axis=0",
    "Sum dim1=64x128x128x128 axis=1",
    "Concat dim1=1000000x64 dim2=1000000x128 axis=1",
    "BCE dim1=128x100000 dim2=128x100000",
    "ScaledDotProductAttention dim1=64x16x16x1024 dim2=64x16x64x1024 dim3=64x16x64x1024",
]


def parse(line):
    words = line.split()
    dims, axis = [], None
    for w in words[1:]:
        key, value = w.split("=")
        if key == "axis":
            axis = int(value)
        else:
            dims.append([int(d) for d in value.split("x")])
    return words[0], dims, axis


def make_call(op, dims, axis):
    """The same ATen call as src/backends/torch/torch_ops.cpp, layouts prepared outside timing."""
    dev = "cuda"
    r = lambda s: torch.randn(s, device=dev)
    if op == "MatMul":
        a, b = r(dims[0]), r(dims[1])
        return lambda: torch.matmul(a, b)
    if op == "Linear":
        x, w, b = r(dims[0]), r(dims[1]).t().contiguous(), r(dims[2])
        return lambda: torch.nn.functional.linear(x, w, b)
    if op == "Conv2d":
        x = r(dims[0]).permute(0, 3, 1, 2).contiguous()
        w = r(dims[1]).permute(0, 3, 1, 2).contiguous()
        return lambda: torch.conv2d(x, w)
    if op == "Softmax":
        x = r(dims[0])
        return lambda: torch.softmax(x, axis)
    if op == "Sort":
        x = r(dims[0])
        return lambda: torch.sort(x, axis)
    if op == "Sum":
        x = r(dims[0])
        return lambda: torch.sum(x, axis)
    if op == "Concat":
        a, b = r(dims[0]), r(dims[1])
        return lambda: torch.cat([a, b], axis)
    if op == "BCE":
        p = torch.rand(dims[0], device=dev).clamp(1e-6, 1 - 1e-6)
        t = torch.randint(0, 2, dims[1], device=dev).float()
        return lambda: torch.nn.functional.binary_cross_entropy(p, t)
    if op == "ScaledDotProductAttention":
        q, k, v = r(dims[0]), r(dims[1]), r(dims[2])
        return lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    raise SystemExit(f"profile_check.py has no PyTorch call for {op}")


def kernel_ms(call, iterations=20):
    for _ in range(5):
        call()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(iterations):
            call()
        torch.cuda.synchronize()
    total_us = sum(e.device_time for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA)
    return total_us / 1000 / iterations


def opbench_ms(exe, line, timing):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([exe, "run", "--backends", "cuda", "--case", line, "--timing", timing, "--quiet",
                        "--out", out, "--min-samples", "20", "--no-check"], check=True, stdout=subprocess.DEVNULL)
        with open(f"{out}/result.json") as f:
            cell = json.load(f)["experiments"][0]["cells"][0]
    return cell["time_ms"]["median"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("opbench")
    ap.add_argument("--case", action="append")
    args = ap.parse_args()
    print(f"{torch.cuda.get_device_name()}, PyTorch {torch.__version__}; medians in ms\n")
    print("| experiment | opbench events | opbench wall | profiler kernels | events vs kernels |")
    print("|---|---:|---:|---:|---:|")
    for line in args.case or DEFAULT_CASES:
        op, dims, axis = parse(line)
        kern = kernel_ms(make_call(op, dims, axis))
        torch.cuda.empty_cache()
        ev, wall = opbench_ms(args.opbench, line, "events"), opbench_ms(args.opbench, line, "wall")
        print(f"| {line} | {ev:.3f} | {wall:.3f} | {kern:.3f} | {100 * (ev / kern - 1):+.1f}% |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
