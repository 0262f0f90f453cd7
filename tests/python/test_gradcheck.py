"""tn.gradcheck from Python: passes for correct ops, raises tn.GradcheckError for a function whose
recorded gradient is wrong, refuses float32 inputs."""
import numpy as np
import pytest

import tapenet as tn
import tapenet.nn.functional as F


def inputs(rng, *shapes, positive=False):
    arrays = [rng.uniform(0.5, 2.0, s) if positive else rng.standard_normal(s) for s in shapes]
    return [tn.tensor(a, requires_grad=True) for a in arrays]


def test_gradcheck_error_is_a_runtime_error():
    assert issubclass(tn.GradcheckError, RuntimeError)


CASES = [
    ("exp", lambda x: x.exp(), [(3, 4)], False),
    ("log", lambda x: x.log(), [(5,)], True),
    ("sqrt_pow", lambda x: x.sqrt() * x ** 1.5, [(2, 3)], True),
    ("mul_broadcast", lambda a, b: a * b, [(3, 4), (4,)], False),
    ("div", lambda a, b: a / (b * b + 1.0), [(3, 1), (1, 4)], False),
    ("matmul", lambda a, b: a @ b, [(3, 4), (4, 2)], False),
    ("batched_matmul", tn.matmul, [(2, 3, 4), (4, 5)], False),
    ("softmax", lambda x: x.softmax(-1), [(3, 5)], False),
    ("log_softmax", lambda x: tn.log_softmax(x, 0), [(3, 5)], False),
    ("tanh_sigmoid", lambda x: x.tanh() + x.sigmoid(), [(6,)], False),
    ("sum_mean", lambda x: x.sum(dim=1, keepdim=True) * x.mean(dim=0), [(3, 4)], False),
    ("max", lambda x: x.max(dim=1), [(3, 4)], False),
    ("shape_ops", lambda a, b: tn.cat([a.transpose(0, 1), b.permute(1, 0)], dim=0).reshape(-1), [(2, 3), (2, 3)],
     False),
    ("mse", lambda a, b: F.mse_loss(a, b), [(4, 3), (4, 3)], False),
    ("cross_entropy", lambda x: F.cross_entropy(x, [0, 2, 1], label_smoothing=0.1), [(3, 4)], False),
    ("to_float32_and_back", lambda x: (x.float() * 2.0).double(), [(3,)], False),
]


@pytest.mark.parametrize("name,fn,shapes,positive", CASES, ids=[c[0] for c in CASES])
def test_gradcheck_passes(name, fn, shapes, positive, rng):
    xs = inputs(rng, *shapes, positive=positive)
    before = [x.numpy().copy() for x in xs]
    if name == "to_float32_and_back":
        # float32 round trip: the numerical derivative is only float32-accurate.
        assert tn.gradcheck(fn, xs, eps=1e-3, atol=1e-3, rtol=1e-2) is True
    else:
        assert tn.gradcheck(fn, xs) is True
    for x, b in zip(xs, before):
        np.testing.assert_array_equal(x.numpy(), b)  # inputs are not modified
        assert x.grad is None  # gradcheck works on copies


def test_gradcheck_keyword_tolerances(rng):
    xs = inputs(rng, (4,))
    assert tn.gradcheck(lambda x: x * x, xs, eps=1e-5, atol=1e-6, rtol=1e-4) is True


def test_gradcheck_catches_a_detached_factor(rng):
    # d/dx (detach(x) * x) is recorded as x, the true derivative of x*x is 2x.
    xs = inputs(rng, (3, 2), positive=True)
    with pytest.raises(tn.GradcheckError):
        tn.gradcheck(lambda x: x.detach() * x, xs)


def test_gradcheck_catches_no_grad_part(rng):
    def wrong(x):
        with tn.no_grad():
            y = x.exp()
        return y + x  # true derivative exp(x) + 1, recorded 1
    xs = inputs(rng, (4,))
    with pytest.raises(tn.GradcheckError) as e:
        tn.gradcheck(wrong, xs)
    assert isinstance(e.value, RuntimeError)
    assert str(e.value)  # an informative message


def test_gradcheck_catches_wrong_input_among_several(rng):
    a, b = inputs(rng, (2, 2), (2, 2))
    with pytest.raises(tn.GradcheckError):
        tn.gradcheck(lambda a, b: a * b.detach() * b, [a, b])


def test_gradcheck_refuses_float32():
    x = tn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError):
        tn.gradcheck(lambda x: x * x, [x])
