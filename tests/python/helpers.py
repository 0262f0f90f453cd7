"""Comparison helpers shared by the oracle tests (not a test module)."""
import numpy as np
import torch

import tapenet as tn

# Per dtype: (rtol, atol relative to the largest reference magnitude).
TOLERANCES = {
    "float32": (1e-5, 1e-6),
    "float64": (1e-10, 1e-12),
}


def to_np(t):
    """A tapenet or torch tensor as a NumPy array."""
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return t.numpy()


def assert_close(actual, expected, what, atol_factor=1.0):
    """actual (tapenet) vs expected (torch): same shape and dtype, values within the tolerances of
    the reference's dtype (rtol 1e-5 for float32, 1e-10 for float64; atol scaled by the largest
    reference magnitude and atol_factor); integer results must be equal."""
    actual = to_np(actual)
    expected = to_np(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} vs torch {expected.shape}"
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} vs torch {expected.dtype}"
    if expected.dtype.kind != "f":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    # The tolerance follows the reference's own precision (a float32 op inside a float64 test,
    # e.g. after .float(), is only float32-accurate).
    rtol, atol = TOLERANCES[str(expected.dtype)]
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol * atol_factor * scale, err_msg=what)


def check_against_torch(tn_fn, torch_fn, arrays, dtype, rng, grad_mask=None, atol_factor=1.0):
    """Runs tn_fn and torch_fn on the same inputs, projects each output to a scalar with one fixed
    random v (sum(out * v)), backpropagates in both and compares outputs and input gradients.

    arrays: NumPy arrays of the wanted dtype (named by `dtype`, used in messages); grad_mask: which
    of them require grad (all floating ones by default). Returns the tapenet output.
    """
    if grad_mask is None:
        grad_mask = [a.dtype.kind == "f" for a in arrays]
    tn_in = [tn.tensor(a, requires_grad=g) for a, g in zip(arrays, grad_mask)]
    th_in = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grad_mask)]
    out = tn_fn(*tn_in)
    ref = torch_fn(*th_in)
    assert_close(out, ref, f"{dtype} forward", atol_factor)
    assert out.requires_grad == ref.requires_grad

    if not ref.requires_grad:
        return out
    v = np.asarray(rng.standard_normal(tuple(ref.shape)), dtype=to_np(ref).dtype)
    if out.ndim == 0:
        (out * float(v)).backward()
    else:
        (out * tn.tensor(v)).sum().backward()
    (ref * torch.tensor(v)).sum().backward()
    for i, (a, b, g) in enumerate(zip(tn_in, th_in, grad_mask)):
        if not g:
            assert a.grad is None
            continue
        assert b.grad is not None
        assert a.grad is not None, f"input {i} got no gradient"
        assert_close(a.grad, b.grad, f"{dtype} gradient of input {i}", atol_factor)
    return out
