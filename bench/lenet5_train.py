#!/usr/bin/python3
"""LeNet-5 training throughput on Fashion-MNIST: tapenet (C++ and Python examples) against PyTorch
with 1 and with 2 threads, side by side in one run.

Every configuration runs as its own process, rounds interleaved so drifting machine load favours
none of them; each process trains `--epochs` epochs and its best epoch counts. Reported per
configuration: images/s (best over rounds), peak RSS, the process's minor page faults (start-up and
data loading included; the examples' own per-epoch count is in their output) and the share of CPU
time spent in the kernel. The ratio that matters is tapenet's images/s over the faster
PyTorch configuration.

    /usr/bin/python3 bench/lenet5_train.py --build build [--rounds 3] [--epochs 2] [--c3 lenet5_table]

PyTorch's network is the same LeNet-5 (ReLU, max-pool, SGD momentum 0.9, lr 0.01, batch 64,
normalised inputs) with a dense C3, PyTorch's cheapest way to express it: it has no connection
table (a masked dense weight would cost more). Its data sit in memory as uint8 and each batch is
indexed from a random permutation, the fastest PyTorch input path (no DataLoader collation).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("TAPENET_DATA") or "/usr/share/datasets/fashion-mnist"

# The PyTorch twin, run in its own process: prints one JSON line per epoch.
TORCH_TRAINER = r"""
import gzip, json, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
threads, epochs, data = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
torch.set_num_threads(threads)
torch.manual_seed(0)
def idx(name, offset):
    for path in (f"{data}/{name}.gz", f"{data}/{name}"):
        try:
            with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
                return np.frombuffer(f.read(), np.uint8, offset=offset)
        except FileNotFoundError:
            pass
    raise FileNotFoundError(f"{data}/{name}[.gz]")
images = torch.from_numpy(idx("train-images-idx3-ubyte", 16).reshape(-1, 1, 28, 28).copy())
labels = torch.from_numpy(idx("train-labels-idx1-ubyte", 8).astype(np.int64))
model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(epochs):
    start = time.perf_counter()
    perm = torch.randperm(len(labels))
    loss_sum, correct = 0.0, 0
    for b in range(0, len(labels), 64):
        i = perm[b:b + 64]
        x = images[i].float().div_(255).sub_(0.2860).div_(0.3530)
        y = labels[i]
        opt.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        loss_sum += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
    seconds = time.perf_counter() - start
    print(json.dumps({"epoch": epoch + 1, "images_per_second": len(labels) / seconds,
                      "train_loss": loss_sum / len(labels), "train_accuracy": correct / len(labels)}), flush=True)
"""


def run(cmd, env=None, log=None):
    """Runs cmd; returns (per-epoch records, rusage of that one child)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode()
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
        out.seek(0)
        text = out.read().decode()
    if log:
        with open(log) as f:
            records = [json.loads(line) for line in f]
        os.remove(log)
    else:
        records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return records, usage


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"), help="the CMake build directory")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--c3", default="lenet5_table", help="tapenet's C3 variant (PyTorch always uses dense)")
    args = p.parse_args()

    tmp = tempfile.mkdtemp()
    cpp = [os.path.join(args.build, "examples", "lenet5_fashion_mnist")]
    py = [sys.executable, os.path.join(ROOT, "examples", "lenet5_fashion_mnist.py")]
    common = ["--epochs", str(args.epochs), "--threads", "2", "--progress", "off", "--c3", args.c3]
    py_env = dict(os.environ, PYTHONPATH=os.path.join(args.build, "python"))
    configs = {
        f"tapenet C++ ({args.c3})": lambda log: run(cpp + common + ["--log", log], log=log),
        f"tapenet Python ({args.c3})": lambda log: run(py + common + ["--log", log], env=py_env, log=log),
        "tapenet C++ (dense)": lambda log: run(cpp + common[:-1] + ["dense", "--log", log], log=log),
        "PyTorch 1 thread (dense)": lambda log: run([sys.executable, "-c", TORCH_TRAINER, "1", str(args.epochs), DATA]),
        "PyTorch 2 threads (dense)": lambda log: run([sys.executable, "-c", TORCH_TRAINER, "2", str(args.epochs), DATA]),
    }
    best = {name: None for name in configs}
    for r in range(args.rounds):
        for name, launch in configs.items():
            records, usage = launch(os.path.join(tmp, "log.jsonl"))
            speed = max(rec["images_per_second"] for rec in records)
            cpu = usage.ru_utime + usage.ru_stime
            row = {"images_per_second": speed, "peak_rss_mb": usage.ru_maxrss / 1024,
                   "faults": usage.ru_minflt, "kernel_share": usage.ru_stime / cpu,
                   "train_loss": records[-1]["train_loss"]}
            print(f"round {r + 1}: {name:28s} {speed:8.0f} img/s  peak RSS {row['peak_rss_mb']:5.0f} MB  "
                  f"{row['faults']:8d} page faults  kernel {100 * row['kernel_share']:4.1f}% of CPU  "
                  f"final train loss {row['train_loss']:.4f}", flush=True)
            if best[name] is None or speed > best[name]["images_per_second"]:
                best[name] = row
    torch_best = max(best["PyTorch 1 thread (dense)"]["images_per_second"],
                     best["PyTorch 2 threads (dense)"]["images_per_second"])
    torch_rss = max(best["PyTorch 1 thread (dense)"]["peak_rss_mb"], best["PyTorch 2 threads (dense)"]["peak_rss_mb"])
    print(f"\nLeNet-5, batch 64, best epoch of {args.epochs} over {args.rounds} rounds; ratios against the faster PyTorch")
    for name, row in best.items():
        print(f"{name:28s} {row['images_per_second']:8.0f} img/s  x{row['images_per_second'] / torch_best:5.2f}  "
              f"peak RSS {row['peak_rss_mb']:5.0f} MB (x{row['peak_rss_mb'] / torch_rss:4.2f})  "
              f"{row['faults']:8d} page faults  kernel {100 * row['kernel_share']:4.1f}%")
    cpp_speed = best[f"tapenet C++ ({args.c3})"]["images_per_second"]
    py_speed = best[f"tapenet Python ({args.c3})"]["images_per_second"]
    print(f"Python example / C++ example: {py_speed / cpp_speed:.3f}")


if __name__ == "__main__":
    main()
