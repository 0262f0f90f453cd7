"""The Tensor object from Python: construction and dtypes, NumPy interop, attributes, printing,
factories and random generators, threads, no_grad, requires_grad, detach, .grad, and the
exception types of errors."""
import re

import numpy as np
import pytest
import torch

import tapenet as tn

# ---------------------------------------------------------------- construction and dtypes


@pytest.mark.parametrize("data,dtype,np_dtype", [
    ([1.5, -2.0, 3.25], tn.float32, np.float32),
    ([[1.0, 2.0], [3.0, 4.0]], tn.float32, np.float32),
    (np.array([1.5, -2.0, 3.25], dtype=np.float32), tn.float32, np.float32),
    (np.array([[1.5, -2.0], [0.1, 1e-300]]), tn.float64, np.float64),
    ([3, -1, 2 ** 40], tn.int64, np.int64),
    (np.array([[3, -1], [7, 2 ** 40]], dtype=np.int64), tn.int64, np.int64),
], ids=["list_float", "nested_list", "np_float32", "np_float64", "list_int", "np_int64"])
def test_round_trip_default_dtype(data, dtype, np_dtype):
    t = tn.tensor(data)
    assert t.dtype == dtype
    out = t.numpy()
    assert out.dtype == np_dtype
    expected = np.asarray(data, dtype=np_dtype)
    assert out.shape == expected.shape == t.shape
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype_arg,expected", [
    (tn.float64, tn.float64), (np.float64, tn.float64), ("float64", tn.float64),
    (tn.float32, tn.float32), (np.float32, tn.float32), ("float32", tn.float32),
    (np.dtype("float32"), tn.float32), (tn.int64, tn.int64), (np.int64, tn.int64), ("int64", tn.int64),
], ids=str)
def test_dtype_argument(dtype_arg, expected):
    t = tn.tensor([1.0, 2.0, 3.0], dtype=dtype_arg)
    assert t.dtype == expected
    assert t.tolist() == [1, 2, 3]


def test_dtype_argument_converts_numpy_input():
    a = np.array([0.1, 0.2], dtype=np.float64)
    t = tn.tensor(a, dtype=tn.float32)
    assert t.numpy().dtype == np.float32
    np.testing.assert_array_equal(t.numpy(), a.astype(np.float32))
    t64 = tn.tensor(np.array([1, 2], dtype=np.int64), dtype=tn.float64)
    assert t64.numpy().dtype == np.float64


def test_float_scalar_is_0d():
    t = tn.tensor(2.5)
    assert t.shape == () and t.ndim == 0 and t.dtype == tn.float32
    assert t.item() == 2.5
    t = tn.tensor(np.float64(0.1))
    assert t.shape == ()
    assert t.numpy().shape == ()


def test_tensor_copies_its_input():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = tn.tensor(a)
    a[0, 0] = 100.0
    assert t.numpy()[0, 0] == 0.0
    lst = [1.0, 2.0]
    t = tn.tensor(lst)
    lst[0] = 5.0
    assert t.tolist() == [1.0, 2.0]


def test_numpy_shares_or_snapshots_consistently():
    t = tn.tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(t.numpy(), [1, 2, 3])
    np.testing.assert_array_equal(np.asarray(t), [1, 2, 3])


def test_buffer_protocol_is_zero_copy():
    t = tn.tensor(np.arange(6, dtype=np.float64).reshape(2, 3))
    a1, a2 = np.asarray(t), np.asarray(t)
    assert a1.dtype == np.float64 and a1.shape == (2, 3)
    assert np.shares_memory(a1, a2)
    a1[1, 2] = 42.0
    assert t.numpy()[1, 2] == 42.0
    assert t.tolist()[1][2] == 42.0
    assert t.sum().item() == 0 + 1 + 2 + 3 + 4 + 42


@pytest.mark.parametrize("dtype,np_dtype", [(tn.float32, np.float32), (tn.float64, np.float64),
                                            (tn.int64, np.int64)], ids=str)
def test_buffer_protocol_dtypes(dtype, np_dtype):
    t = tn.ones(2, 3, dtype=dtype)
    a = np.asarray(t)
    assert a.dtype == np_dtype and a.shape == (2, 3)
    assert memoryview(t).shape == (2, 3)


def test_buffer_outlives_tensor():
    t = tn.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = np.asarray(t)
    del t
    import gc
    gc.collect()
    np.testing.assert_array_equal(a, [[1, 2], [3, 4]])


