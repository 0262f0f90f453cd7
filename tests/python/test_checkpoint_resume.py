"""Checkpoints across processes: exact resume in a fresh process, and a save killed with SIGKILL."""
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import tapenet as tn

# Trains a small net with dropout (default generator), a shuffling loader and a StepLR schedule.
#   worker straight SGD|Adam - out.npz      n steps in one go
#   worker first SGD|Adam ckpt -            k steps, then a checkpoint
#   worker resume SGD|Adam ckpt out.npz     other initial weights, load, n - k steps
WORKER = r"""
import sys
import numpy as np
import tapenet as tn

N, K = 10, 4
mode, optimizer, ckpt, out = sys.argv[1:5]
tn.set_num_threads(2)
tn.manual_seed(2 if mode == "resume" else 1)
nn = tn.nn
model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Dropout(0.2), nn.Flatten(), nn.Linear(144, 10))
if optimizer == "SGD":
    opt = tn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
else:
    opt = tn.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-3)
sched = tn.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
rng = np.random.default_rng(0)
data = tn.data.TensorDataset(rng.standard_normal((20, 1, 8, 8)).astype(np.float32), rng.integers(0, 10, 20))
loader = tn.data.DataLoader(data, batch_size=6, shuffle=True, seed=3, prefetch=0)


def train(steps):
    for _ in range(steps):
        try:
            x, y = next(loader)
        except StopIteration:  # end of an epoch: the next call starts the next one
            x, y = next(loader)
        opt.zero_grad()
        tn.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        sched.step()


def dump():
    arrays = {k: np.array(v) for k, v in model.state_dict().items()}
    for index, state in opt.state_dict()["state"].items():
        arrays.update({f"opt.{index}.{name}": np.array(t) for name, t in state.items()})
    arrays["lr"] = np.array(sched.get_last_lr())
    np.savez(out, **arrays)


if mode == "straight":
    train(N)
    dump()
elif mode == "first":
    train(K)
    tn.save_checkpoint(ckpt, model, opt, sched, meta={"epoch": loader.epoch, "global_step": K, "loader": loader})
else:
    meta = tn.load_checkpoint(ckpt, model, opt, sched)
    assert meta["global_step"] == K
    loader.load_state_dict(meta["loader"])
    train(N - K)
    dump()
"""


def run_worker(*args):
    subprocess.run([sys.executable, "-c", WORKER, *map(str, args)], check=True, env=os.environ.copy())


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_resume_in_a_fresh_process_is_bit_identical(tmp_path, optimizer):
    ckpt = tmp_path / "k.h5"
    run_worker("straight", optimizer, "-", tmp_path / "straight.npz")
    run_worker("first", optimizer, ckpt, "-")
    run_worker("resume", optimizer, ckpt, tmp_path / "resumed.npz")
    straight, resumed = np.load(tmp_path / "straight.npz"), np.load(tmp_path / "resumed.npz")
    assert sorted(straight.files) == sorted(resumed.files)
    assert any(name.startswith("opt.") for name in straight.files)
    for name in straight.files:
        assert straight[name].dtype == resumed[name].dtype
        assert straight[name].tobytes() == resumed[name].tobytes(), name


# Saves a 16 MB model over and over until killed.
SAVER = r"""
import sys
import tapenet as tn
tn.manual_seed(1)
model = tn.nn.Linear(2000, 2000)
while True:
    tn.save_checkpoint(sys.argv[1], model, meta={"tag": "new"})
"""


def test_sigkill_during_save_leaves_a_loadable_checkpoint(tmp_path):
    target = tmp_path / "big.h5"
    tn.manual_seed(0)
    model = tn.nn.Linear(2000, 2000)
    old = np.array(model.weight)
    tn.save_checkpoint(target, model, meta={"tag": "old"})
    child = subprocess.Popen([sys.executable, "-c", SAVER, str(target)], env=os.environ.copy())
    prefix = f".big.h5.tmp-{child.pid}-"
    deadline = time.monotonic() + 30
    try:
        while not any(name.startswith(prefix) for name in os.listdir(tmp_path)):
            assert time.monotonic() < deadline, "the child never started a save"
            time.sleep(0.001)
    finally:
        child.kill()  # SIGKILL, in the middle of writing the temporary file
        child.wait()
    tn.manual_seed(1)
    new = np.array(tn.nn.Linear(2000, 2000).weight)

    meta = tn.load_checkpoint(target, model)
    assert meta["tag"] in ("old", "new")
    assert np.array_equal(np.asarray(model.weight), old if meta["tag"] == "old" else new)
    for name in os.listdir(tmp_path):
        if name.startswith(prefix):  # the dead save's leftover is never taken for a checkpoint
            with pytest.raises(OSError, match="temporary file of an unfinished save"):
                tn.load_checkpoint(tmp_path / name, model)
    tn.save_checkpoint(target, model, meta={"tag": "after"})
    assert os.listdir(tmp_path) == ["big.h5"]  # the stale temporary file of the dead pid is gone
    assert tn.load_checkpoint(target, model)["tag"] == "after"
