"""tapenet.nn: neural-network building blocks. ``tapenet.nn.functional`` holds the functions."""

from . import functional  # noqa: F401
