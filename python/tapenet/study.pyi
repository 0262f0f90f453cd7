"""Type stubs for tapenet.study."""

import os
from typing import Any, Dict, Literal, Optional, Union

_Config = Union[str, "os.PathLike[str]", Dict[str, Any]]

def presets() -> Dict[str, str]: ...
def config(config_or_preset: _Config) -> Dict[str, Any]: ...
def run(
    config_or_preset: _Config = "default",
    output: Optional[Union[str, "os.PathLike[str]"]] = None,
    *,
    threads: int = 0,
    data: Optional[Union[str, "os.PathLike[str]"]] = None,
    plots: bool = True,
    plot_script: Optional[Union[str, "os.PathLike[str]"]] = None,
    progress: Literal["auto", "bar", "log", "off"] = "auto",
) -> Dict[str, Any]: ...
