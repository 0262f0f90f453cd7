#!/usr/bin/python3
"""Tiny-graph overhead, tapenet vs PyTorch, measured in one run.

Usage: /usr/bin/python3 bench/tiny_graph.py [build/bench/tapenet_tiny_graph_bench]
The graph is y = (a * b + c) * a on 1-element float32 tensors, forward + backward.
"""
import re
import subprocess
import sys
import time

import torch


def torch_us(iters=20000, rounds=7):
    a = torch.full((1,), 1.5, requires_grad=True)
    b = torch.full((1,), -2.0, requires_grad=True)
    c = torch.full((1,), 0.5, requires_grad=True)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(iters):
            y = (a * b + c) * a
            y.backward()
        best = min(best, (time.perf_counter() - start) / iters * 1e6)
    return best


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/bench/tapenet_tiny_graph_bench"
    torch.set_num_threads(1)
    pt = torch_us()
    out = subprocess.run([binary], check=True, capture_output=True, text=True).stdout
    tn = float(re.search(r"([0-9.]+) us/iteration", out).group(1))
    print(f"PyTorch {torch.__version__}: {pt:.2f} us/iteration")
    print(f"tapenet:        {tn:.2f} us/iteration")
    print(f"ratio tapenet/PyTorch: {tn / pt:.3f} (goal <= 0.5)")


if __name__ == "__main__":
    main()
