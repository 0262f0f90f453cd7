"""Every tn.nn layer against PyTorch: forward values, the input gradient and every parameter
gradient of sum(out * v) for a fixed random v, at odd sizes (H, W = 7 or 9), 1 and 3 channels,
batch 1 and 5, stride 2, padding, dilation, groups and connection tables. The torch layer gets
tapenet's parameters through load_state_dict (same keys and layouts), so the state dict transfer
is tested too. float32 through the modules (rtol 1e-5), float64 through tn.nn.functional
(rtol 1e-10). The special convolutions are checked against compositions of torch ops."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tapenet as tn
import tapenet.nn.functional as F
from helpers import assert_close, check_against_torch


def normal(rng, shape, dtype="float32"):
    return np.asarray(rng.standard_normal(shape), dtype=dtype)


def load_into_torch(tn_mod, th_mod, skip=("table",)):
    """Loads tapenet's state dict into the torch module (strict, minus the extra keys)."""
    sd = tn_mod.state_dict()
    th_mod.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items() if k not in skip})


def compare_module(tn_mod, th_mod, x, rng, atol_factor=1.0, grad_map=None, skip=("table",), load=True):
    """Forward, input gradient and parameter gradients of tn_mod vs th_mod on the array x.
    grad_map: tn parameter name -> function(torch module) giving the reference gradient."""
    if load:
        load_into_torch(tn_mod, th_mod, skip)
    x_tn = tn.tensor(x, requires_grad=True)
    x_th = torch.tensor(x, requires_grad=True)
    out = tn_mod(x_tn)
    ref = th_mod(x_th)
    assert_close(out, ref, "forward", atol_factor)
    v = np.asarray(rng.standard_normal(tuple(ref.shape)), dtype=x.dtype)
    (out * tn.tensor(v)).sum().backward()
    (ref * torch.tensor(v)).sum().backward()
    assert_close(x_tn.grad, x_th.grad, "input gradient", atol_factor)
    th_params = dict(th_mod.named_parameters())
    names = [name for name, _ in tn_mod.named_parameters()]
    for name, p in tn_mod.named_parameters():
        expected = grad_map[name](th_mod) if grad_map and name in grad_map else th_params[name].grad
        assert p.grad is not None, f"{name}: no gradient"
        assert_close(p.grad, expected, f"gradient of {name}", atol_factor)
    if not grad_map:
        assert sorted(names) == sorted(th_params), "parameter names differ from PyTorch's"
    return out


SPATIAL = [(1, 1, 7, 7), (5, 3, 9, 7), (1, 3, 9, 9), (5, 1, 7, 9)]


def sid(shape):
    return "x".join(map(str, shape))


# ---------------------------------------------------------------- Linear, Conv2d

@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(1, 7), (5, 7), (2, 3, 7)], ids=sid)
def test_linear(shape, bias, rng):
    m = tn.nn.Linear(7, 5, bias=bias)
    compare_module(m, torch.nn.Linear(7, 5, bias=bias), normal(rng, shape), rng)


CONV_CASES = [
    # in, out, kernel, kwargs
    (1, 4, 3, {}),
    (3, 4, 3, {"stride": 2}),
    (3, 5, (3, 2), {"padding": 1}),
    (3, 4, 3, {"stride": 2, "padding": 2, "dilation": 2}),
    (3, 6, 3, {"groups": 3, "padding": 1}),  # depthwise
    (4, 6, 3, {"groups": 2, "stride": (2, 1), "padding": (1, 0)}),
    (3, 2, 5, {"padding": 2, "bias": False}),
]


