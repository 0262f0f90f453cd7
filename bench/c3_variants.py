#!/usr/bin/python3
"""LeNet-5 C3 variants, tapenet vs PyTorch, measured in one run.

Usage: /usr/bin/python3 bench/c3_variants.py [build/bench/tapenet_c3_variants_bench] [reps]
Batch 64, 6 -> 16 maps, 14x14 input, 5x5 kernels, forward + backward (input and parameters require
grad), backward from a fixed random gradient, best of `reps` after warm-up. PyTorch runs its
natural equivalents (masked dense conv for the table, groups=2, conv of the channel sum for the
shared sum/mean, N*C folded into the batch + max over channels for the shared max) with 2 threads
and with 1 thread; the faster of the two is the anchor.
"""
import re
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

LENET5 = [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1], [0, 1, 2, 3], [1, 2, 3, 4],
          [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2], [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
          [0, 1, 2, 3, 4, 5]]


def variants():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 6, 14, 14, generator=g, requires_grad=True)
    gy = torch.randn(64, 16, 10, 10, generator=g)
    w = torch.randn(16, 6, 5, 5, generator=g, requires_grad=True)
    wg = torch.randn(16, 3, 5, 5, generator=g, requires_grad=True)
    ws = torch.randn(16, 1, 5, 5, generator=g, requires_grad=True)
    b = torch.randn(16, generator=g, requires_grad=True)
    mask = torch.zeros(16, 6, 1, 1)
    for o, ins in enumerate(LENET5):
        mask[o, ins] = 1

    def shared_max():
        z = F.conv2d(x.reshape(64 * 6, 1, 14, 14), ws).reshape(64, 6, 16, 10, 10)
        return z.max(1).values + b[None, :, None, None]

    return {
        "dense": lambda: F.conv2d(x, w, b),
        "lenet5_table": lambda: F.conv2d(x, w * mask, b),
        "groups2": lambda: F.conv2d(x, wg, b, groups=2),
        "shared_sum": lambda: F.conv2d(x.sum(1, keepdim=True), ws, b),
        "shared_mean": lambda: F.conv2d(x.mean(1, keepdim=True), ws, b),
        "shared_max": shared_max,
    }, gy


def torch_ms(reps):
    fns, gy = variants()
    out = {}
    for name, fn in fns.items():
        for _ in range(5):
            fn().backward(gy)
        best = float("inf")
        for _ in range(reps):
            start = time.perf_counter()
            fn().backward(gy)
            best = min(best, time.perf_counter() - start)
        out[name] = best * 1e3
    return out


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/bench/tapenet_c3_variants_bench"
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    runs = {}
    for threads in (2, 1):
        torch.set_num_threads(threads)
        runs[threads] = torch_ms(reps)
    text = subprocess.run([binary, str(reps)], check=True, capture_output=True, text=True).stdout
    tn = {m.group(1): float(m.group(2)) for m in re.finditer(r"^(\w+)\s+([0-9.]+) ms", text, re.M)}
    pt = {k: min(runs[1][k], runs[2][k]) for k in runs[2]}
    print(f"LeNet C3 variants, batch 64, fwd+bwd (PyTorch {torch.__version__}: best of 1 and 2 threads)")
    print(f"{'variant':14} {'tapenet ms':>10} {'/dense':>7} {'torch ms':>9} {'/dense':>7} {'tapenet/torch':>14}")
    for k in tn:
        print(f"{k:14} {tn[k]:10.3f} {tn[k] / tn['dense']:7.2f} {pt[k]:9.3f} {pt[k] / pt['dense']:7.2f} "
              f"{tn[k] / pt[k]:14.2f}")


if __name__ == "__main__":
    main()
