"""tn.nn.Module's API: names, state dicts as NumPy, load_state_dict (strict and not), train/eval,
zero_grad, repr, Python subclasses (also inside Sequential, after their Python references are
gone), Parameter and buffers, ConnectionTable, summary, the keyword names of every layer."""
import collections
import gc
import weakref

import numpy as np
import pytest
import torch

import tapenet as tn

nn = tn.nn


class Block(nn.Module):
    """A Python module with a child, a parameter, a buffer and a plain tensor attribute."""

    def __init__(self, n=4):
        super().__init__()
        self.fc = nn.Linear(n, 3)
        self.scale = nn.Parameter(tn.ones(3))
        self.register_buffer("calls", tn.zeros(1))
        self.plain = tn.ones(2)  # not a parameter, not in the state dict

    def forward(self, x):
        return self.fc(x) * self.scale + self.plain.sum()

    def extra_repr(self):
        return "n=4"


class TorchBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 3)
        self.scale = torch.nn.Parameter(torch.ones(3))
        self.register_buffer("calls", torch.zeros(1))

    def forward(self, x):
        return self.fc(x) * self.scale + 2.0


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
        self.head = nn.Sequential(collections.OrderedDict([("flat", nn.Flatten()), ("block", Block(50))]))

    def forward(self, x):
        return self.head(self.features(x))


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU())
        self.head = torch.nn.Sequential(collections.OrderedDict([("flat", torch.nn.Flatten()), ("block", TorchBlock())]))
        self.head.block.fc = torch.nn.Linear(50, 3)

    def forward(self, x):
        return self.head(self.features(x))


def test_names_match_pytorch():
    net, ref = Net(), TorchNet()
    assert [k for k, _ in net.named_parameters()] == [k for k, _ in ref.named_parameters()]
    assert [k for k, _ in net.named_buffers()] == [k for k, _ in ref.named_buffers()]
    assert list(net.state_dict()) == list(ref.state_dict())
    assert [k for k, _ in net.named_modules()] == [k for k, _ in ref.named_modules()]
    assert [k for k, _ in net.named_children()] == ["features", "head"]
    assert [type(m).__name__ for m in net.children()] == ["Sequential", "Sequential"]
    assert [type(m).__name__ for m in net.modules()][:3] == ["Net", "Sequential", "Conv2d"]
    assert len(list(net.parameters())) == len(list(ref.parameters()))
    assert len(list(net.buffers())) == len(list(ref.buffers()))
    assert [k for k, _ in net.named_parameters(prefix="m", recurse=False)] == []
    assert [k for k, _ in net.head.block.named_parameters(prefix="b", recurse=False)] == ["b.scale"]
    assert net.num_parameters() == sum(p.numel() for p in ref.parameters())
    assert all(isinstance(t, tn.Tensor) for _, t in net.named_parameters())


def test_python_module_matches_torch_and_loads_its_state(rng):
    net, ref = Net(), TorchNet()
    sd = net.state_dict()
    assert isinstance(sd, collections.OrderedDict)
    assert all(isinstance(v, np.ndarray) for v in sd.values())
    assert sd["features.1.num_batches_tracked"].dtype == np.int64
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
    x = rng.standard_normal((5, 1, 7, 7)).astype(np.float32)
    for mode in ("train", "eval"):
        getattr(net, mode)()
        getattr(ref, mode)()
        out, expected = net(tn.tensor(x)), ref(torch.tensor(x))
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-5)
    # and back: torch's (updated) state dict into tapenet, as torch tensors or NumPy arrays
    net2 = Net()
    assert net2.load_state_dict(ref.state_dict()) == ([], [])
    net3 = Net()
    net3.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    for a, b in zip(net2.state_dict().values(), net3.state_dict().values()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(net2.state_dict()["features.1.running_mean"],
                                  ref.state_dict()["features.1.running_mean"].numpy())


def test_state_dict_is_a_copy_and_keep_vars_shares():
    m = nn.Linear(3, 2)
    sd = m.state_dict()
    sd["weight"][...] = 7
    assert not np.any(m.weight.numpy() == 7)
    kept = m.state_dict(keep_vars=True)
    assert isinstance(kept["weight"], tn.Tensor)
    np.asarray(kept["weight"])[...] = 7
    assert np.all(m.weight.numpy() == 7)


def test_load_state_dict_accepts_tensors_and_casts_arrays():
    m = nn.Linear(3, 2)
    m.load_state_dict({"weight": tn.ones(2, 3), "bias": np.arange(2.0)})  # float64 array -> float32
    np.testing.assert_array_equal(m.bias.numpy(), [0, 1])
    assert m.bias.dtype == tn.float32
    with pytest.raises(ValueError, match="dtype mismatch"):
        m.load_state_dict({"weight": tn.ones(2, 3, dtype=tn.float64), "bias": tn.zeros(2)})


def test_load_state_dict_strict_lists_every_problem():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    before = m.state_dict()
    bad = {"0.weight": np.zeros((3, 3)), "0.bias": np.zeros(2), "extra": np.zeros(1), "1.weightt": np.zeros((1, 2))}
    with pytest.raises(nn.LoadStateDictError) as info:
        m.load_state_dict(bad)
    msg = str(info.value)
    for word in ["missing keys", "1.weight", "1.bias", "unexpected keys", "extra", "1.weightt", "0.weight"]:
        assert word in msg
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)
    for k, v in m.state_dict().items():  # nothing changed
        np.testing.assert_array_equal(v, before[k])


