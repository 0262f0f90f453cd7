"""tapenet.nn.utils: gradient clipping, as torch.nn.utils.

Both functions take a tensor or an iterable of tensors (``model.parameters()``), skip tensors
without a gradient and modify the gradients in place.
"""
from .. import _C

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    """Scales all gradients by ``min(1, max_norm / (total_norm + 1e-6))``, where ``total_norm`` is
    the ``norm_type``-norm of all gradients together (``float('inf')`` or ``'inf'``: the largest
    magnitude). Returns ``total_norm`` as a 0-d tensor of the gradients' dtype. ValueError for
    ``norm_type <= 0``."""
    return _C._optim.clip_grad_norm_(parameters, float(max_norm), float(norm_type))


def clip_grad_value_(parameters, clip_value):
    """Clamps every gradient element to ``[-clip_value, clip_value]``. ValueError for a negative
    ``clip_value``."""
    _C._optim.clip_grad_value_(parameters, float(clip_value))
