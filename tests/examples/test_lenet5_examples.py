"""The LeNet-5 training programs (examples/lenet5_fashion_mnist.cpp and .py) on a tiny learnable
IDX data set written here: they learn, print per-epoch lines and a progress log, write the metrics
file, agree with each other bit for bit, and resume a checkpoint exactly (across the languages).

Run by CTest (tests/CMakeLists.txt) with LENET5_CPP = the C++ binary and PYTHONPATH = the module."""
import gzip
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CPP = os.environ.get("LENET5_CPP", str(ROOT / "build" / "examples" / "lenet5_fashion_mnist"))
PY = [sys.executable, str(ROOT / "examples" / "lenet5_fashion_mnist.py")]


def write_idx(path, array):
    magic = {1: 0x0801, 3: 0x0803}[array.ndim]
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Class k = a bright 7x7 block at one of ten places, on noise: learnable in a few epochs."""
    root = tmp_path_factory.mktemp("idx")
    rng = np.random.default_rng(0)
    for split, n in (("train", 640), ("t10k", 160)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 60, (n, 28, 28))
        for i, k in enumerate(labels):
            r, c = 2 + 8 * (k // 4), 2 + 6 * (k % 4)
            images[i, r:r + 7, c:c + 7] += 180
        write_idx(root / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(root / f"{split}-labels-idx1-ubyte.gz", labels)
    return root


def run(cmd, *args, check=True):
    result = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


COMMON = ["--epochs", 3, "--threads", 2, "--batch-size", 16, "--lr", 0.02, "--progress", "log"]


def test_cpp_and_python_examples_learn_and_agree(data, tmp_path):
    out = run([CPP], "--data", data, "--log", tmp_path / "cpp.jsonl", *COMMON)
    lines = out.stdout.splitlines()
    assert lines[0].startswith("LeNet-5, C3 = lenet5_table: 60806 parameters; fashion-mnist: 640 train / 160 test")
    assert any(line.startswith("epoch 1  batch 40/40  loss") for line in lines), out.stdout
    assert [line.split("  ")[0] for line in lines if "/3  train loss" in line] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    cpp = records(tmp_path / "cpp.jsonl")
    assert [r["epoch"] for r in cpp] == [1, 2, 3]
    assert cpp[2]["train_loss"] < 0.5 * cpp[0]["train_loss"]
    assert cpp[2]["test_accuracy"] > 0.8
    assert all(r["peak_rss_bytes"] > 0 and r["minor_faults"] >= 0 and r["images_per_second"] > 0 for r in cpp)

    run(PY, "--data", data, "--log", tmp_path / "py.jsonl", *COMMON)
    py = records(tmp_path / "py.jsonl")
    for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr"):
        assert [r[key] for r in py] == [r[key] for r in cpp], key


@pytest.mark.parametrize("c3", ["shared_max", "depthwise_separable"])
def test_other_c3_variants_train(data, tmp_path, c3):
    run([CPP], "--data", data, "--log", tmp_path / "run.csv", "--c3", c3, *COMMON)
    text = (tmp_path / "run.csv").read_text().splitlines()
    assert text[0].startswith("c3,epoch,lr,train_loss,")
    assert len(text) == 4 and all(line.startswith(c3 + ",") for line in text[1:])


def test_a_cpp_checkpoint_resumes_exactly_in_python(data, tmp_path):
    args = ["--data", data, "--threads", 2, "--batch-size", 32, "--progress", "off"]
    run([CPP], *args, "--epochs", 3, "--log", tmp_path / "whole.jsonl")
    run([CPP], *args, "--epochs", 2, "--checkpoint", tmp_path / "two.h5")
    out = run(PY, *args, "--epochs", 3, "--resume", tmp_path / "two.h5", "--log", tmp_path / "resumed.jsonl")
    assert "resumed from" in out.stdout and "after epoch 2" in out.stdout
    whole, resumed = records(tmp_path / "whole.jsonl"), records(tmp_path / "resumed.jsonl")
    assert [r["epoch"] for r in resumed] == [3]
    for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        assert resumed[0][key] == whole[2][key], key


def test_bad_input_is_a_clear_error(tmp_path):
    out = run([CPP], "--data", tmp_path / "nowhere", "--epochs", 1, check=False)
    assert out.returncode == 1
    assert str(tmp_path / "nowhere") in out.stderr and "dataset-fashion-mnist" in out.stderr
    out = run([CPP], "--c3", "sparse", check=False)
    assert out.returncode != 0 and "sparse" in out.stderr
    out = run(PY, "--data", tmp_path / "nowhere", "--epochs", 1, check=False)
    assert out.returncode == 1 and str(tmp_path / "nowhere") in out.stderr