def test_load_state_dict_non_strict_returns_named_tuple():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    result = m.load_state_dict({"0.weight": np.ones((2, 3)), "other": np.ones(2)}, strict=False)
    assert result.missing_keys == ["0.bias", "1.weight", "1.bias"]
    assert result.unexpected_keys == ["other"]
    assert result == (["0.bias", "1.weight", "1.bias"], ["other"])
    np.testing.assert_array_equal(m[0].weight.numpy(), np.ones((2, 3)))
    strict = m.load_state_dict(m.state_dict())
    assert strict.missing_keys == [] and strict.unexpected_keys == []
    with pytest.raises(ValueError, match="mismatch"):  # shapes must match also when not strict
        m.load_state_dict({"0.weight": np.ones((3, 3))}, strict=False)


def test_train_eval_and_training_property():
    net = Net()
    assert net.training and net.features[1].training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.train(False)
    net.training = True  # this module only, as in PyTorch
    assert net.training and not net.features.training and not net.head.block.fc.training
    with pytest.raises(ValueError):
        net.train("yes")


def test_batchnorm_eval_inside_python_module_uses_running_stats(rng):
    net = Net()
    x = tn.tensor(rng.standard_normal((4, 1, 7, 7)).astype(np.float32))
    net.eval()
    a, b = net(x).numpy(), net(x).numpy()
    np.testing.assert_array_equal(a, b)
    assert int(net.features[1].num_batches_tracked.item()) == 0


def test_zero_grad_and_backward_through_python_forward(rng):
    net = Net()
    x = tn.tensor(rng.standard_normal((2, 1, 7, 7)).astype(np.float32))
    net(x).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_repr_like_pytorch():
    assert repr(nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2))) == repr(
        torch.nn.Sequential(torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.Tanh(), torch.nn.AvgPool2d(2)))
    r = repr(Net())
    assert r.startswith("Net(\n  (features): Sequential(\n    (0): Conv2d(1, 2, kernel_size=(3, 3)")
    assert "(block): Block(\n      n=4\n      (fc): Linear(in_features=50, out_features=3, bias=True)\n    )" in r
    assert repr(nn.Linear(2, 3, bias=False)) == repr(torch.nn.Linear(2, 3, bias=False))


def test_parameter_and_attribute_rules():
    b = Block()
    assert isinstance(b.scale, nn.Parameter) and isinstance(b.scale, tn.Tensor)
    assert b.scale.requires_grad and b.scale.is_leaf
    assert "plain" not in b.state_dict() and "plain" not in dict(b.named_parameters())
    # a Parameter shares the data of a Tensor argument, copies an array
    t = tn.zeros(2)
    p = nn.Parameter(t)
    np.asarray(t)[...] = 3
    np.testing.assert_array_equal(p.numpy(), [3, 3])
    assert not nn.Parameter(np.ones(2), requires_grad=False).requires_grad
    # the registered parameter is the attribute: in-place changes are seen by the module
    np.asarray(b.scale)[...] = 2
    np.testing.assert_array_equal(b.state_dict()["scale"], [2, 2, 2])
    # reassigning a parameter or buffer copies into it (same shape); other types are refused
    b.scale = nn.Parameter(tn.full((3,), 5.0))
    np.testing.assert_array_equal(b.state_dict()["scale"], [5, 5, 5])
    b.calls = b.calls + 1
    np.testing.assert_array_equal(b.state_dict()["calls"], [1])
    with pytest.raises(TypeError):
        b.scale = 3
    with pytest.raises(ValueError):
        b.scale = nn.Parameter(tn.ones(4))
    with pytest.raises(TypeError):
        b.fc = tn.ones(1)
    with pytest.raises(ValueError):
        b.fc = nn.Linear(4, 3)
    # C++ layers: weight is the parameter handle; assigning a Parameter copies into it
    lin = nn.Linear(2, 2)
    lin.weight = nn.Parameter(tn.ones(2, 2))
    np.testing.assert_array_equal(lin.state_dict()["weight"], np.ones((2, 2)))
    # explicit registration
    b.register_parameter("extra", tn.zeros(2))
    b.add_module("act", nn.ReLU())
    assert "extra" in b.state_dict() and isinstance(b.act, nn.ReLU)
    with pytest.raises(ValueError, match="already exists"):
        b.register_buffer("extra", tn.zeros(1))
    with pytest.raises(ValueError):
        b.register_buffer("a.b", tn.zeros(1))


