"""Type stubs for tapenet (re-exports tapenet._C)."""

from typing import Any, Callable, Optional, Type, TypeVar

from . import models as models
from . import study as study
from . import nn as nn
from ._C import *  # noqa: F401,F403
from ._C import GradcheckError as GradcheckError
from ._C import Tensor as Tensor
from ._C import __version__ as __version__
from ._C import dtype as dtype
from ._C import float as float
from ._C import float32 as float32
from ._C import float64 as float64
from ._C import int64 as int64
from ._C import long as long
from ._C import double as double

_F = TypeVar("_F", bound=Callable[..., Any])

class no_grad:
    """Context manager (and decorator) that disables gradient recording on this thread."""

    def __init__(self) -> None: ...
    def __enter__(self) -> None: ...
    def __exit__(self, exc_type: Optional[Type[BaseException]], exc_value: Optional[BaseException],
                 traceback: Any) -> bool: ...
    def __call__(self, fn: _F) -> _F: ...
