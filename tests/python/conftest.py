"""Shared fixtures for the tapenet Python tests.

PyTorch is the independent oracle of these tests, so it is imported unconditionally: a machine
without Debian's python3-torch must fail loudly here instead of silently skipping the comparisons.
Run with Debian's interpreter: PYTHONPATH=<builddir>/python /usr/bin/python3 -m pytest tests/python
"""
import numpy as np
import pytest
import torch

import tapenet as tn

torch.set_num_threads(1)  # reproducible, deterministic oracle results on a small machine


@pytest.fixture
def rng():
    """A NumPy generator with a fixed seed, fresh for every test."""
    return np.random.default_rng(20240607)



@pytest.fixture(autouse=True)
def global_state_restored():
    """Every test must leave gradient recording on and the thread count as it found it."""
    threads = tn.get_num_threads()
    yield
    assert tn.is_grad_enabled(), "a test left gradient recording disabled"
    assert tn.get_num_threads() == threads, "a test changed the thread count"