def test_forward_not_implemented_and_bad_return():
    class NoForward(nn.Module):
        pass

    with pytest.raises(ValueError, match="NoForward: forward is not implemented"):
        NoForward()(tn.ones(1))

    class ReturnsNumber(nn.Module):
        def forward(self, x):
            return 3

    with pytest.raises(TypeError, match="must return a tapenet.Tensor"):
        nn.Sequential(ReturnsNumber())(tn.ones(1))


def test_python_forward_with_several_arguments():
    class Add(nn.Module):
        def forward(self, a, b, scale=1.0):
            return (a + b) * scale

    np.testing.assert_array_equal(Add()(tn.ones(2), tn.ones(2), scale=2.0).numpy(), [4, 4])


def _sequential_with_dropped_python_module():
    inner = Block()
    inner.extra_attr = "kept"
    np.asarray(inner.scale)[...] = 2.0
    ref = weakref.ref(inner)
    return nn.Sequential(nn.Identity(), inner, nn.ReLU()), ref


def test_python_module_survives_inside_sequential_after_gc():
    seq, ref = _sequential_with_dropped_python_module()
    gc.collect()
    assert ref() is not None  # kept alive by the C++ owner
    x = tn.ones(2, 4)
    out = seq(x)
    assert out.shape == (2, 3)
    child = seq[1]
    assert type(child).__name__ == "Block" and child.extra_attr == "kept"
    np.testing.assert_array_equal(out.numpy(), np.maximum(child.fc(x).numpy() * 2 + 2, 0))
    out.sum().backward()
    assert child.scale.grad is not None
    # nested twice, the outer wrapper alone is referenced
    outer = nn.Sequential(nn.Sequential(_sequential_with_dropped_python_module()[0]))
    gc.collect()
    assert outer(x).shape == (2, 3)
    assert "calls" in "".join(outer.state_dict())
    # once the container goes, the Python module is freed (no leak through the C++ owner)
    del seq, child, out
    gc.collect()
    assert ref() is None


def test_python_module_child_of_python_module_after_gc():
    def make():
        outer = nn.Module()
        outer.add_module("b", Block())
        return nn.Sequential(outer.b)

    seq = make()
    gc.collect()
    assert seq(tn.ones(1, 4)).shape == (1, 3)


def test_sequential_api():
    seq = nn.Sequential(nn.Linear(2, 3))
    assert seq.append(nn.ReLU()) is seq
    assert len(seq) == 2 and isinstance(seq[-1], nn.ReLU)
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU"]
    with pytest.raises(IndexError):
        seq[2]
    with pytest.raises(TypeError):
        nn.Sequential(3)
    assert nn.Sequential()(tn.ones(1)).shape == (1,)


def test_layer_keyword_names_and_properties():
    c = nn.Conv2d(6, 16, 5, stride=1, padding=0, dilation=1, groups=1, bias=True)
    assert (c.in_channels, c.out_channels, c.kernel_size, c.stride, c.padding, c.dilation, c.groups) == (
        6, 16, (5, 5), (1, 1), (0, 0), (1, 1), 1)
    cc = nn.ConnectionConv2d(6, 16, 5, table=nn.ConnectionTable.lenet5(), stride=1, padding=0, bias=True)
    assert cc.table == nn.ConnectionTable.lenet5() and cc.num_parameters() == 1516
    assert list(cc.state_dict()) == ["weight", "bias", "table"]
    np.testing.assert_array_equal(cc.state_dict()["table"], nn.ConnectionTable.lenet5().numpy().astype(np.int64))
    s = nn.SharedConv2d(6, 16, 5, reduce="max", stride=1, padding=0, bias=True, table=None)
    assert s.reduce == "max" and s.table is None and s.weight.shape == (16, 1, 5, 5)
    assert s.num_parameters() == 16 * 25 + 16
    st = nn.SharedConv2d(6, 16, 5, reduce="mean", table=nn.ConnectionTable.lenet5())
    assert st.table.connections == 60 and "table" in st.state_dict()
    with pytest.raises(ValueError):
        nn.SharedConv2d(6, 16, 5, reduce="median")
    with pytest.raises(ValueError):
        nn.Conv2d(6, 16, 5, groups=4)
    with pytest.raises(TypeError):
        nn.Conv2d(6, 16, "5")
    with pytest.raises(ValueError):
        nn.Conv2d(6, 16, (5, 5, 5))
    assert nn.MaxPool2d(3, stride=2, padding=1).stride == (2, 2)
    assert nn.AvgPool2d((2, 3)).stride == (2, 3)
    bn = nn.BatchNorm2d(4, eps=1e-3, momentum=0.2, affine=False, track_running_stats=True)
    assert (bn.num_features, bn.eps, bn.momentum, bn.affine, bn.weight) == (4, 1e-3, 0.2, False, None)
    assert nn.Dropout(p=0.2).p == 0.2
    with pytest.raises(ValueError):
        nn.ReLU(inplace=True)