@pytest.mark.parametrize("view", ["columns_step", "transpose", "reversed", "row_slice"])
def test_non_contiguous_input(view):
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    v = {"columns_step": a[:, ::2], "transpose": a.T, "reversed": a[::-1, ::-1], "row_slice": a[1:3]}[view]
    t = tn.tensor(v)
    assert t.shape == v.shape
    np.testing.assert_array_equal(t.numpy(), v)
    assert t.numpy().flags["C_CONTIGUOUS"]
    t64 = tn.tensor(v.astype(np.float64).T)
    np.testing.assert_array_equal(t64.numpy(), v.T)


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 4)], ids=str)
def test_zero_size(shape):
    a = np.zeros(shape, dtype=np.float32)
    t = tn.tensor(a)
    assert t.shape == shape
    assert t.numpy().shape == shape
    assert np.asarray(t).shape == shape
    assert len(t) == shape[0]
    assert t.tolist() == a.tolist()
    z = tn.zeros(*shape)
    assert z.shape == shape
    assert tn.tensor([]).shape == (0,)


@pytest.mark.parametrize("make", [
    lambda: tn.zeros(-1),
    lambda: tn.ones(2, -3),
    lambda: tn.full((2, -1), 1.0),
    lambda: tn.rand(-2),
    lambda: tn.randn(3, -1),
    lambda: tn.zeros(3, 4).reshape(-2, 6),
    lambda: tn.zeros(3, 4).reshape(-1, -1),
], ids=["zeros", "ones", "full", "rand", "randn", "reshape_neg", "reshape_two_minus_one"])
def test_negative_sizes_refused(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize("np_dtype", [np.int32, np.int16, np.uint8, np.bool_, np.float16], ids=str)
def test_other_numeric_dtypes_converted_or_refused(np_dtype):
    a = np.array([[0, 1], [1, 0]]).astype(np_dtype)
    try:
        t = tn.tensor(a)
    except (TypeError, ValueError):
        return
    assert t.dtype in (tn.float32, tn.float64, tn.int64)
    assert t.shape == (2, 2)
    np.testing.assert_array_equal(t.numpy(), a.astype(np.float64))


@pytest.mark.parametrize("np_dtype", [np.int32, np.uint8, np.bool_], ids=str)
def test_other_dtypes_with_explicit_dtype(np_dtype):
    a = np.array([0, 1, 1]).astype(np_dtype)
    try:
        t = tn.tensor(a, dtype=tn.float32)
    except (TypeError, ValueError):
        return
    assert t.dtype == tn.float32
    assert t.tolist() == [0.0, 1.0, 1.0]


@pytest.mark.parametrize("bad", [
    np.array(["a", "b"], dtype=object),
    np.array([{"x": 1}, None], dtype=object),
    ["a", "b"],
    [[1.0, 2.0], [3.0]],
], ids=["object_str", "object_misc", "list_str", "ragged"])
def test_unconvertible_inputs_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        tn.tensor(bad)


def test_complex_converted_or_refused():
    a = np.array([1.5 + 0.0j, -2.0 + 0.0j])
    try:
        t = tn.tensor(a)
    except (TypeError, ValueError):
        return
    assert t.tolist() == [1.5, -2.0]


def test_bad_dtype_argument_refused():
    with pytest.raises((TypeError, ValueError)):
        tn.tensor([1.0], dtype="complex128")
    with pytest.raises((TypeError, ValueError)):
        tn.tensor([1.0], dtype="not_a_dtype")


def test_int64_tensor_cannot_require_grad():
    with pytest.raises(ValueError):
        tn.tensor([1, 2], requires_grad=True)
    t = tn.tensor([1, 2])
    with pytest.raises(ValueError):
        t.requires_grad = True


# ---------------------------------------------------------------- attributes


def test_shape_ndim_len():
    t = tn.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and isinstance(t.shape, tuple)
    assert t.ndim == 3
    assert len(t) == 2
    s = tn.tensor(1.0)
    assert s.shape == () and s.ndim == 0


def test_len_of_0d_refused():
    with pytest.raises(TypeError):
        len(tn.tensor(1.0))


def test_item():
    assert tn.tensor([3.5]).item() == 3.5
    assert tn.tensor([[7]]).item() == 7
    assert isinstance(tn.tensor([7]).item(), int)
    assert isinstance(tn.tensor([7.0]).item(), float)
    x = tn.tensor(np.array(0.1))
    assert x.item() == 0.1
    with pytest.raises(ValueError, match="2 elements"):
        tn.tensor([1.0, 2.0]).item()


def test_tolist():
    assert tn.tensor([[1.0, 2.5], [3.0, -4.0]]).tolist() == [[1.0, 2.5], [3.0, -4.0]]
    ints = tn.tensor([[1, 2], [3, 4]]).tolist()
    assert ints == [[1, 2], [3, 4]] and all(isinstance(v, int) for row in ints for v in row)
    assert tn.tensor(2.0).tolist() == 2.0
    assert tn.zeros(2, 0).tolist() == [[], []]


@pytest.mark.parametrize("data,np_dtype", [
    ([[1.0, 2.0], [3.0, 4.0]], np.float32),
    ([1.5, -2.25, 3.0], np.float32),
    ([[0.1, 2.0], [3.0, 4.5]], np.float32),
    ([1e-5, 1.0], np.float32),
    ([1.0, 2.5], np.float64),
    ([[1, -20], [300, 4]], np.int64),
    (3.5, np.float32),
    ([], np.float32),
], ids=["ints_as_float", "mixed_sign", "fraction", "sci", "float64", "int64", "0d", "empty"])
def test_repr_matches_torch(data, np_dtype):
    a = np.asarray(data, dtype=np_dtype)
    assert repr(tn.tensor(a)) == repr(torch.tensor(a))


def test_repr_requires_grad_matches_torch():
    a = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    assert repr(tn.tensor(a, requires_grad=True)) == repr(torch.tensor(a, requires_grad=True))
    b = np.array([0.5, 1.5])
    assert repr(tn.tensor(b, requires_grad=True)) == repr(torch.tensor(b, requires_grad=True))


def test_str_is_printable():
    assert "tensor(" in str(tn.tensor([1.0, 2.0]))


def test_clone_is_a_deep_copy():
    t = tn.tensor([1.0, 2.0])
    c = t.clone()
    np.asarray(c)[0] = 9.0
    assert t.tolist() == [1.0, 2.0]
    assert c.tolist() == [9.0, 2.0]


def test_zero_():
    t = tn.tensor([[1.0, 2.0], [3.0, 4.0]])
    r = t.zero_()
    assert t.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert r.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_reshape_and_flatten_share_storage():
    t = tn.tensor(np.arange(6, dtype=np.float32))
    r = t.reshape(2, 3)
    np.asarray(r)[1, 2] = -1.0
    assert t.tolist()[5] == -1.0


def test_to_dtype():
    t = tn.tensor([1.5, 2.5])
    assert t.double().dtype == tn.float64
    assert t.double().float().dtype == tn.float32
    assert t.to(tn.float64).tolist() == [1.5, 2.5]
    i = tn.tensor([1, 2])
    assert i.to(tn.float32).tolist() == [1.0, 2.0]
    assert i.double().dtype == tn.float64
    with pytest.raises(ValueError):
        t.to(tn.int64)


def test_allclose():
    a = tn.tensor([1.0, 2.0])
    assert tn.allclose(a, tn.tensor([1.0, 2.0 + 1e-7]))
    assert not tn.allclose(a, tn.tensor([1.0, 2.1]))


# ---------------------------------------------------------------- factories and random numbers


def test_zeros_ones_full():
    z = tn.zeros(2, 3)
    assert z.shape == (2, 3) and z.dtype == tn.float32
    assert z.tolist() == [[0.0] * 3] * 2
    o = tn.ones(4, dtype=tn.float64)
    assert o.dtype == tn.float64 and o.tolist() == [1.0] * 4
    f = tn.full((2, 2), 3.5)
    assert f.dtype == tn.float32 and f.tolist() == [[3.5, 3.5], [3.5, 3.5]]
    fi = tn.full((3,), 7, dtype=tn.int64)
    assert fi.dtype == tn.int64 and fi.tolist() == [7, 7, 7]
    assert tn.zeros(2, requires_grad=True).requires_grad
    assert not tn.ones(2).requires_grad


def test_factories_accept_a_size_tuple():
    assert tn.zeros((2, 3)).shape == (2, 3)
    assert tn.ones([4, 1]).shape == (4, 1)
    assert tn.randn((2, 5)).shape == (2, 5)
    assert tn.zeros(()).shape == ()


@pytest.mark.parametrize("args,kwargs", [
    ((5,), {}), ((1, 4), {}), ((1, 4, 0.5), {}), ((0, 1, 0.1), {}), ((5, 0, -1), {}),
    ((2, 9), {"step": 3}), ((5,), {"dtype": tn.int64}), ((-3, 3), {"dtype": tn.float64}),
], ids=str)
def test_arange(args, kwargs):
    t = tn.arange(*args, **kwargs)
    dtype = kwargs.get("dtype", tn.float32)
    np_dtype = {tn.float32: np.float32, tn.float64: np.float64, tn.int64: np.int64}[dtype]
    expected = np.arange(*args, **{k: v for k, v in kwargs.items() if k != "dtype"}).astype(np_dtype)
    ref = torch.arange(*args, **{k: v for k, v in kwargs.items() if k != "dtype"},
                       dtype={np.float32: torch.float32, np.float64: torch.float64, np.int64: torch.int64}[np_dtype])
    assert t.dtype == dtype
    assert t.shape == expected.shape == tuple(ref.shape)
    np.testing.assert_allclose(t.numpy(), ref.numpy(), rtol=1e-6)


def test_rand_range_and_moments():
    tn.manual_seed(7)
    u = tn.rand(20000).numpy()
    assert u.dtype == np.float32
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.01
    g = tn.randn(200, 100, dtype=tn.float64).numpy()
    assert g.dtype == np.float64 and g.shape == (200, 100)
    assert abs(g.mean()) < 0.02
    assert abs(g.std() - 1.0) < 0.02


def test_manual_seed_reproducible():
    tn.manual_seed(42)
    a, b = tn.randn(5, 3).numpy(), tn.rand(4).numpy()
    tn.manual_seed(42)
    np.testing.assert_array_equal(tn.randn(5, 3).numpy(), a)
    np.testing.assert_array_equal(tn.rand(4).numpy(), b)
    tn.manual_seed(43)
    assert not np.array_equal(tn.randn(5, 3).numpy(), a)


def test_generator_reproducible_and_independent():
    g1, g2 = tn.Generator(5), tn.Generator(5)
    a = tn.randn(10, generator=g1).numpy()
    tn.manual_seed(0)
    tn.randn(100)  # using the global generator must not disturb g2
    np.testing.assert_array_equal(tn.randn(10, generator=g2).numpy(), a)
    assert not np.array_equal(tn.randn(10, generator=g1).numpy(), a)  # g1 advanced
    r = tn.rand(3, 2, generator=tn.Generator(9), dtype=tn.float64)
    assert r.dtype == tn.float64 and r.shape == (3, 2)
    np.testing.assert_array_equal(r.numpy(), tn.rand(3, 2, generator=tn.Generator(9), dtype=tn.float64).numpy())


def test_random_requires_grad():
    assert tn.randn(2, 2, requires_grad=True).requires_grad
    assert tn.rand(2, requires_grad=True).is_leaf


def test_set_num_threads():
    old = tn.get_num_threads()
    assert old >= 1
    a = np.random.default_rng(0).standard_normal((64, 64))
    try:
        tn.set_num_threads(1)
        assert tn.get_num_threads() == 1
        r1 = (tn.tensor(a) @ tn.tensor(a)).numpy()
        tn.set_num_threads(2)
        assert tn.get_num_threads() == 2
        r2 = (tn.tensor(a) @ tn.tensor(a)).numpy()
        np.testing.assert_allclose(r1, r2, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(r1, a @ a, rtol=1e-10, atol=1e-10)
    finally:
        tn.set_num_threads(old)
    assert tn.get_num_threads() == old


def test_set_num_threads_refuses_nonpositive():
    with pytest.raises(ValueError):
        tn.set_num_threads(0)


# ---------------------------------------------------------------- autograd state


def test_no_grad():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    with tn.no_grad():
        y = x * 2.0
        with tn.no_grad():
            z = x + 1.0
        w = x.exp()
    assert not y.requires_grad and y.is_leaf
    assert not z.requires_grad and not w.requires_grad
    assert y.tolist() == [2.0, 4.0]
    v = x * 2.0
    assert v.requires_grad and not v.is_leaf


def test_no_grad_restored_after_exception():
    x = tn.tensor([1.0], requires_grad=True)
    with pytest.raises(KeyError):
        with tn.no_grad():
            raise KeyError("boom")
    assert (x * 3.0).requires_grad


def test_requires_grad_setter():
    x = tn.tensor([1.0, 2.0])
    assert not x.requires_grad and x.is_leaf
    x.requires_grad = True
    assert x.requires_grad
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    x.requires_grad = False
    assert not x.requires_grad
    y = tn.tensor([1.0], requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False


def test_is_leaf_and_grad_of_intermediate():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    assert x.is_leaf and not y.is_leaf
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert y.grad is None  # like PyTorch, non-leaf gradients are not kept


def test_detach():
    x = tn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2.0
    d = y.detach()
    assert not d.requires_grad and d.is_leaf
    assert d.tolist() == [2.0, 4.0, 6.0]
    dx = x.detach()
    np.asarray(dx)[0] = 10.0  # shares x's data, as in PyTorch
    assert x.tolist()[0] == 10.0
    (d * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_grad_accumulates_and_can_be_cleared():
    x = tn.tensor([1.0, -2.0], requires_grad=True)
    assert x.grad is None
    (x * 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    (x * x).sum().backward()
    assert x.grad.tolist() == [3.0 + 2.0, 3.0 - 4.0]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0]
    (x * 2.0).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad = None
    assert x.grad is None
    (x * 2.0).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_grad_setter():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    x.grad = tn.tensor([0.5, 0.5])
    (x * 1.0).sum().backward()
    assert x.grad.tolist() == [1.5, 1.5]
    with pytest.raises(ValueError):
        x.grad = tn.tensor([1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        x.grad = tn.tensor([1.0, 2.0], dtype=tn.float64)


def test_grad_is_a_numpy_viewable_tensor():
    x = tn.tensor(np.ones((2, 2)), requires_grad=True)
    (x * 4.0).sum().backward()
    assert isinstance(x.grad, type(x))
    g = np.asarray(x.grad)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, np.full((2, 2), 4.0))


# ---------------------------------------------------------------- errors become the right Python exceptions


def test_broadcast_mismatch_is_value_error_naming_both_shapes():
    with pytest.raises(ValueError) as e:
        tn.zeros(2, 3) + tn.zeros(4, 5)
    msg = str(e.value)
    assert re.search(r"2, 3", msg) and re.search(r"4, 5", msg), msg


def test_matmul_mismatch_is_value_error_naming_both_shapes():
    with pytest.raises(ValueError) as e:
        tn.zeros(2, 3) @ tn.zeros(4, 5)
    msg = str(e.value)
    assert "matmul" in msg and "2, 3" in msg and "4, 5" in msg, msg


def test_dtype_mismatch_is_value_error():
    with pytest.raises(ValueError, match="float32|float64"):
        tn.zeros(2) + tn.zeros(2, dtype=tn.float64)


def test_int64_math_is_value_error():
    with pytest.raises(ValueError, match="exp"):
        tn.tensor([1, 2]).exp()


@pytest.mark.parametrize("call", [
    lambda t: t.sum(dim=3),
    lambda t: t.mean(dim=-4),
    lambda t: t.max(dim=5),
    lambda t: t.softmax(3),
    lambda t: t.transpose(0, 3),
    lambda t: t.argmax(7),
    lambda t: tn.cat([t, t], dim=3),
    lambda t: t.flatten(0, 4),
], ids=["sum", "mean", "max", "softmax", "transpose", "argmax", "cat", "flatten"])
def test_dim_out_of_range_is_index_error(call):
    with pytest.raises(IndexError):
        call(tn.zeros(2, 3, 4))


def test_other_value_errors():
    t = tn.zeros(2, 3)
    with pytest.raises(ValueError, match=r"2, 3"):
        t.reshape(4, 2)
    with pytest.raises(ValueError):
        t.permute(0, 0)
    with pytest.raises(ValueError):
        tn.cat([tn.zeros(2, 3), tn.zeros(2, 4)], dim=0)
    with pytest.raises(ValueError):
        tn.cat([])
    with pytest.raises(ValueError):
        t.clamp()


def test_loss_errors():
    import tapenet.nn.functional as F
    logits = tn.zeros(3, 4)
    with pytest.raises(IndexError, match="4"):
        F.cross_entropy(logits, [0, 1, 4])
    with pytest.raises(IndexError):
        F.nll_loss(logits, np.array([0, -2, 1]))
    with pytest.raises(ValueError):
        F.cross_entropy(logits, [0, 1])
    with pytest.raises(ValueError):
        F.cross_entropy(logits, [0, 1, 2], label_smoothing=1.5)
    with pytest.raises(ValueError):
        F.mse_loss(tn.zeros(3), tn.zeros(4))
    with pytest.raises(ValueError):
        F.cross_entropy(logits, [0, 1, 2], reduction="average")
