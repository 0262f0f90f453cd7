#!/usr/bin/python3
"""Checkpoint save / load time of LeNet-5 with SGD-momentum state: tapenet's crash-safe HDF5 file
(bench/checkpoint_bench.cpp) against torch.save / torch.load of the same model and optimizer state
dicts, in the same directory, in the same run.

    /usr/bin/python3 bench/checkpoint.py build/bench/tapenet_checkpoint_bench [directory]

torch.save neither fsyncs nor renames, so it is not crash-safe; the figures also show tapenet with
the fsyncs' share (the difference between a directory on disk and one on tmpfs, /dev/shm)."""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import torch


def torch_times(directory, reps=30):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Conv2d(6, 16, 5),
        torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(400, 120), torch.nn.ReLU(),
        torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    torch.nn.functional.cross_entropy(model(torch.randn(8, 1, 28, 28)), torch.zeros(8, dtype=torch.long)).backward()
    opt.step()
    path = os.path.join(directory, "torch_checkpoint_bench.pt")
    saves, loads = [], []
    for _ in range(reps):
        start = time.perf_counter()
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, path)
        saves.append(time.perf_counter() - start)
    for _ in range(reps):
        start = time.perf_counter()
        state = torch.load(path)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        loads.append(time.perf_counter() - start)
    os.remove(path)
    return 1e3 * statistics.median(saves), 1e3 * statistics.median(loads)


def tapenet_times(binary, directory):
    out = subprocess.run([binary, directory], check=True, capture_output=True, text=True).stdout
    save, load = map(float, re.search(r"save ([\d.]+) ms\s+load ([\d.]+) ms", out).groups())
    return save, load


def main():
    binary = sys.argv[1]
    directories = [sys.argv[2] if len(sys.argv) > 2 else tempfile.gettempdir()]
    if os.path.isdir("/dev/shm"):
        directories.append("/dev/shm")
    for d in directories:
        ts, tl = tapenet_times(binary, d)
        ps, pl = torch_times(d)
        print(f"{d:12s} save: tapenet {ts:6.2f} ms  torch.save {ps:6.2f} ms  (x{ts / ps:5.2f})   "
              f"load: tapenet {tl:6.2f} ms  torch.load {pl:6.2f} ms  (x{tl / pl:5.2f})")


if __name__ == "__main__":
    main()
