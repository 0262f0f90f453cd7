"""Type stubs for tapenet.nn.utils."""

from typing import Iterable, Union

from .._C import Tensor

_Tensors = Union[Tensor, Iterable[Tensor]]

def clip_grad_norm_(parameters: _Tensors, max_norm: float, norm_type: Union[float, str] = 2.0) -> Tensor: ...
def clip_grad_value_(parameters: _Tensors, clip_value: float) -> None: ...