def test_connection_table_api():
    T = nn.ConnectionTable
    t = T.lenet5()
    assert (t.in_channels, t.out_channels, t.shape, t.connections) == (6, 16, (16, 6), 60)
    assert t.density == pytest.approx(60 / 96)
    assert t.inputs_of(0) == [0, 1, 2] and t.inputs_of(15) == list(range(6))
    a = t.numpy()
    assert a.dtype == bool and a.shape == (16, 6)
    assert T(a) == t and T(a.astype(np.int32)) == t and T(a.tolist()) == t and T(tn.tensor(a)) == t
    assert T.full(3, 2).is_full and T.full(3, 2).connections == 6
    g = T.grouped(4, 6, 2)
    assert g.inputs_of(0) == [0, 1] and g.inputs_of(5) == [2, 3]
    r = T.random(6, 10, 3, seed=1)
    assert all(len(r.inputs_of(o)) == 3 for o in range(10)) and r == T.random(6, 10, 3, seed=1)
    assert repr(t) == "ConnectionTable(in_channels=6, out_channels=16, connections=60)"
    assert str(t).splitlines()[0].startswith("0:")
    with pytest.raises(ValueError):
        T(np.array([[1, 0], [0, 0]]))  # an output without inputs
    with pytest.raises(ValueError):
        nn.ConnectionConv2d(3, 16, 5, table=t)  # table does not fit


def test_summary_includes_python_modules():
    s = nn.summary(Net(), (1, 7, 7))
    assert isinstance(s, str)
    assert "features.0 (Conv2d)" in s and "head.block (Block)" in s and "head.block.fc (Linear)" in s
    assert f"Trainable params: {Net().num_parameters():,}" in s


def test_loss_modules_take_lists_and_arrays():
    x = tn.tensor([[1.0, 2.0], [0.5, -1.0]], requires_grad=True)
    assert nn.CrossEntropyLoss()(x, [1, 0]).item() == pytest.approx(
        torch.nn.CrossEntropyLoss()(torch.tensor([[1.0, 2.0], [0.5, -1.0]]), torch.tensor([1, 0])).item())
    assert nn.MSELoss(reduction="sum")(x, np.zeros((2, 2))).item() == pytest.approx(6.25)
    with pytest.raises(ValueError):
        nn.NLLLoss(reduction="avg")


def test_functional_forms_exist():
    F = tn.nn.functional
    for name in ["conv2d", "connection_conv2d", "shared_conv2d", "max_pool2d", "avg_pool2d",
                 "adaptive_avg_pool2d", "channel_max_pool", "batch_norm", "dropout", "linear"]:
        assert name in F.__all__ and callable(getattr(F, name))


def test_large_input_through_python_module_in_sequential():
    # >= 2**14 elements: the C++ call runs without the GIL and the Python forward re-acquires it
    seq = nn.Sequential(Block(), nn.Tanh())
    x = tn.ones(8192, 4)
    out = seq(x)
    assert out.shape == (8192, 3)
    np.testing.assert_allclose(out.numpy(), np.tanh(seq[0].fc(x).numpy() + 2), rtol=1e-6)


def test_python_subclass_of_a_cpp_layer():
    class Doubled(nn.Linear):
        def forward(self, x):
            return super().forward(x) * 2

    m = Doubled(3, 2)
    x = tn.ones(1, 3)
    np.testing.assert_allclose(m(x).numpy(), nn.Linear.forward(m, x).numpy() * 2)
    assert "weight" in m.state_dict()
    with pytest.raises(TypeError, match="subclass tapenet.nn.Module"):
        nn.Sequential(m)


def test_python_subclass_of_a_cpp_layer_inside_a_python_module():
    class Doubled(nn.Linear):
        def forward(self, x):
            return super().forward(x) * 2

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = Doubled(3, 2)

        def forward(self, x):
            return self.lin(x)

    h = Holder()
    x = tn.ones(1, 3)
    np.testing.assert_allclose(nn.Sequential(h)(x).numpy(), nn.Linear.forward(h.lin, x).numpy() * 2)


def test_python_module_in_sequential_from_several_threads():
    import threading

    seq = nn.Sequential(Block(), nn.Tanh())
    x = tn.ones(8192, 4)  # large enough to release the GIL in the C++ call
    expected = seq(x).numpy()
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                results.append(seq(x).numpy())
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(results) == 20
    for r in results:
        np.testing.assert_array_equal(r, expected)
