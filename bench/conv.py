#!/usr/bin/python3
"""conv2d forward + backward, tapenet vs PyTorch, measured in one run.

Usage: /usr/bin/python3 bench/conv.py [build/bench/tapenet_conv_bench] [rounds]
Batch 64, float32, input, weight and bias all requiring grad, backward from a fixed random gradient.
PyTorch runs with 2 threads and with 1 thread (its better figure is the reference); tapenet runs as is
and with OPENBLAS_THREAD_TIMEOUT=4 (OpenBLAS's idle worker threads then sleep at once instead of
spinning for ~0.1 s, which otherwise takes a core from the TBB workers: see docs/PERFORMANCE.md). The
frameworks take turns for `rounds` rounds (default 3) and every figure is the best over all rounds, so
load from other processes on the machine penalises neither side.
"""
import os
import re
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

BATCH = 64
# name (as printed by tapenet_conv_bench), C_in, C_out, H = W, kernel, padding, groups, goal (ratio)
LAYERS = [
    ("6-16_14x14_k5", 6, 16, 14, 5, 0, 1, 1.0),
    ("3-32_32x32_k3_p1", 3, 32, 32, 3, 1, 1, 1.0),
    ("64-64_16x16_k3_p1", 64, 64, 16, 3, 1, 1, 1.25),
    ("6-16_14x14_k5_g2", 6, 16, 14, 5, 0, 2, None),
    ("1-6_28x28_k5_p2", 1, 6, 28, 5, 2, 1, None),
    ("32-32_16x16_k3_p1_dw", 32, 32, 16, 3, 1, 32, None),
]


def flops(c_in, c_out, size, k, p, g):
    out = size + 2 * p - k + 1
    return 3.0 * 2.0 * BATCH * c_out * out * out * (c_in // g) * k * k


def torch_ms(c_in, c_out, size, k, p, g, warmup=3, reps=15):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(BATCH, c_in, size, size, generator=gen, requires_grad=True)
    w = torch.randn(c_out, c_in // g, k, k, generator=gen, requires_grad=True)
    b = torch.randn(c_out, generator=gen, requires_grad=True)
    out = size + 2 * p - k + 1
    gy = torch.randn(BATCH, c_out, out, out, generator=gen)

    def run():
        F.conv2d(x, w, b, padding=p, groups=g).backward(gy)

    for _ in range(warmup):
        run()
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def tapenet_ms(binary, env=None):
    out = subprocess.run([binary], check=True, capture_output=True, text=True, env=env).stdout
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"conv (\S+)\s+([0-9.]+) ms", out)}


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/bench/tapenet_conv_bench"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    inf = float("inf")
    best = {name: {"pt2": inf, "pt1": inf, "tn": inf, "tn_sleep": inf} for name, *_ in LAYERS}
    sleeping = dict(os.environ, OPENBLAS_THREAD_TIMEOUT="4")
    for _ in range(rounds):
        for threads, key in ((2, "pt2"), (1, "pt1")):
            torch.set_num_threads(threads)
            for name, *cfg, _ in LAYERS:
                best[name][key] = min(best[name][key], torch_ms(*cfg))
        for key, env in (("tn", None), ("tn_sleep", sleeping)):
            for name, ms in tapenet_ms(binary, env).items():
                if name in best:
                    best[name][key] = min(best[name][key], ms)
    torch.set_num_threads(2)

    print(f"conv2d forward+backward, batch {BATCH}, float32, best of {rounds} rounds; PyTorch {torch.__version__}")
    print("| layer | PyTorch 2 thr | PyTorch 1 thr | tapenet | tapenet, timeout 4 | GFLOP/s "
          "| tapenet / PyTorch | same, timeout 4 | goal |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, c_in, c_out, size, k, p, g, goal in LAYERS:
        r = best[name]
        ref = min(r["pt2"], r["pt1"])
        gflops = flops(c_in, c_out, size, k, p, g) / min(r["tn"], r["tn_sleep"]) * 1e-6
        goal_text = f"<= {goal}" if goal else ""
        print(f"| {name} | {r['pt2']:.2f} | {r['pt1']:.2f} | {r['tn']:.2f} | {r['tn_sleep']:.2f} | {gflops:.0f} | "
              f"{r['tn'] / ref:.2f} | **{r['tn_sleep'] / ref:.2f}** | {goal_text} |")
    print("(times in ms)")
    for key, label in (("tn", ""), ("tn_sleep", ", timeout 4")):
        ratio = best["6-16_14x14_k5_g2"][key] / best["6-16_14x14_k5"][key]
        print(f"grouped C3 (g=2) / dense C3, tapenet{label}: {ratio:.2f} (goal <= 0.70)")


if __name__ == "__main__":
    main()
