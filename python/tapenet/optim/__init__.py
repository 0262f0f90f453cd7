"""tapenet.optim: optimizers with PyTorch 1.13's constructors and update formulas.

    opt = tn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    opt = tn.optim.AdamW([{"params": weights}, {"params": biases, "weight_decay": 0.0}], lr=1e-3)
    for x, y in data:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    opt.param_groups[0]["lr"] = 0.01    # a live view: takes effect at the next step

The updates run in C++ (without the GIL). ``tapenet.optim.lr_scheduler`` holds the schedulers.
"""
from collections.abc import MutableMapping as _MutableMapping

from .. import _C

_optim = _C._optim
Optimizer = _optim.Optimizer
SGD = _optim.SGD
Adam = _optim.Adam
AdamW = _optim.AdamW
RMSprop = _optim.RMSprop
Adagrad = _optim.Adagrad


class _ParamGroup(_MutableMapping):
    """A live view of one parameter group: reading and assigning keys (``'lr'``, ``'betas'``,
    ``'initial_lr'``, ...) reads and writes the optimizer's C++ hyper-parameters. ``'params'`` is
    read-only; keys cannot be deleted."""

    __slots__ = ("_optimizer", "_index")

    def __init__(self, optimizer, index):
        self._optimizer = optimizer
        self._index = index

    def _options(self):
        return self._optimizer._group_options(self._index)

    def __getitem__(self, key):
        if key == "params":
            return self._optimizer._group_params(self._index)
        return self._options()[key]

    def __setitem__(self, key, value):
        if key == "params":
            raise TypeError("the 'params' of a parameter group cannot be replaced")
        self._optimizer._group_set(self._index, key, value)

    def __delitem__(self, key):
        raise TypeError("keys of a parameter group cannot be deleted")

    def __iter__(self):
        yield "params"
        yield from self._options()

    def __len__(self):
        return 1 + len(self._options())

    def __repr__(self):
        return repr(dict(self))


def _param_groups(self):
    """One live dict-like view per parameter group (PyTorch's ``optimizer.param_groups``)."""
    return [_ParamGroup(self, i) for i in range(self._num_groups())]


def _repr(self):
    lines = [type(self).__name__ + " ("]
    for i, group in enumerate(self.param_groups):
        lines.append(f"Parameter Group {i}")
        for key, value in sorted(group._options().items()):
            lines.append(f"    {key}: {value}")
    lines.append(")")
    return "\n".join(lines)


Optimizer.param_groups = property(_param_groups)
Optimizer.__repr__ = _repr
for _cls in (Optimizer, SGD, Adam, AdamW, RMSprop, Adagrad):
    _cls.__module__ = "tapenet.optim"
del _cls

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]

from . import lr_scheduler  # noqa: E402,F401
