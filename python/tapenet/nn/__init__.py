"""tapenet.nn: neural-network layers with PyTorch's names and keyword arguments.

    import tapenet as tn
    model = tn.nn.Sequential(tn.nn.Conv2d(1, 6, 5, padding=2), tn.nn.Tanh(), tn.nn.AvgPool2d(2))
    y = model(x)
    model.state_dict()          # OrderedDict of NumPy arrays, PyTorch's keys

Subclass ``tn.nn.Module`` as in PyTorch (``super().__init__()``, attributes, ``forward``).
``tapenet.nn.functional`` holds the functions.
"""

from .. import _C
from . import functional, utils  # noqa: F401
from .modules import LoadStateDictError, Module, Parameter  # noqa: F401

_nn = _C._nn
AdaptiveAvgPool2d = _nn.AdaptiveAvgPool2d
AvgPool2d = _nn.AvgPool2d
BatchNorm1d = _nn.BatchNorm1d
BatchNorm2d = _nn.BatchNorm2d
ChannelMaxPool = _nn.ChannelMaxPool
ConnectionConv2d = _nn.ConnectionConv2d
ConnectionTable = _nn.ConnectionTable
Conv2d = _nn.Conv2d
CrossEntropyLoss = _nn.CrossEntropyLoss
Dropout = _nn.Dropout
Flatten = _nn.Flatten
Identity = _nn.Identity
LeakyReLU = _nn.LeakyReLU
Linear = _nn.Linear
LogSoftmax = _nn.LogSoftmax
MaxPool2d = _nn.MaxPool2d
MSELoss = _nn.MSELoss
NLLLoss = _nn.NLLLoss
ReLU = _nn.ReLU
ScaledTanh = _nn.ScaledTanh
Sequential = _nn.Sequential
SharedConv2d = _nn.SharedConv2d
Sigmoid = _nn.Sigmoid
Softmax = _nn.Softmax
Tanh = _nn.Tanh
summary = _nn.summary

for _cls in [AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, ChannelMaxPool, ConnectionConv2d,
             ConnectionTable, Conv2d, CrossEntropyLoss, Dropout, Flatten, Identity, LeakyReLU, Linear,
             LogSoftmax, MaxPool2d, MSELoss, NLLLoss, ReLU, ScaledTanh, Sequential, SharedConv2d,
             Sigmoid, Softmax, Tanh, Module, Parameter, _nn._BatchNorm]:
    _cls.__module__ = "tapenet.nn"
summary.__module__ = "tapenet.nn"
del _cls

__all__ = [
    "AdaptiveAvgPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "ChannelMaxPool", "ConnectionConv2d",
    "ConnectionTable", "Conv2d", "CrossEntropyLoss", "Dropout", "Flatten", "Identity", "LeakyReLU",
    "Linear", "LoadStateDictError", "LogSoftmax", "MaxPool2d", "MSELoss", "Module", "NLLLoss",
    "Parameter", "ReLU", "ScaledTanh", "Sequential", "SharedConv2d", "Sigmoid", "Softmax", "Tanh",
    "functional", "summary", "utils",
]