@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[3]}")
def test_conv2d(case, batch, rng):
    cin, cout, k, kwargs = case
    m = tn.nn.Conv2d(cin, cout, k, **kwargs)
    th = torch.nn.Conv2d(cin, cout, k, **kwargs)
    compare_module(m, th, normal(rng, (batch, cin, 9, 7)), rng, atol_factor=2)


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[3]}")
def test_conv2d_functional_float64(case, rng):
    cin, cout, k, kwargs = case
    kwargs = dict(kwargs)
    bias = kwargs.pop("bias", True)
    kh, kw = (k, k) if isinstance(k, int) else k
    groups = kwargs.get("groups", 1)
    arrays = [normal(rng, (3, cin, 7, 9), "float64"), normal(rng, (cout, cin // groups, kh, kw), "float64")]
    if bias:
        arrays.append(normal(rng, (cout,), "float64"))
    check_against_torch(lambda *a: F.conv2d(*a, **kwargs), lambda *a: TF.conv2d(*a, **kwargs), arrays, "float64", rng)


# ---------------------------------------------------------------- ConnectionConv2d

def torch_connection_conv(x, w, b, table, stride=1, padding=0, dilation=1):
    """ConnectionConv2d = F.conv2d with the weight masked by the table."""
    mask = torch.tensor(np.asarray(table.numpy(), dtype=x.detach().numpy().dtype))
    return TF.conv2d(x, w * mask[:, :, None, None], b, stride=stride, padding=padding, dilation=dilation)


class TorchConnectionConv2d(torch.nn.Module):
    def __init__(self, cin, cout, k, table, **kwargs):
        super().__init__()
        k = (k, k) if isinstance(k, int) else k
        self.weight = torch.nn.Parameter(torch.zeros(cout, cin, *k))
        self.bias = torch.nn.Parameter(torch.zeros(cout))
        self.register_buffer("table", torch.zeros(cout, cin, dtype=torch.int64))
        self.tn_table, self.kwargs = table, kwargs

    def forward(self, x):
        return torch_connection_conv(x, self.weight, self.bias, self.tn_table, **self.kwargs)


TABLES = {
    "lenet5": (6, 16, lambda: tn.nn.ConnectionTable.lenet5()),
    "random": (3, 5, lambda: tn.nn.ConnectionTable.random(3, 5, 2, seed=7)),
    "full": (3, 4, lambda: tn.nn.ConnectionTable.full(3, 4)),
    "array": (3, 2, lambda: tn.nn.ConnectionTable(np.array([[1, 0, 1], [0, 1, 0]]))),
}


@pytest.mark.parametrize("kwargs", [{}, {"stride": 2, "padding": 1}, {"padding": (2, 1)}], ids=str)
@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("table", list(TABLES))
def test_connection_conv2d(table, batch, kwargs, rng):
    cin, cout, make = TABLES[table]
    t = make()
    m = tn.nn.ConnectionConv2d(cin, cout, 3, table=t, **kwargs)
    th = TorchConnectionConv2d(cin, cout, 3, t, **kwargs)
    load_into_torch(m, th, skip=())  # the whole state dict, `table` buffer included
    np.testing.assert_array_equal(th.table.numpy(), t.numpy().astype(np.int64))
    compare_module(m, th, normal(rng, (batch, cin, 9, 7)), rng, atol_factor=2, load=False)
    # unconnected slices: exactly zero weight and zero gradient
    dead = ~t.numpy()
    assert np.all(m.weight.numpy()[dead] == 0)
    assert np.all(m.weight.grad.numpy()[dead] == 0)


@pytest.mark.parametrize("batch", [1, 5])
def test_connection_conv2d_grouped_table_is_groups_conv(batch, rng):
    t = tn.nn.ConnectionTable.grouped(4, 6, 2)
    m = tn.nn.ConnectionConv2d(4, 6, 3, table=t, stride=2, padding=1)
    th = torch.nn.Conv2d(4, 6, 3, groups=2, stride=2, padding=1)
    w = m.weight.numpy()
    grouped = np.stack([w[o, (o // 3) * 2:(o // 3) * 2 + 2] for o in range(6)])
    th.load_state_dict({"weight": torch.from_numpy(grouped), "bias": torch.from_numpy(m.bias.numpy())})

    def grouped_grad(th_mod):
        g = np.zeros_like(w)
        for o in range(6):
            g[o, (o // 3) * 2:(o // 3) * 2 + 2] = th_mod.weight.grad[o].numpy()
        return torch.from_numpy(g)

    compare_module(m, th, normal(rng, (batch, 4, 7, 9)), rng, atol_factor=2, load=False,
                   grad_map={"weight": grouped_grad, "bias": lambda th_mod: th_mod.bias.grad})


@pytest.mark.parametrize("kw", [{"stride": 2, "padding": 1, "dilation": 1}, {"padding": (1, 2), "dilation": 2}],
                         ids=str)
@pytest.mark.parametrize("table", ["lenet5", "random", "array"])
def test_connection_conv2d_functional_float64(table, kw, rng):
    cin, cout, make = TABLES[table]
    t = make()
    arrays = [normal(rng, (2, cin, 7, 9), "float64"), normal(rng, (cout, cin, 3, 3), "float64"),
              normal(rng, (cout,), "float64")]
    check_against_torch(lambda x, w, b: F.connection_conv2d(x, w, b, table=t, **kw),
                        lambda x, w, b: torch_connection_conv(x, w, b, t, **kw), arrays, "float64", rng)
    # a NumPy table works as well
    x, w, b = (tn.tensor(a) for a in arrays)
    np.testing.assert_array_equal(F.connection_conv2d(x, w, b, table=t.numpy(), **kw).numpy(),
                                  F.connection_conv2d(x, w, b, table=t, **kw).numpy())


# ---------------------------------------------------------------- SharedConv2d

def torch_shared_conv(x, w, b, reduce, table=None, stride=1, padding=0):
    """The shared-kernel convolution from torch ops: masked channel sums / means + one conv per
    output (groups=O), or for max the N*C images folded into the batch, -inf where unconnected."""
    n, c, h, wd = x.shape
    o = w.shape[0]
    tab = np.ones((o, c), dtype=bool) if table is None else table.numpy()
    mask = torch.tensor(tab.astype(x.detach().numpy().dtype))
    if reduce in ("sum", "mean"):
        if table is None:
            y = TF.conv2d(x.sum(1, keepdim=True), w, None, stride=stride, padding=padding)
        else:
            xs = torch.einsum("nchw,oc->nohw", x, mask)  # per-output masked channel sums
            y = TF.conv2d(xs, w, None, stride=stride, padding=padding, groups=o)
        if reduce == "mean":
            y = y / mask.sum(1)[None, :, None, None]
    else:
        r = TF.conv2d(x.reshape(n * c, 1, h, wd), w, None, stride=stride, padding=padding)
        r = r.reshape(n, c, o, r.shape[-2], r.shape[-1])
        neg = torch.tensor(np.where(tab.T, 0.0, -np.inf).astype(x.detach().numpy().dtype))
        y = (r + neg[None, :, :, None, None]).max(1).values
    return y if b is None else y + b[None, :, None, None]


class TorchSharedConv2d(torch.nn.Module):
    def __init__(self, cout, k, reduce, table=None, bias=True, **kwargs):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(cout, 1, k, k))
        self.bias = torch.nn.Parameter(torch.zeros(cout)) if bias else None
        self.reduce, self.tn_table, self.kwargs = reduce, table, kwargs

    def forward(self, x):
        return torch_shared_conv(x, self.weight, self.bias, self.reduce, self.tn_table, **self.kwargs)


SHARED_CASES = [
    (1, 3, None, {}),
    (3, 4, None, {"stride": 2, "padding": 1}),
    (3, 2, "array", {"padding": 1}),
    (6, 16, "lenet5", {"stride": 2}),
]


@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("case", SHARED_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[3]}")
@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_shared_conv2d(reduce, case, batch, rng):
    cin, cout, table, kwargs = case
    t = TABLES[table][2]() if table else None
    m = tn.nn.SharedConv2d(cin, cout, 3, reduce=reduce, table=t, **kwargs)
    assert m.weight.shape == (cout, 1, 3, 3)
    th = TorchSharedConv2d(cout, 3, reduce, t, **kwargs)
    compare_module(m, th, normal(rng, (batch, cin, 9, 7)), rng, atol_factor=2)


@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_shared_conv2d_no_bias(reduce, rng):
    m = tn.nn.SharedConv2d(3, 2, 3, reduce=reduce, bias=False)
    assert m.bias is None
    compare_module(m, TorchSharedConv2d(2, 3, reduce, bias=False), normal(rng, (2, 3, 7, 7)), rng, atol_factor=2)


@pytest.mark.parametrize("table", [None, "array", "lenet5"])
@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_shared_conv2d_functional_float64(reduce, table, rng):
    t = TABLES[table][2]() if table else None
    cin, cout = (TABLES[table][0], TABLES[table][1]) if table else (3, 4)
    arrays = [normal(rng, (2, cin, 9, 7), "float64"), normal(rng, (cout, 1, 3, 3), "float64"),
              normal(rng, (cout,), "float64")]
    kw = {"stride": 2, "padding": 1}
    check_against_torch(lambda x, w, b: F.shared_conv2d(x, w, b, reduce=reduce, table=t, **kw),
                        lambda x, w, b: torch_shared_conv(x, w, b, reduce, t, **kw), arrays, "float64", rng)


# ---------------------------------------------------------------- pooling

POOLS = [
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1}),
    ("MaxPool2d", ((3, 2),), {"stride": (2, 1), "ceil_mode": True}),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1}),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False, "ceil_mode": True}),
    ("AdaptiveAvgPool2d", (1,), {}),
    ("AdaptiveAvgPool2d", ((3, 2),), {}),
    ("AdaptiveAvgPool2d", (4,), {}),
]


@pytest.mark.parametrize("shape", SPATIAL, ids=sid)
@pytest.mark.parametrize("pool", POOLS, ids=lambda p: f"{p[0]}-{p[1]}-{p[2]}")
def test_pooling(pool, shape, rng):
    name, args, kwargs = pool
    m = getattr(tn.nn, name)(*args, **kwargs)
    th = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m) == repr(th)
    compare_module(m, th, normal(rng, shape), rng)


@pytest.mark.parametrize("pool", POOLS, ids=lambda p: f"{p[0]}-{p[1]}-{p[2]}")
def test_pooling_functional_float64(pool, rng):
    name, args, kwargs = pool
    fname = {"MaxPool2d": "max_pool2d", "AvgPool2d": "avg_pool2d", "AdaptiveAvgPool2d": "adaptive_avg_pool2d"}[name]
    check_against_torch(lambda x: getattr(F, fname)(x, *args, **kwargs),
                        lambda x: getattr(TF, fname)(x, *args, **kwargs),
                        [normal(rng, (2, 3, 9, 7), "float64")], "float64", rng)


def torch_channel_max_pool(x, k):
    n, c = x.shape[:2]
    return x.reshape(n, c // k, k, *x.shape[2:]).max(2).values


@pytest.mark.parametrize("shape,k", [((5, 6, 7, 9), 2), ((1, 3, 9, 9), 3), ((5, 4), 2), ((2, 6, 7), 3)], ids=str)
def test_channel_max_pool(shape, k, rng):
    m = tn.nn.ChannelMaxPool(k)

    class Ref(torch.nn.Module):
        def forward(self, x):
            return torch_channel_max_pool(x, k)

    compare_module(m, Ref(), normal(rng, shape), rng)
    check_against_torch(lambda x: F.channel_max_pool(x, k), lambda x: torch_channel_max_pool(x, k),
                        [normal(rng, shape, "float64")], "float64", rng)


# ---------------------------------------------------------------- BatchNorm

@pytest.mark.parametrize("kwargs", [{}, {"affine": False}, {"momentum": 0.3, "eps": 1e-3},
                                    {"track_running_stats": False}], ids=str)
@pytest.mark.parametrize("kind,shape", [("BatchNorm1d", (5, 3)), ("BatchNorm1d", (5, 3, 7)),
                                        ("BatchNorm2d", (5, 3, 7, 9)), ("BatchNorm2d", (2, 1, 9, 7))], ids=str)
def test_batchnorm_train_then_eval(kind, shape, kwargs, rng):
    m = getattr(tn.nn, kind)(shape[1], **kwargs)
    th = getattr(torch.nn, kind)(shape[1], **kwargs)
    if m.weight is not None:  # non-trivial affine parameters
        np.asarray(m.weight)[...] = rng.uniform(0.5, 2.0, shape[1])
        np.asarray(m.bias)[...] = rng.standard_normal(shape[1])
    assert list(m.state_dict()) == list(th.state_dict())
    load_into_torch(m, th)
    for step in range(2):  # two training steps: running statistics accumulate
        compare_module(m, th, normal(rng, shape) * 2 + 1, rng, load=False)
        m.zero_grad()
        th.zero_grad()
        for (name, a), (tname, b) in zip(m.state_dict().items(), th.state_dict().items()):
            assert name == tname
            assert_close(tn.tensor(a), b, f"step {step}: {name}")
    m.eval()
    th.eval()
    if kwargs.get("track_running_stats", True):
        compare_module(m, th, normal(rng, shape), rng, load=False)
        assert int(m.num_batches_tracked.item()) == 2


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_functional_float64(training, rng):
    x = normal(rng, (5, 3, 7, 9), "float64")
    w, b = rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    rm_np, rv_np = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    rm_tn, rv_tn = tn.tensor(rm_np), tn.tensor(rv_np)
    rm_th, rv_th = torch.tensor(rm_np), torch.tensor(rv_np)
    check_against_torch(
        lambda x, w, b: F.batch_norm(x, rm_tn, rv_tn, w, b, training=training, momentum=0.2, eps=1e-4),
        lambda x, w, b: TF.batch_norm(x, rm_th, rv_th, w, b, training=training, momentum=0.2, eps=1e-4),
        [x, w, b], "float64", rng)
    assert_close(rm_tn, rm_th, "running_mean")
    assert_close(rv_tn, rv_th, "running_var")


# ---------------------------------------------------------------- Dropout

def test_dropout_statistics_and_gradient():
    p = 0.3
    m = tn.nn.Dropout(p, seed=5)
    x = tn.ones(200, 500, requires_grad=True)
    y = m(x)
    out = y.numpy()
    kept = out != 0
    assert abs(1 - kept.mean() - p) < 0.005
    np.testing.assert_allclose(out[kept], 1 / (1 - p), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out)  # gradient = mask / (1 - p)
    # same seed, same mask; eval mode is the identity
    np.testing.assert_array_equal(tn.nn.Dropout(p, seed=5)(x).numpy(), out)
    m.eval()
    np.testing.assert_array_equal(m(x).numpy(), x.numpy())
    assert repr(m) == repr(torch.nn.Dropout(p))


def test_dropout_functional():
    x = tn.ones(100, 1000, dtype=tn.float64)
    y = F.dropout(x, p=0.6, generator=tn.Generator(1)).numpy()
    assert abs((y == 0).mean() - 0.6) < 0.005
    np.testing.assert_allclose(y[y != 0], 2.5)
    np.testing.assert_array_equal(F.dropout(x, 0.6, training=False).numpy(), x.numpy())
    with pytest.raises(ValueError):
        F.dropout(x, p=1.5)


# ---------------------------------------------------------------- activations, Flatten, Identity

ACTIVATIONS = [
    (lambda: tn.nn.ReLU(), lambda: torch.nn.ReLU()),
    (lambda: tn.nn.LeakyReLU(0.2), lambda: torch.nn.LeakyReLU(0.2)),
    (lambda: tn.nn.Tanh(), lambda: torch.nn.Tanh()),
    (lambda: tn.nn.Sigmoid(), lambda: torch.nn.Sigmoid()),
    (lambda: tn.nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1)),
    (lambda: tn.nn.LogSoftmax(dim=-1), lambda: torch.nn.LogSoftmax(dim=-1)),
    (lambda: tn.nn.Flatten(), lambda: torch.nn.Flatten()),
    (lambda: tn.nn.Flatten(0, 2), lambda: torch.nn.Flatten(0, 2)),
    (lambda: tn.nn.Identity(), lambda: torch.nn.Identity()),
]


@pytest.mark.parametrize("i", range(len(ACTIVATIONS)))
def test_stateless_layers(i, rng):
    make_tn, make_th = ACTIVATIONS[i]
    m, th = make_tn(), make_th()
    assert repr(m) == repr(th)
    compare_module(m, th, normal(rng, (5, 3, 7, 9)), rng)


def test_scaled_tanh(rng):
    class Ref(torch.nn.Module):
        def forward(self, x):
            return 1.7159 * torch.tanh(x * (2.0 / 3.0))

    m = tn.nn.ScaledTanh()
    assert (m.amplitude, m.slope) == (1.7159, 2.0 / 3.0)
    compare_module(m, Ref(), normal(rng, (5, 3, 7, 7)), rng)


@pytest.mark.parametrize("shape", [(1, 7), (5, 7), (2, 3, 7)], ids=sid)
def test_linear_functional_float64(shape, rng):
    arrays = [normal(rng, shape, "float64"), normal(rng, (4, 7), "float64"), normal(rng, (4,), "float64")]
    check_against_torch(F.linear, TF.linear, arrays, "float64", rng)
    check_against_torch(F.linear, TF.linear, arrays[:2], "float64", rng)


# ---------------------------------------------------------------- losses

@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_modules(reduction, rng):
    logits = normal(rng, (5, 4))
    target = np.array([0, 3, 1, 1, 2])
    cases = [
        (tn.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1),
         torch.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1), target),
        (tn.nn.NLLLoss(reduction=reduction, ignore_index=1), torch.nn.NLLLoss(reduction=reduction, ignore_index=1),
         target),
        (tn.nn.MSELoss(reduction=reduction), torch.nn.MSELoss(reduction=reduction), normal(rng, (5, 4))),
    ]
    for loss, ref, tgt in cases:
        assert loss.reduction == reduction
        x = tn.tensor(logits, requires_grad=True)
        xt = torch.tensor(logits, requires_grad=True)
        tgt_tn = tgt if tgt.dtype.kind == "i" else tn.tensor(tgt)
        out = loss(x, tgt_tn)
        expected = ref(xt, torch.tensor(tgt))
        assert_close(out, expected, f"{type(loss).__name__} forward")
        out.sum().backward()
        expected.sum().backward()
        assert_close(x.grad, xt.grad, f"{type(loss).__name__} gradient")
        assert_close(loss.forward(x, list(tgt) if tgt.dtype.kind == "i" else tgt), expected, "forward()")
