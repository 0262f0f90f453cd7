"""Every differentiable op against PyTorch: forward values and the gradients of sum(out * v) for a
fixed random v, in float32 (rtol 1e-5) and float64 (rtol 1e-10), at several shapes including
broadcasting, size-1 and 0-d dimensions and negative dims."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tapenet as tn
import tapenet.nn.functional as F
from helpers import check_against_torch

DTYPES = ["float32", "float64"]


def normal(rng, shape, dtype, scale=1.0):
    return np.asarray(rng.standard_normal(shape) * scale, dtype=dtype)


def positive(rng, shape, dtype):
    return np.asarray(rng.uniform(0.5, 2.0, shape), dtype=dtype)


def away_from_zero(rng, shape, dtype):
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return np.asarray(sign * rng.uniform(0.3, 2.0, shape), dtype=dtype)


INPUTS = {"normal": normal, "positive": positive, "nonzero": away_from_zero,
          "large": lambda rng, shape, dtype: normal(rng, shape, dtype, scale=20.0)}


def sid(shape):
    return "x".join(map(str, shape)) if shape else "0d"


# ---------------------------------------------------------------- binary arithmetic with broadcasting

BINARY_OPS = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "add_free": (tn.add, torch.add),
    "sub_free": (tn.sub, torch.sub),
    "mul_free": (tn.mul, torch.mul),
    "div_free": (tn.div, torch.div),
}
BINARY_SHAPES = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((4,), (2, 3, 4)), ((2, 1, 4), (3, 1)),
                 ((5,), (1,)), ((), (2, 3)), ((2, 3), ()), ((4, 1), (1, 5)), ((1, 3, 1), (2, 1, 4))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=lambda s: f"{sid(s[0])}-{sid(s[1])}")
@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_binary(op, shapes, dtype, rng):
    tn_fn, th_fn = BINARY_OPS[op]
    a = normal(rng, shapes[0], dtype)
    b = (away_from_zero if op.startswith("div") else normal)(rng, shapes[1], dtype)
    check_against_torch(tn_fn, th_fn, [a, b], dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_binary_one_side_requires_grad(op, dtype, rng):
    tn_fn, th_fn = BINARY_OPS[op]
    a = normal(rng, (3, 4), dtype)
    b = away_from_zero(rng, (4,), dtype)
    check_against_torch(tn_fn, th_fn, [a, b], dtype, rng, grad_mask=[False, True])
    check_against_torch(tn_fn, th_fn, [a, b], dtype, rng, grad_mask=[True, False])


def test_same_tensor_used_twice(rng):
    a = normal(rng, (3, 4), "float64")
    check_against_torch(lambda x: x * x + x / (x * x + 1.0), lambda x: x * x + x / (x * x + 1.0), [a],
                        "float64", rng)


# ---------------------------------------------------------------- scalar operands, neg, pow

SCALAR_OPS = [
    ("add_scalar", lambda x: x + 2.5, "normal"),
    ("radd_scalar", lambda x: 2.5 + x, "normal"),
    ("sub_scalar", lambda x: x - 1.25, "normal"),
    ("rsub_scalar", lambda x: 1.25 - x, "normal"),
    ("mul_scalar", lambda x: x * -1.5, "normal"),
    ("rmul_scalar", lambda x: -1.5 * x, "normal"),
    ("div_scalar", lambda x: x / 4.0, "normal"),
    ("rdiv_scalar", lambda x: 3.0 / x, "nonzero"),
    ("int_scalar", lambda x: 2 * x + 1, "normal"),
    ("neg", lambda x: -x, "normal"),
    ("pow_2", lambda x: x ** 2, "normal"),
    ("pow_3_method", lambda x: x.pow(3), "normal"),
    ("pow_half", lambda x: x ** 0.5, "positive"),
    ("pow_neg_1_5", lambda x: x ** -1.5, "positive"),
    ("pow_2_7", lambda x: x.pow(2.7), "positive"),
    ("pow_0", lambda x: x ** 0, "positive"),
    ("pow_1", lambda x: x ** 1, "normal"),
    ("pow_free", lambda x: tn.pow(x, 1.5), "positive"),
    ("neg_free", lambda x: tn.neg(x), "normal"),
]
UNARY_SHAPES = [(), (7,), (3, 4), (2, 3, 5), (1, 4, 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=sid)
@pytest.mark.parametrize("name,fn,kind", SCALAR_OPS, ids=[c[0] for c in SCALAR_OPS])
def test_scalar_ops(name, fn, kind, shape, dtype, rng):
    x = INPUTS[kind](rng, shape, dtype)
    th_fn = {"pow_free": lambda x: torch.pow(x, 1.5), "neg_free": torch.neg}.get(name, fn)
    out = check_against_torch(fn, th_fn, [x], dtype, rng)
    assert out.dtype == (tn.float32 if dtype == "float32" else tn.float64)


# ---------------------------------------------------------------- elementwise math and activations

UNARY_OPS = [
    ("exp", lambda x: x.exp(), torch.exp, "normal"),
    ("exp_free", tn.exp, torch.exp, "normal"),
    ("log", lambda x: x.log(), torch.log, "positive"),
    ("log_free", tn.log, torch.log, "positive"),
    ("sqrt", lambda x: x.sqrt(), torch.sqrt, "positive"),
    ("sqrt_free", tn.sqrt, torch.sqrt, "positive"),
    ("abs", lambda x: x.abs(), torch.abs, "nonzero"),
    ("abs_free", tn.abs, torch.abs, "nonzero"),
    ("clamp_both", lambda x: x.clamp(-0.5, 0.7), lambda x: x.clamp(-0.5, 0.7), "normal"),
    ("clamp_min", lambda x: x.clamp(min=-0.3), lambda x: x.clamp(min=-0.3), "normal"),
    ("clamp_max", lambda x: x.clamp(max=0.4), lambda x: x.clamp(max=0.4), "normal"),
    ("clamp_free", lambda x: tn.clamp(x, min=-1.0, max=1.0), lambda x: torch.clamp(x, min=-1.0, max=1.0), "normal"),
    ("clamp_min_gt_max", lambda x: x.clamp(0.5, -0.5), lambda x: x.clamp(0.5, -0.5), "normal"),
    ("relu", lambda x: x.relu(), torch.relu, "normal"),
    ("relu_free", tn.relu, torch.relu, "normal"),
    ("relu_F", F.relu, TF.relu, "normal"),
    ("leaky_relu_default", F.leaky_relu, TF.leaky_relu, "normal"),
    ("leaky_relu_0.2", lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2), "normal"),
    ("leaky_relu_kw", lambda x: F.leaky_relu(x, negative_slope=1.5), lambda x: TF.leaky_relu(x, negative_slope=1.5),
     "normal"),
    ("sigmoid", lambda x: x.sigmoid(), torch.sigmoid, "normal"),
    ("sigmoid_free", tn.sigmoid, torch.sigmoid, "normal"),
    ("sigmoid_F", F.sigmoid, torch.sigmoid, "normal"),
    ("sigmoid_large", lambda x: x.sigmoid(), torch.sigmoid, "large"),
    ("tanh", lambda x: x.tanh(), torch.tanh, "normal"),
    ("tanh_free", tn.tanh, torch.tanh, "normal"),
    ("tanh_F", F.tanh, torch.tanh, "normal"),
    ("tanh_large", lambda x: x.tanh(), torch.tanh, "large"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=sid)
@pytest.mark.parametrize("name,tn_fn,th_fn,kind", UNARY_OPS, ids=[c[0] for c in UNARY_OPS])
def test_unary(name, tn_fn, th_fn, kind, shape, dtype, rng):
    x = INPUTS[kind](rng, shape, dtype)
    check_against_torch(tn_fn, th_fn, [x], dtype, rng)


# ---------------------------------------------------------------- reductions

REDUCE_DIMS = [None, 0, 1, -1, (0, 2), (-1, -2), (0, 1, 2)]


def _kw(dim, keepdim):
    return {} if dim is None else {"dim": dim, "keepdim": keepdim}


# keepdim needs a dim in PyTorch's signatures, so (None, True) is left out.
DIM_KEEPDIM = [(d, k) for d in REDUCE_DIMS for k in (False, True) if d is not None or not k]


def _dk_id(v):
    return ("keepdim" if v else "") if isinstance(v, bool) else str(v)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim,keepdim", DIM_KEEPDIM, ids=_dk_id)
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_sum_mean(op, dim, keepdim, dtype, rng):
    x = normal(rng, (3, 4, 5), dtype)
    check_against_torch(lambda t: getattr(t, op)(**_kw(dim, keepdim)),
                        lambda t: getattr(t, op)(**_kw(dim, keepdim)), [x], dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 1)], ids=str)
@pytest.mark.parametrize("op", ["sum", "mean"])
def test_sum_mean_free_function(op, dim, dtype, rng):
    x = normal(rng, (4, 6), dtype)
    check_against_torch(lambda t: getattr(tn, op)(t, **_kw(dim, True)),
                        lambda t: getattr(torch, op)(t, **_kw(dim, True)), [x], dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (1,), (6,), (1, 5, 1)], ids=sid)
def test_sum_mean_small_shapes(shape, dtype, rng):
    x = normal(rng, shape, dtype)
    check_against_torch(lambda t: t.sum(), lambda t: t.sum(), [x], dtype, rng)
    check_against_torch(lambda t: t.mean(), lambda t: t.mean(), [x], dtype, rng)


def _torch_max(dim, keepdim):
    # No ties in continuous random data, so amax (which splits among ties) matches tapenet's
    # "first maximum" gradient.
    if dim is None:
        return lambda t: t.amax()
    return lambda t: torch.amax(t, dim=dim, keepdim=keepdim)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim,keepdim", DIM_KEEPDIM, ids=_dk_id)
def test_max(dim, keepdim, dtype, rng):
    x = normal(rng, (3, 4, 5), dtype)
    check_against_torch(lambda t: t.max(**_kw(dim, keepdim)), _torch_max(dim, keepdim), [x], dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_free_function(dtype, rng):
    x = normal(rng, (4, 6), dtype)
    check_against_torch(lambda t: tn.max(t, dim=1), lambda t: torch.amax(t, dim=1), [x], dtype, rng)
    check_against_torch(lambda t: tn.max(t), lambda t: torch.amax(t), [x], dtype, rng)


def test_max_gradient_goes_to_first_maximum():
    x = tn.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    x.max(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [1, 0, 0]])
    y = tn.tensor([5.0, 5.0, 1.0], requires_grad=True)
    y.max().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [1, 0, 0])


@pytest.mark.parametrize("keepdim", [False, True], ids=["", "keepdim"])
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_argmax(dim, keepdim, rng):
    x = normal(rng, (3, 4, 5), "float32")
    got = tn.tensor(x).argmax(dim, keepdim=keepdim)
    ref = torch.tensor(x).argmax(dim, keepdim=keepdim)
    assert got.dtype == tn.int64
    assert got.shape == tuple(ref.shape)
    np.testing.assert_array_equal(got.numpy(), ref.numpy())


def test_argmax_first_of_ties():
    x = tn.tensor([[1.0, 4.0, 4.0], [7.0, 7.0, 7.0]])
    assert x.argmax(1).tolist() == [1, 0]


# ---------------------------------------------------------------- matmul

MATMUL_SHAPES = [((3, 4), (4, 5)), ((1, 4), (4, 1)), ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)),
                 ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (4, 5)), ((3, 4), (4,)),
                 ((4,), (4,)), ((2, 3, 4), (4,)), ((4,), (2, 4, 3)), ((17, 33), (33, 9))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=lambda s: f"{sid(s[0])}@{sid(s[1])}")
def test_matmul(shapes, dtype, rng):
    a = normal(rng, shapes[0], dtype)
    b = normal(rng, shapes[1], dtype)
    check_against_torch(lambda x, y: x @ y, lambda x, y: x @ y, [a, b], dtype, rng, atol_factor=4.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul_free_function(dtype, rng):
    a = normal(rng, (2, 3, 6), dtype)
    b = normal(rng, (6, 2), dtype)
    check_against_torch(tn.matmul, torch.matmul, [a, b], dtype, rng)


# ---------------------------------------------------------------- shape ops

SHAPE_OPS = [
    ("reshape_2x6", (3, 4), lambda x: x.reshape(2, 6), lambda x: x.reshape(2, 6)),
    ("reshape_infer", (3, 4), lambda x: x.reshape(4, -1), lambda x: x.reshape(4, -1)),
    ("reshape_flat", (2, 3, 4), lambda x: x.reshape(-1), lambda x: x.reshape(-1)),
    ("reshape_size1", (2, 3, 4), lambda x: x.reshape(6, 1, 4), lambda x: x.reshape(6, 1, 4)),
    ("reshape_0d", (1,), lambda x: tn.reshape(x, ()), lambda x: torch.reshape(x, ())),
    ("reshape_free", (3, 4), lambda x: tn.reshape(x, (2, -1)), lambda x: torch.reshape(x, (2, -1))),
    ("flatten", (2, 3, 4, 5), lambda x: x.flatten(), lambda x: x.flatten()),
    ("flatten_1_2", (2, 3, 4, 5), lambda x: x.flatten(1, 2), lambda x: x.flatten(1, 2)),
    ("flatten_kw", (2, 3, 4, 5), lambda x: x.flatten(start_dim=1), lambda x: x.flatten(start_dim=1)),
    ("flatten_neg", (2, 3, 4, 5), lambda x: x.flatten(-3, -2), lambda x: x.flatten(-3, -2)),
    ("flatten_0d", (), lambda x: x.flatten(), lambda x: x.flatten()),
    ("flatten_free", (2, 3, 4), lambda x: tn.flatten(x, 1), lambda x: torch.flatten(x, 1)),
    ("transpose_2d", (3, 4), lambda x: x.transpose(0, 1), lambda x: x.transpose(0, 1)),
    ("transpose_0_2", (2, 3, 4), lambda x: x.transpose(0, 2), lambda x: x.transpose(0, 2)),
    ("transpose_neg", (2, 3, 4), lambda x: x.transpose(-1, -3), lambda x: x.transpose(-1, -3)),
    ("transpose_same", (2, 3), lambda x: x.transpose(1, 1), lambda x: x.transpose(1, 1)),
    ("transpose_free", (2, 3, 4), lambda x: tn.transpose(x, 1, 2), lambda x: torch.transpose(x, 1, 2)),
    ("permute_201", (2, 3, 4), lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1)),
    ("permute_102", (2, 3, 4), lambda x: x.permute(1, 0, 2), lambda x: x.permute(1, 0, 2)),
    ("permute_4d", (2, 3, 4, 5), lambda x: x.permute(3, 1, 0, 2), lambda x: x.permute(3, 1, 0, 2)),
    ("permute_neg", (2, 3, 4), lambda x: x.permute(-1, 0, 1), lambda x: x.permute(-1, 0, 1)),
    ("permute_free", (2, 3, 4), lambda x: tn.permute(x, (2, 1, 0)), lambda x: torch.permute(x, (2, 1, 0))),
    ("unsqueeze_0", (3, 4), lambda x: x.unsqueeze(0), lambda x: x.unsqueeze(0)),
    ("unsqueeze_end", (3, 4), lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1)),
    ("unsqueeze_free", (3,), lambda x: tn.unsqueeze(x, 1), lambda x: torch.unsqueeze(x, 1)),
    ("squeeze", (3, 1, 4), lambda x: x.squeeze(1), lambda x: x.squeeze(1)),
    ("squeeze_not_1", (3, 1, 4), lambda x: x.squeeze(0), lambda x: x.squeeze(0)),
    ("squeeze_free", (1, 4), lambda x: tn.squeeze(x, -2), lambda x: torch.squeeze(x, -2)),
    ("t_2d", (3, 4), lambda x: x.t(), lambda x: x.t()),
    ("t_1d", (4,), lambda x: x.t(), lambda x: x.t()),
    ("t_free", (2, 5), tn.t, torch.t),
    ("to_double", (3, 4), lambda x: x.double() * 2.0, lambda x: x.double() * 2.0),
    ("to_float", (3, 4), lambda x: x.float() * 3.0 - 1.0, lambda x: x.float() * 3.0 - 1.0),
    ("to_float64", (3, 4), lambda x: x.to(tn.float64).exp(), lambda x: x.to(torch.float64).exp()),
    ("to_float32", (3, 4), lambda x: x.to(tn.float32) * 0.5, lambda x: x.to(torch.float32) * 0.5),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,shape,tn_fn,th_fn", SHAPE_OPS, ids=[c[0] for c in SHAPE_OPS])
def test_shape_ops(name, shape, tn_fn, th_fn, dtype, rng):
    x = normal(rng, shape, dtype)
    check_against_torch(tn_fn, th_fn, [x], dtype, rng)


CAT_CASES = [([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1), (2, 5)], 1), ([(2, 3, 1), (2, 3, 2)], -1),
             ([(1, 4), (1, 4), (1, 4)], -2), ([(5,)], 0), ([(3,), (0,), (2,)], 0), ([(2, 2, 3), (2, 1, 3)], 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes,dim", CAT_CASES, ids=lambda c: str(c))
def test_cat(shapes, dim, dtype, rng):
    arrays = [normal(rng, s, dtype) for s in shapes]
    check_against_torch(lambda *ts: tn.cat(list(ts), dim=dim), lambda *ts: torch.cat(list(ts), dim=dim), arrays,
                        dtype, rng)


def test_cat_tuple_and_default_dim(rng):
    a, b = normal(rng, (2, 3), "float64"), normal(rng, (1, 3), "float64")
    np.testing.assert_array_equal(tn.cat((tn.tensor(a), tn.tensor(b))).numpy(), np.concatenate([a, b]))


# ---------------------------------------------------------------- softmax

SOFTMAX_CASES = [((3, 4, 5), 0), ((3, 4, 5), 1), ((3, 4, 5), 2), ((3, 4, 5), -1), ((3, 4, 5), -3), ((7,), 0),
                 ((6, 1), 1), ((1, 6), 0), ((4, 10), 1)]
SOFTMAX_FORMS = {
    "softmax": (lambda x, d: x.softmax(d), lambda x, d: x.softmax(d)),
    "log_softmax": (lambda x, d: x.log_softmax(d), lambda x, d: x.log_softmax(d)),
    "softmax_free": (lambda x, d: tn.softmax(x, d), lambda x, d: torch.softmax(x, d)),
    "log_softmax_free": (lambda x, d: tn.log_softmax(x, d), lambda x, d: torch.log_softmax(x, d)),
    "softmax_F": (lambda x, d: F.softmax(x, dim=d), lambda x, d: TF.softmax(x, dim=d)),
    "log_softmax_F": (lambda x, d: F.log_softmax(x, dim=d), lambda x, d: TF.log_softmax(x, dim=d)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,dim", SOFTMAX_CASES, ids=lambda c: str(c))
@pytest.mark.parametrize("form", list(SOFTMAX_FORMS))
def test_softmax(form, shape, dim, dtype, rng):
    tn_fn, th_fn = SOFTMAX_FORMS[form]
    x = normal(rng, shape, dtype)
    check_against_torch(lambda t: tn_fn(t, dim), lambda t: th_fn(t, dim), [x], dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("form", ["softmax", "log_softmax"])
def test_softmax_large_logits(form, dtype, rng):
    tn_fn, th_fn = SOFTMAX_FORMS[form]
    x = normal(rng, (4, 10), dtype, scale=60.0)
    out = check_against_torch(lambda t: tn_fn(t, 1), lambda t: th_fn(t, 1), [x], dtype, rng)
    assert np.all(np.isfinite(out.numpy()))


# ---------------------------------------------------------------- losses

N, C = 7, 5


def _targets(rng, ignore_index=None):
    t = rng.integers(0, C, N)
    if ignore_index is not None:
        t[[1, 4]] = ignore_index
    return t.astype(np.int64)


def _as_kind(target, kind):
    if kind == "tensor":
        return tn.tensor(target)
    if kind == "list":
        return target.tolist()
    return target


CE_CASES = [  # (reduction, label_smoothing, ignore_index or None when no sample is ignored)
    ("mean", 0.0, None), ("sum", 0.0, None), ("none", 0.0, None),
    ("mean", 0.1, None), ("sum", 0.25, None), ("none", 0.1, None),
    ("mean", 0.0, 2), ("sum", 0.0, -1), ("none", 0.0, 3),
    ("mean", 0.1, 2), ("sum", 0.2, -1), ("none", 0.1, 0), ("mean", 1.0, None),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("target_kind", ["tensor", "numpy", "list"])
@pytest.mark.parametrize("reduction,smoothing,ignore", CE_CASES, ids=lambda c: str(c))
def test_cross_entropy(reduction, smoothing, ignore, target_kind, dtype, rng):
    logits = normal(rng, (N, C), dtype, scale=2.0)
    target = _targets(rng, ignore)
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    if ignore is not None:
        kw["ignore_index"] = ignore
    tn_target = _as_kind(target, target_kind)
    check_against_torch(lambda x: F.cross_entropy(x, tn_target, **kw),
                        lambda x: TF.cross_entropy(x, torch.tensor(target), **kw), [logits], dtype, rng)


def test_cross_entropy_default_reduction_is_mean(rng):
    logits = normal(rng, (N, C), "float64")
    target = _targets(rng)
    got = F.cross_entropy(tn.tensor(logits), tn.tensor(target))
    assert got.shape == ()
    assert abs(got.item() - TF.cross_entropy(torch.tensor(logits), torch.tensor(target)).item()) < 1e-12


NLL_CASES = [("mean", None), ("sum", None), ("none", None), ("mean", 2), ("sum", -1), ("none", 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("target_kind", ["tensor", "numpy", "list"])
@pytest.mark.parametrize("reduction,ignore", NLL_CASES, ids=lambda c: str(c))
def test_nll_loss(reduction, ignore, target_kind, dtype, rng):
    x = normal(rng, (N, C), dtype)
    target = _targets(rng, ignore)
    kw = {"reduction": reduction}
    if ignore is not None:
        kw["ignore_index"] = ignore
    tn_target = _as_kind(target, target_kind)
    check_against_torch(lambda t: F.nll_loss(t, tn_target, **kw),
                        lambda t: TF.nll_loss(t, torch.tensor(target), **kw), [x], dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nll_of_log_softmax_equals_cross_entropy(dtype, rng):
    x = normal(rng, (N, C), dtype)
    target = _targets(rng)
    check_against_torch(lambda t: F.nll_loss(F.log_softmax(t, 1), tn.tensor(target)),
                        lambda t: TF.cross_entropy(t, torch.tensor(target)), [x], dtype, rng)


def test_losses_all_ignored_mean_is_nan():
    x = tn.tensor(np.zeros((2, 3)))
    t = np.array([-100, -100])
    assert np.isnan(F.nll_loss(x, t).item())
    assert np.isnan(F.cross_entropy(x, t).item())
    assert np.isnan(TF.cross_entropy(torch.zeros(2, 3, dtype=torch.float64), torch.tensor(t)).item())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (10,), (2, 3, 4), ()], ids=sid)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss(reduction, shape, dtype, rng):
    a, b = normal(rng, shape, dtype), normal(rng, shape, dtype)
    check_against_torch(lambda x, y: F.mse_loss(x, y, reduction=reduction),
                        lambda x, y: TF.mse_loss(x, y, reduction=reduction), [a, b], dtype, rng)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mse_loss_default_and_constant_target(dtype, rng):
    a, b = normal(rng, (5, 2), dtype), normal(rng, (5, 2), dtype)
    check_against_torch(F.mse_loss, TF.mse_loss, [a, b], dtype, rng, grad_mask=[True, False])


# ---------------------------------------------------------------- a whole small network

@pytest.mark.parametrize("dtype", DTYPES)
def test_two_layer_perceptron(dtype, rng):
    x = normal(rng, (8, 6), dtype)
    w1, b1 = normal(rng, (6, 5), dtype, 0.5), normal(rng, (5,), dtype, 0.1)
    w2, b2 = normal(rng, (5, 3), dtype, 0.5), normal(rng, (3,), dtype, 0.1)
    y = rng.integers(0, 3, 8)

    def tn_net(x, w1, b1, w2, b2):
        return F.cross_entropy(tn.tanh(x @ w1 + b1).relu() @ w2 + b2, tn.tensor(y), label_smoothing=0.05)

    def th_net(x, w1, b1, w2, b2):
        return TF.cross_entropy(torch.tanh(x @ w1 + b1).relu() @ w2 + b2, torch.tensor(y), label_smoothing=0.05)

    check_against_torch(tn_net, th_net, [x, w1, b1, w2, b2], dtype, rng, grad_mask=[False, True, True, True, True])


# ---------------------------------------------------------------- sizes large enough for the parallel kernels

LARGE_CASES = [
    ("add_broadcast", [(300, 257), (257,)], lambda a, b: a + b, lambda a, b: a + b, 1.0),
    ("mul_div", [(200, 130), (200, 1)], lambda a, b: a * b / (b * b + 1.0), lambda a, b: a * b / (b * b + 1.0), 1.0),
    ("exp_tanh", [(513, 129)], lambda x: x.exp() + x.tanh(), lambda x: x.exp() + x.tanh(), 1.0),
    ("sum_dim0", [(1000, 70)], lambda x: x.sum(dim=0), lambda x: x.sum(dim=0), 10.0),
    ("mean_dim1", [(70, 1000)], lambda x: x.mean(dim=1), lambda x: x.mean(dim=1), 10.0),
    ("max_dim1", [(300, 301)], lambda x: x.max(dim=1), lambda x: torch.amax(x, dim=1), 1.0),
    ("softmax", [(300, 500)], lambda x: x.softmax(1), lambda x: x.softmax(1), 1.0),
    ("log_softmax_dim0", [(500, 300)], lambda x: x.log_softmax(0), lambda x: x.log_softmax(0), 1.0),
    ("matmul", [(130, 200), (200, 70)], lambda a, b: a @ b, lambda a, b: a @ b, 20.0),
    ("batched_matmul", [(6, 40, 50), (50, 30)], lambda a, b: a @ b, lambda a, b: a @ b, 10.0),
    ("permute", [(20, 30, 40)], lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), 1.0),
    ("cat", [(300, 40), (300, 70)], lambda a, b: tn.cat([a, b], dim=1), lambda a, b: torch.cat([a, b], dim=1), 1.0),
]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,shapes,tn_fn,th_fn,atol_factor", LARGE_CASES, ids=[c[0] for c in LARGE_CASES])
def test_large(name, shapes, tn_fn, th_fn, atol_factor, dtype, threads, rng):
    arrays = [normal(rng, s, dtype) for s in shapes]
    old = tn.get_num_threads()
    tn.set_num_threads(threads)
    try:
        check_against_torch(tn_fn, th_fn, arrays, dtype, rng, atol_factor=atol_factor)
    finally:
        tn.set_num_threads(old)


@pytest.mark.parametrize("dtype", DTYPES)
def test_large_cross_entropy(dtype, rng):
    logits = normal(rng, (512, 10), dtype, scale=3.0)
    target = rng.integers(0, 10, 512)
    check_against_torch(lambda x: F.cross_entropy(x, target, label_smoothing=0.1),
                        lambda x: TF.cross_entropy(x, torch.tensor(target), label_smoothing=0.1), [logits], dtype,
                        rng, atol_factor=10.0)
