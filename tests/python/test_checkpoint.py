"""tn.save_checkpoint / tn.load_checkpoint: meta round trip, h5py interop, errors, the PyTorch export.

The fresh-process resume and the SIGKILL test are in test_checkpoint_resume.py.
"""
import collections
import os
import pathlib
import subprocess

import h5py
import numpy as np
import pytest
import torch

import tapenet as tn

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "checkpoint-to-pytorch"


def lenet5():
    """LeNet-5 with the lenet5 C3 table, ReLU and max-pool (the examples' network)."""
    return tn.models.lenet5()


def torch_lenet5():
    """Its PyTorch twin: the same child names, a dense C3."""
    nn = torch.nn
    return nn.Sequential(collections.OrderedDict([
        ("c1", nn.Conv2d(1, 6, 5, padding=2)), ("act1", nn.ReLU()), ("s2", nn.MaxPool2d(2)),
        ("c3", nn.Conv2d(6, 16, 5)), ("act3", nn.ReLU()), ("s4", nn.MaxPool2d(2)), ("flatten", nn.Flatten()),
        ("c5", nn.Linear(400, 120)), ("act5", nn.ReLU()), ("f6", nn.Linear(120, 84)), ("act6", nn.ReLU()),
        ("output", nn.Linear(84, 10))]))


def trained(seed=0, steps=2):
    """LeNet-5 with SGD-momentum state after `steps` steps on random data."""
    tn.manual_seed(seed)
    model = lenet5()
    opt = tn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    x = tn.randn(4, 1, 28, 28)
    for _ in range(steps):
        opt.zero_grad()
        tn.nn.functional.cross_entropy(model(x), [1, 2, 3, 4]).backward()
        opt.step()
    return model, opt


def arrays(model):
    return {k: np.array(v) for k, v in model.state_dict().items()}


def assert_same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k


def test_meta_round_trip_restores_generators_and_loader(tmp_path):
    model, opt = trained()
    sched = tn.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    sched.step()
    gen = tn.Generator(7)
    tn.rand(3, generator=gen)
    data = tn.data.TensorDataset(np.zeros((10, 1, 4, 4), np.float32), np.arange(10))
    loader = tn.data.DataLoader(data, batch_size=3, shuffle=True, seed=1, prefetch=0)
    next(iter(loader))
    tn.manual_seed(11)
    default_state = tn.default_generator().get_state()
    path = tmp_path / "run.h5"  # os.PathLike is accepted
    tn.save_checkpoint(path, model, opt, sched, meta={
        "epoch": 3, "global_step": 40, "generator": gen, "loader": loader, "best": 0.75, "tags": ["a", "b"]})

    tn.manual_seed(99)
    fresh, fresh_opt = trained(seed=5, steps=1)
    fresh_sched = tn.optim.lr_scheduler.StepLR(fresh_opt, step_size=2, gamma=0.5)
    meta = tn.load_checkpoint(str(path), fresh, fresh_opt, fresh_sched)
    assert meta == {"best": 0.75, "tags": ["a", "b"], "epoch": 3, "global_step": 40,
                    "generator": gen.get_state(), "loader": {"epoch": 0, "position": 1},
                    "missing_keys": [], "unexpected_keys": []}
    assert tn.default_generator().get_state() == default_state
    assert_same(arrays(fresh), arrays(model))
    assert fresh_sched.state_dict() == sched.state_dict()
    assert fresh_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for i, state in opt.state_dict()["state"].items():
        np.testing.assert_array_equal(np.asarray(fresh_opt.state_dict()["state"][i]["momentum_buffer"]),
                                      np.asarray(state["momentum_buffer"]))
    with pytest.raises(ValueError, match="reserved"):
        tn.save_checkpoint(path, model, meta={"missing_keys": []})
    with pytest.raises(TypeError):
        tn.save_checkpoint(path, model, meta={"x": object()})
    assert tn.load_checkpoint(path, fresh)["best"] == 0.75  # the failed saves left the file intact


def test_h5py_reads_every_array(tmp_path):
    model, opt = trained()
    path = tmp_path / "a.h5"
    tn.save_checkpoint(path, model, opt, meta={"epoch": 1})
    expected = arrays(model)
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "tapenet-checkpoint" and f.attrs["format_version"] == 1
        assert f.attrs["tapenet_version"] == tn.__version__
        found = {}
        f["model"].visititems(lambda name, obj: found.__setitem__(name.replace("/", "."), obj[()])
                              if isinstance(obj, h5py.Dataset) else None)
        assert_same(found, expected)
        assert f["model/c1/weight"].attrs["layout"] == "OIHW"
        assert f["model/c3/weight"].attrs["layout"] == "OIHW"
        assert "layout" not in f["model/c5/weight"].attrs
        assert f["optimizer"].attrs["type"] == "SGD" and f["optimizer"].attrs["momentum"] == 0.9
        group = f["optimizer/param_groups/0"]
        assert list(group.attrs["params"]) == [k for k in expected if k != "c3.table"]
        momentum = opt.state_dict()["state"][0]["momentum_buffer"]
        np.testing.assert_array_equal(f["optimizer/state/c1/weight/momentum_buffer"][()], np.asarray(momentum))
        assert f["meta"].attrs["epoch"] == 1
        assert f["meta/generators"].attrs["default"] == tn.default_generator().get_state()


