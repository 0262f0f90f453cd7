"""tapenet.nn.functional: layers as functions, activations and losses with PyTorch's names and
keyword arguments (conv2d, connection_conv2d, shared_conv2d, max_pool2d, avg_pool2d,
adaptive_avg_pool2d, channel_max_pool, batch_norm, dropout, linear, relu, ..., cross_entropy).

    import tapenet.nn.functional as F
    loss = F.cross_entropy(logits, [3, 1, 0])     # targets: int64 Tensor, NumPy int array or list

``reduction`` is 'mean' (default), 'sum' or 'none'; another string raises ValueError. A class label
outside [0, C) that is not ``ignore_index`` raises IndexError.
"""

from .._C._functional import (  # noqa: F401  (re-exported)
    adaptive_avg_pool2d,
    avg_pool2d,
    batch_norm,
    channel_max_pool,
    connection_conv2d,
    conv2d,
    dropout,
    linear,
    max_pool2d,
    shared_conv2d,
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
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "channel_max_pool",
    "connection_conv2d",
    "conv2d",
    "dropout",
    "linear",
    "max_pool2d",
    "shared_conv2d",
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
