"""tapenet: a small deep-learning framework with PyTorch's feel (C++20 core, tape autodiff).

    import tapenet as tn
    x = tn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    x.grad          # tensor([[2., 4.], [6., 8.]])

Tensors are float32 (default), float64 or int64; ``np.asarray(t)`` shares memory with ``t``.
See docs/PYTHON.md for the differences from PyTorch.
"""

import functools as _functools

from . import _C
from ._C import (  # noqa: F401  (re-exported)
    GradcheckError,
    Generator,
    Tensor,
    __version__,
    abs,
    add,
    allclose,
    arange,
    argmax,
    cat,
    clamp,
    concat,
    default_generator,
    div,
    double,
    dtype,
    exp,
    flatten,
    float,
    float32,
    float64,
    full,
    get_num_threads,
    gradcheck,
    int64,
    is_grad_enabled,
    is_tensor,
    load_checkpoint,
    log,
    log_softmax,
    long,
    manual_seed,
    matmul,
    max,
    mean,
    mul,
    neg,
    ones,
    ones_like,
    permute,
    pow,
    rand,
    randn,
    relu,
    reshape,
    save_checkpoint,
    set_num_threads,
    sigmoid,
    softmax,
    sqrt,
    squeeze,
    sub,
    sum,
    t,
    tanh,
    tensor,
    transpose,
    unsqueeze,
    zeros,
    zeros_like,
)
from . import nn  # noqa: E402,F401
from . import data  # noqa: E402,F401
from . import optim  # noqa: E402,F401
from . import metrics  # noqa: E402,F401
from . import models  # noqa: E402,F401
from . import study  # noqa: E402,F401


class no_grad:
    """Context manager (and decorator) that disables gradient recording on this thread.

        with tn.no_grad():
            y = w * 2          # not recorded: y.requires_grad is False

    Nests; the previous state is restored on exit, also when an exception propagates.
    """

    def __init__(self):
        self._scopes = []

    def __enter__(self):
        scope = _C._NoGradScope()
        scope.__enter__()
        self._scopes.append(scope)
        return None

    def __exit__(self, exc_type, exc_value, traceback):
        self._scopes.pop().__exit__(exc_type, exc_value, traceback)
        return False

    def __call__(self, fn):
        @_functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper


__all__ = [name for name in dir() if not name.startswith("_")]
