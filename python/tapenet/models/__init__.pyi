"""Type stubs for tapenet.models."""

from typing import List, Sequence, Tuple, Union

from ..nn import Module, Sequential

_Size = Union[int, Tuple[int, int]]

def conv_variants() -> List[str]: ...
def make_conv(
    variant: str,
    in_channels: int,
    out_channels: int,
    kernel_size: _Size,
    stride: _Size = 1,
    padding: _Size = 0,
    bias: bool = True,
    groups: int = 2,
    density: float = 0.625,
    table_seed: int = 0,
    maxout_k: int = 2,
) -> Module: ...
def lenet5(
    c3: str = "lenet5_table",
    activation: str = "relu",
    pooling: str = "max",
    in_channels: int = 1,
    image_size: int = 28,
    num_classes: int = 10,
    groups: int = 2,
    density: float = 0.625,
    table_seed: int = 0,
) -> Sequential: ...
def allconv(
    variant: str = "dense",
    widths: Sequence[int] = (24, 48, 96),
    batch_norm: bool = True,
    in_channels: int = 1,
    num_classes: int = 10,
    groups: int = 2,
    density: float = 0.625,
    table_seed: int = 0,
) -> Sequential: ...
def matched_dense_widths(
    target_parameters: int,
    widths: Sequence[int] = (24, 48, 96),
    batch_norm: bool = True,
    in_channels: int = 1,
    num_classes: int = 10,
) -> List[int]: ...
