"""tn.models: the variant names, LeNet-5 and the all-conv network against PyTorch twins loaded with
tapenet's state dict (same logits), parameter counts, and errors."""
import collections

import numpy as np
import pytest
import torch

import tapenet as tn
from helpers import assert_close

T = torch.nn


def torch_lenet5(activation, pooling):
    act = {"relu": T.ReLU, "tanh": T.Tanh}[activation]
    pool = {"max": T.MaxPool2d, "avg": T.AvgPool2d}[pooling]
    return T.Sequential(collections.OrderedDict([
        ("c1", T.Conv2d(1, 6, 5, padding=2)), ("act1", act()), ("s2", pool(2)),
        ("c3", T.Conv2d(6, 16, 5)), ("act3", act()), ("s4", pool(2)), ("flatten", T.Flatten()),
        ("c5", T.Linear(400, 120)), ("act5", act()), ("f6", T.Linear(120, 84)), ("act6", act()),
        ("output", T.Linear(84, 10))]))


def torch_allconv(widths):
    stages, c = [], 1
    for s, w in enumerate(widths):
        layers = [("conv", T.Conv2d(c, w, 3, padding=1, bias=False)), ("bn", T.BatchNorm2d(w)), ("relu", T.ReLU())]
        if s + 1 < len(widths):
            layers.append(("pool", T.MaxPool2d(2)))
        stages.append((f"stage{s}", T.Sequential(collections.OrderedDict(layers))))
        c = w
    return T.Sequential(collections.OrderedDict(
        stages + [("pool", T.AdaptiveAvgPool2d(1)), ("flatten", T.Flatten()), ("output", T.Linear(c, 10))]))


def load_into(twin, model):
    state = {k: torch.from_numpy(np.array(v)) for k, v in model.state_dict().items() if not k.endswith(".table")}
    twin.load_state_dict(state)


def test_conv_variant_names():
    assert tn.models.conv_variants() == [
        "dense", "lenet5_table", "random_table", "grouped", "shared_sum", "shared_mean", "shared_max",
        "depthwise_separable", "bsconv_u", "maxout"]


@pytest.mark.parametrize("c3,activation,pooling", [
    ("dense", "relu", "max"), ("lenet5_table", "relu", "max"), ("lenet5_table", "tanh", "avg"),
    ("random_table", "relu", "max")])
def test_lenet5_matches_a_pytorch_twin(c3, activation, pooling):
    tn.manual_seed(5)
    model = tn.models.lenet5(c3=c3, activation=activation, pooling=pooling, table_seed=3)
    twin = torch_lenet5(activation, pooling)
    load_into(twin, model)
    x = np.random.default_rng(1).standard_normal((4, 1, 28, 28)).astype(np.float32)
    with torch.no_grad():
        expected = twin(torch.from_numpy(x))
    with tn.no_grad():
        assert_close(model(tn.tensor(x)), expected, f"lenet5 c3={c3}")
    live_c3 = {"dense": 2416, "lenet5_table": 1516, "random_table": 1516}[c3]
    assert model.num_parameters() == 156 + live_c3 + 48120 + 10164 + 850


def test_allconv_matches_a_pytorch_twin_in_train_and_eval_mode():
    tn.manual_seed(6)
    model = tn.models.allconv(widths=[12, 24, 48])
    twin = torch_allconv([12, 24, 48])
    load_into(twin, model)
    x = np.random.default_rng(2).standard_normal((3, 1, 16, 16)).astype(np.float32)
    for train in (True, False):
        model.train(train)
        twin.train(train)
        with torch.no_grad():
            expected = twin(torch.from_numpy(x))
        with tn.no_grad():
            assert_close(model(tn.tensor(x)), expected, f"allconv train={train}")
    assert model.num_parameters() == sum(p.numel() for p in twin.parameters())


def test_allconv_variants_and_matched_widths():
    dense, shared = tn.models.allconv(), tn.models.allconv("shared_sum")
    assert dense.num_parameters() == 53362
    assert shared.num_parameters() == 2818
    widths = tn.models.matched_dense_widths(shared.num_parameters())
    assert widths == [6, 12, 18]
    assert tn.models.allconv(widths=widths).num_parameters() == 2908
    assert tuple(tn.models.allconv("grouped", groups=3)(tn.randn(1, 1, 8, 8)).shape) == (1, 10)


def test_make_conv_builds_each_variant_and_names_bad_sizes():
    x = tn.randn(2, 6, 9, 9)
    for name in tn.models.conv_variants():
        conv = tn.models.make_conv(name, 6, 16, 3, padding=1)
        assert tuple(conv(x).shape) == (2, 16, 9, 9), name
    assert type(tn.models.make_conv("shared_max", 6, 16, 5)).__name__ == "SharedConv2d"
    assert [k for k, _ in tn.models.make_conv("bsconv_u", 6, 16, 3).named_parameters()] == [
        "pointwise.weight", "depthwise.weight", "depthwise.bias"]
    with pytest.raises(ValueError, match=r"make_conv\(grouped, 6 -> 16\): groups=3 must divide"):
        tn.models.make_conv("grouped", 6, 16, 3, groups=3)
    with pytest.raises(ValueError, match="unknown convolution variant 'sparse'"):
        tn.models.lenet5(c3="sparse")
    with pytest.raises(ValueError, match="valid: max, avg"):
        tn.models.lenet5(pooling="min")


def test_random_table_of_a_given_density():
    table = tn.nn.ConnectionTable.random_connections(6, 16, 60, seed=3)
    assert table.connections == 60 and table.shape == (16, 6)
    fan_in = sorted(len(table.inputs_of(o)) for o in range(16))
    assert fan_in == [3] * 4 + [4] * 12
    assert table == tn.nn.ConnectionTable.random_connections(6, 16, 60, seed=3)
    with pytest.raises(ValueError, match=r"\[16, 96\], got 100"):
        tn.nn.ConnectionTable.random_connections(6, 16, 100)
