"""tn.nn.utils.clip_grad_norm_ / clip_grad_value_ against torch.nn.utils (1.13)."""
import numpy as np
import pytest
import torch

import tapenet as tn
from helpers import assert_close


def _pairs(rng, scale):
    arrays = [rng.standard_normal(s).astype(np.float32) * scale for s in [(5, 3), (7,), (2, 2, 3)]]
    tn_p, th_p = [], []
    for a in arrays:
        p = tn.zeros(*a.shape, requires_grad=True)
        p.grad = tn.tensor(a)
        q = torch.zeros(a.shape, requires_grad=True)
        q.grad = torch.tensor(a)
        tn_p.append(p)
        th_p.append(q)
    return tn_p, th_p


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf"), "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(rng, norm_type, max_norm):
    tn_p, th_p = _pairs(rng, 2.0)
    total = tn.nn.utils.clip_grad_norm_(tn_p, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(th_p, max_norm, norm_type)
    assert_close(total, expected, "total norm")
    for a, b in zip(tn_p, th_p):
        assert_close(a.grad, b.grad, "clipped gradient")


def test_clip_grad_norm_skips_missing_grads_and_accepts_one_tensor(rng):
    tn_p, th_p = _pairs(rng, 1.0)
    none = tn.zeros(3, requires_grad=True)
    total = tn.nn.utils.clip_grad_norm_(iter(tn_p + [none]), 0.1)
    assert_close(total, torch.nn.utils.clip_grad_norm_(th_p, 0.1), "total norm")
    assert none.grad is None
    p = tn_p[0]
    assert tn.nn.utils.clip_grad_norm_(p, 1e9).item() == pytest.approx(np.linalg.norm(p.grad.numpy()), rel=1e-6)
    assert tn.nn.utils.clip_grad_norm_([none], 1.0).item() == 0.0
    with pytest.raises(ValueError):
        tn.nn.utils.clip_grad_norm_(tn_p, 1.0, norm_type=-1)


def test_clip_grad_value_matches_torch(rng):
    tn_p, th_p = _pairs(rng, 2.0)
    tn.nn.utils.clip_grad_value_(tn_p, 0.7)
    torch.nn.utils.clip_grad_value_(th_p, 0.7)
    for a, b in zip(tn_p, th_p):
        assert_close(a.grad, b.grad, "clamped gradient")
    with pytest.raises(ValueError):
        tn.nn.utils.clip_grad_value_(tn_p, -1.0)
