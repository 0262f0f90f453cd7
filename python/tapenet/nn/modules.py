"""tapenet.nn.Module's Python-level API, added to the C++ class ``tapenet._C._nn.Module``.

Every layer (Conv2d, Linear, Sequential, ...) derives from that class, so the methods below work
for C++ layers and for subclasses written in Python alike. Attributes assigned on a module are
registered as in PyTorch: a ``Parameter`` becomes a parameter, a ``Module`` a child; plain tensors
stay plain attributes (use ``register_buffer`` for state that belongs in the state dict).
"""

import collections as _collections
import inspect as _inspect
import types as _types

import numpy as _np

from .. import _C

Module = _C._nn.Module
Parameter = _C._nn.Parameter
Tensor = _C.Tensor

_IncompatibleKeys = _collections.namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class LoadStateDictError(ValueError, RuntimeError):
    """load_state_dict could not load the state dict: the message lists every missing and
    unexpected key and every shape or dtype mismatch. Both a ValueError (tapenet's convention)
    and a RuntimeError (what PyTorch raises)."""


_cpp_init = Module.__init__


def _init(self, *args, **kwargs):
    """Initialises the C++ side; call ``super().__init__()`` first in a subclass's __init__."""
    _cpp_init(self, type(self).__name__)


def _own(self, which):
    if which == "parameters":
        return dict(self._named_parameters(False))
    if which == "buffers":
        return dict(self._named_buffers(False))
    return dict(self._named_children())


def _copy_into(existing, value, what):
    """Replaces the data of a registered tensor in place (tapenet cannot swap the C++ handle)."""
    src = _np.asarray(value)
    dst = _np.asarray(existing)
    if src.shape != dst.shape:
        raise ValueError(f"cannot assign a tensor of shape {src.shape} to {what} of shape {dst.shape}: "
                         "registered tensors are replaced in place (same shape)")
    if isinstance(value, Tensor) and value.dtype != existing.dtype:
        raise ValueError(f"cannot assign a {value.dtype} tensor to {what} of dtype {existing.dtype}")
    _np.copyto(dst, src, casting="unsafe")


def _setattr(self, name, value):
    if name.startswith("__"):
        object.__setattr__(self, name, value)
        return
    params = _own(self, "parameters")
    buffers = _own(self, "buffers")
    if name in params:
        if not isinstance(value, Tensor):
            raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                            "(tapenet.nn.Parameter expected)")
        _copy_into(params[name], value, f"parameter '{name}'")
        return
    if name in buffers:
        _copy_into(buffers[name], value, f"buffer '{name}'")
        return
    if isinstance(getattr(type(self), name, None), property):
        object.__setattr__(self, name, value)  # training, or a read-only layer property
        return
    if isinstance(value, Parameter):
        self._register_parameter(name, value)
        object.__setattr__(self, name, value)
        return
    if isinstance(value, Module):
        if name in _own(self, "children"):
            raise ValueError(f"{type(self).__name__}: child module '{name}' is already registered "
                             "(tapenet cannot replace a child module)")
        self._register_module(name, value)
        object.__setattr__(self, name, value)
        return
    if name in _own(self, "children"):
        raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                        "(tapenet.nn.Module expected)")
    object.__setattr__(self, name, value)


def _getattr(self, name):
    # Only reached when normal lookup fails: children, parameters and buffers registered on the
    # C++ side (e.g. Sequential(OrderedDict(...)) children) by name.
    if not name.startswith("__"):
        for entries in (self._named_children(), self._named_parameters(False), self._named_buffers(False)):
            for key, value in entries:
                if key == name:
                    return value
    raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


def _class_attr(self, name):
    """True when the class defines `name` (a C++ layer's property such as Conv2d.weight)."""
    return hasattr(type(self), name)


def register_parameter(self, name, param):
    """Adds a parameter (a Tensor or Parameter; it becomes a leaf requiring grad)."""
    if param is None:
        raise ValueError("register_parameter: None parameters are not supported")
    if not isinstance(param, Tensor):
        param = Parameter(param)
    stored = self._register_parameter(name, param)
    if not _class_attr(self, name):
        object.__setattr__(self, name, param if isinstance(param, Parameter) else stored)


def register_buffer(self, name, tensor, persistent=True):
    """Adds a buffer: state in the state dict that is not trained (a Tensor or array-like)."""
    if not persistent:
        raise ValueError("register_buffer: persistent=False is not supported (every buffer is saved)")
    if tensor is None:
        raise ValueError("register_buffer: None buffers are not supported")
    if not isinstance(tensor, Tensor):
        tensor = _C.tensor(tensor)
    stored = self._register_buffer(name, tensor)
    if not _class_attr(self, name):
        object.__setattr__(self, name, stored)


def add_module(self, name, module):
    """Adds a child module under `name` (as assigning ``self.name = module``)."""
    if not isinstance(module, Module):
        raise TypeError(f"{type(module).__name__} is not a tapenet.nn.Module")
    self._register_module(name, module)
    if not _class_attr(self, name):
        object.__setattr__(self, name, module)


_python_forward = {}


