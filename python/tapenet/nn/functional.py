"""tapenet.nn.functional: activations and losses with PyTorch's names and keyword arguments.

    import tapenet.nn.functional as F
    loss = F.cross_entropy(logits, [3, 1, 0])     # targets: int64 Tensor, NumPy int array or list

``reduction`` is 'mean' (default), 'sum' or 'none'; another string raises ValueError. A class label
outside [0, C) that is not ``ignore_index`` raises IndexError.
"""

from .._C._functional import (  # noqa: F401  (re-exported)
    cross_entropy,
    leaky_relu,
    log_softmax,
    mse_loss,
    nll_loss,
    relu,
    sigmoid,
    softmax,
    tanh,
)

__all__ = [
    "cross_entropy",
    "leaky_relu",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]