def test_strict_and_non_strict(tmp_path):
    model, opt = trained()
    path = tmp_path / "a.h5"
    tn.save_checkpoint(path, model, opt)
    other = tn.nn.Sequential(collections.OrderedDict([
        ("c1", tn.nn.Conv2d(1, 6, 5, padding=2)), ("act1", tn.nn.ReLU()), ("extra", tn.nn.Linear(3, 3)),
        ("c3", tn.nn.Conv2d(6, 16, 3))]))
    before = arrays(other)
    with pytest.raises(ValueError) as err:
        tn.load_checkpoint(path, other)
    message = str(err.value)
    assert message.startswith(f"{path}: cannot load the checkpoint:")
    for part in ["missing keys: extra.weight extra.bias",
                 "unexpected keys: c3.table c5.bias c5.weight f6.bias f6.weight output.bias output.weight",
                 "size or dtype mismatch for c3.weight: checkpoint [16, 6, 5, 5] float32, model [16, 6, 3, 3] float32"]:
        assert part in message
    assert_same(arrays(other), before)
    # Non-strict: the shapes of c3.weight still clash, so nothing changes either.
    with pytest.raises(ValueError, match="size or dtype mismatch for c3.weight"):
        tn.load_checkpoint(path, other, strict=False)
    assert_same(arrays(other), before)
    head = tn.nn.Sequential(collections.OrderedDict([("c1", tn.nn.Conv2d(1, 6, 5, padding=2)),
                                                  ("extra", tn.nn.Linear(5, 5))]))
    meta = tn.load_checkpoint(path, head, strict=False)
    assert meta["missing_keys"] == ["extra.weight", "extra.bias"]
    assert "c3.table" in meta["unexpected_keys"] and "output.bias" in meta["unexpected_keys"]
    np.testing.assert_array_equal(np.asarray(head[0].weight), np.asarray(model[0].weight))


def test_bad_files_raise_oserror_without_hdf5_noise(tmp_path, capfd):
    model, _ = trained()
    before = arrays(model)
    text = tmp_path / "notes.h5"
    text.write_text("hello")
    with pytest.raises(OSError, match=f"{text}: not an HDF5 file"):
        tn.load_checkpoint(text, model)
    good = tmp_path / "good.h5"
    tn.save_checkpoint(good, model)
    for name, edit, problem in [
        ("int32.h5", lambda f: f["model/c1"].create_dataset("bias2", data=np.zeros(6, np.int32)),
         "dataset /model/c1/bias2 has an unsupported type"),
        ("string.h5", lambda f: f["model/c1"].create_dataset("note", data="text"),
         "dataset /model/c1/note has an unsupported type"),
        ("version.h5", lambda f: f.attrs.__setitem__("format_version", np.int64(7)),
         "format_version 7 is not supported"),
        ("foreign.h5", lambda f: f.attrs.__setitem__("format", "something-else"), "not a tapenet checkpoint"),
        ("epoch.h5", lambda f: f["meta"].attrs.__setitem__("epoch", "one"),
         "attribute epoch of /meta has the wrong type"),
    ]:
        path = tmp_path / name
        path.write_bytes(good.read_bytes())
        with h5py.File(path, "a") as f:
            edit(f)
        with pytest.raises(OSError) as err:
            tn.load_checkpoint(path, model)
        assert str(err.value).startswith(f"{path}: ") and problem in str(err.value)
    assert_same(arrays(model), before)
    captured = capfd.readouterr()
    assert "HDF5" not in captured.err and captured.err == ""


def test_lenet5_exports_to_pytorch_with_the_same_logits_and_back(tmp_path):
    model, _ = trained(seed=3)
    ckpt, exported = tmp_path / "lenet.h5", tmp_path / "lenet.pt"
    tn.save_checkpoint(ckpt, model)
    subprocess.run([str(SCRIPT), str(ckpt), str(exported)], check=True, capture_output=True)
    state = torch.load(exported)
    assert "c3.table" not in state and state["c3.weight"].shape == (16, 6, 5, 5)
    twin = torch_lenet5()
    twin.load_state_dict(state)
    x = np.random.default_rng(0).standard_normal((5, 1, 28, 28)).astype(np.float32)
    with torch.no_grad():
        expected = twin(torch.from_numpy(x)).numpy()
    with tn.no_grad():
        actual = np.asarray(model(tn.tensor(x)))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5)
    assert int((state["c3.weight"] == 0).sum()) == (96 - 60) * 25  # unconnected weights are exactly zero

    back = tmp_path / "back.h5"
    subprocess.run([str(SCRIPT), "--reverse", str(exported), str(back)], check=True, capture_output=True)
    tn.manual_seed(42)
    fresh = lenet5()
    meta = tn.load_checkpoint(back, fresh, strict=False)
    assert meta["missing_keys"] == ["c3.table"] and meta["unexpected_keys"] == []
    assert_same(arrays(fresh), arrays(model))
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]