def _overrides_cpp_forward(cls):
    """True for a Python subclass of a C++ layer that defines its own forward."""
    try:
        return _python_forward[cls]
    except KeyError:
        fwd = _inspect.getattr_static(cls, "forward", None)
        result = isinstance(fwd, _types.FunctionType)
        _python_forward[cls] = result
        return result


def _call(self, *args, **kwargs):
    if (len(args) == 1 and not kwargs and isinstance(args[0], Tensor)
            and (self._is_python_module or not _overrides_cpp_forward(type(self)))):
        return self._call(args[0])  # through C++: summary() sees the call, the GIL is released
    return self.forward(*args, **kwargs)


def named_parameters(self, prefix="", recurse=True):
    """(dotted name, Tensor) pairs, depth-first in registration order (PyTorch's keys)."""
    for name, t in self._named_parameters(recurse):
        yield (prefix + "." + name if prefix else name), t


def parameters(self, recurse=True):
    for _, t in self._named_parameters(recurse):
        yield t


def named_buffers(self, prefix="", recurse=True):
    for name, t in self._named_buffers(recurse):
        yield (prefix + "." + name if prefix else name), t


def buffers(self, recurse=True):
    for _, t in self._named_buffers(recurse):
        yield t


def named_children(self):
    yield from self._named_children()


def children(self):
    for _, m in self._named_children():
        yield m


def named_modules(self, memo=None, prefix=""):
    """This module (named `prefix`) and every descendant, depth-first."""
    if memo is None:
        memo = set()
    if id(self) in memo:
        return
    memo.add(id(self))
    yield prefix, self
    for name, child in self._named_children():
        yield from child.named_modules(memo, prefix + "." + name if prefix else name)


def modules(self):
    for _, m in self.named_modules():
        yield m


def apply(self, fn):
    """Calls fn on every child (recursively), then on self; returns self."""
    for m in self.children():
        m.apply(fn)
    fn(self)
    return self


def train(self, mode=True):
    """Sets training mode here and in every descendant; returns self."""
    if not isinstance(mode, bool):
        raise ValueError("training mode is expected to be boolean")
    self._train(mode)
    return self


def eval(self):
    """Evaluation mode (dropout off, batch norm on running statistics); returns self."""
    return self.train(False)


def _get_training(self):
    return self._is_training


def _set_training(self, mode):
    # Only this module, as in PyTorch (train() recurses).
    below = [(m, m._is_training) for _, m in self.named_modules() if m is not self]
    self._train(bool(mode))
    for m, was in below:
        m._train(was)


def zero_grad(self, set_to_none=True):
    """Drops every parameter's gradient (set_to_none=False zeroes them in place instead)."""
    if set_to_none:
        self._zero_grad()
        return
    for p in self.parameters():
        g = p.grad
        if g is not None:
            g.zero_()


def state_dict(self, destination=None, prefix="", keep_vars=False):
    """An OrderedDict of every parameter and buffer under PyTorch's dotted keys. The values are
    NumPy arrays (copies); ``keep_vars=True`` gives the module's own tensors instead."""
    out = _collections.OrderedDict() if destination is None else destination
    for name, t in self._state_dict():
        out[prefix + name] = t if keep_vars else _np.array(t, copy=True)
    return out


def load_state_dict(self, state_dict, strict=True):
    """Copies the entries of `state_dict` (NumPy arrays, tapenet or torch tensors, any
    array-like; arrays are cast to the entry's dtype) into the module's tensors in place.

    strict=True: any missing or unexpected key, shape or dtype mismatch raises
    LoadStateDictError listing all of them, and nothing is changed. Returns the named tuple
    (missing_keys, unexpected_keys) like PyTorch."""
    try:
        missing, unexpected = self._load_state_dict(state_dict, strict)
    except ValueError as e:
        raise LoadStateDictError(str(e)) from None
    return _IncompatibleKeys(list(missing), list(unexpected))


def _repr(self):
    name = type(self).__name__
    extra = self.extra_repr()
    children = list(self._named_children())
    if not children:
        return f"{name}({extra})"
    lines = extra.split("\n") if extra else []
    for child_name, child in children:
        lines.append(f"({child_name}): " + repr(child).replace("\n", "\n  "))
    return name + "(\n  " + "\n  ".join(lines) + "\n)"


def _seq_iter(self):
    return iter(list(self.children()))


def _install():
    for name, fn in [("__init__", _init), ("__setattr__", _setattr), ("__call__", _call), ("__getattr__", _getattr),
                     ("__repr__", _repr), ("register_parameter", register_parameter),
                     ("register_buffer", register_buffer), ("add_module", add_module),
                     ("register_module", add_module), ("named_parameters", named_parameters),
                     ("parameters", parameters), ("named_buffers", named_buffers), ("buffers", buffers),
                     ("named_children", named_children), ("children", children),
                     ("named_modules", named_modules), ("modules", modules), ("apply", apply),
                     ("train", train), ("eval", eval), ("zero_grad", zero_grad),
                     ("state_dict", state_dict), ("load_state_dict", load_state_dict)]:
        setattr(Module, name, fn)
    Module.training = property(_get_training, _set_training, doc="True in training mode.")
    _C._nn.Sequential.__iter__ = _seq_iter


_install()
