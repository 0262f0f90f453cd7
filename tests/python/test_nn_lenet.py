"""LeNet-5 built from tn.nn layers: PyTorch's parameter count per layer, and identical logits and
gradients when PyTorch's LeNet is loaded with tapenet's state dict (dense C3 and the lenet5
connection table, whose unconnected weights are zero so a dense torch conv reproduces it)."""
import numpy as np
import pytest
import torch

import tapenet as tn
from helpers import assert_close

nn = tn.nn


def tn_lenet(table):
    c3 = nn.ConnectionConv2d(6, 16, 5, table=nn.ConnectionTable.lenet5()) if table else nn.Conv2d(6, 16, 5)
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        c3, nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10))


def torch_lenet():
    T = torch.nn
    return T.Sequential(
        T.Conv2d(1, 6, 5, padding=2), T.Tanh(), T.AvgPool2d(2),
        T.Conv2d(6, 16, 5), T.Tanh(), T.AvgPool2d(2),
        T.Flatten(), T.Linear(400, 120), T.Tanh(), T.Linear(120, 84), T.Tanh(), T.Linear(84, 10))


WEIGHTED = [0, 3, 7, 9, 11]


@pytest.mark.parametrize("table", [False, True], ids=["dense", "lenet5_table"])
def test_lenet5_parameter_counts(table):
    model, ref = tn_lenet(table), torch_lenet()
    counts = [model[i].num_parameters() for i in WEIGHTED]
    torch_counts = [sum(p.numel() for p in ref[i].parameters()) for i in WEIGHTED]
    assert torch_counts == [156, 2416, 48120, 10164, 850]
    assert counts == ([156, 1516, 48120, 10164, 850] if table else torch_counts)
    assert model.num_parameters() == sum(counts)
    assert f"Trainable params: {sum(counts):,}" in nn.summary(model, (1, 28, 28))


@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("table", [False, True], ids=["dense", "lenet5_table"])
def test_lenet5_logits_and_gradients_match_torch(table, batch, rng):
    model, ref = tn_lenet(table), torch_lenet()
    sd = model.state_dict()
    assert [k for k in sd if k != "3.table"] == list(ref.state_dict())
    ref.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items() if k != "3.table"})
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, batch)
    logits, expected = model(tn.tensor(x)), ref(torch.tensor(x))
    assert_close(logits, expected, "logits", atol_factor=4)
    loss = nn.CrossEntropyLoss()(logits, labels)
    ref_loss = torch.nn.CrossEntropyLoss()(expected, torch.tensor(labels))
    assert_close(loss, ref_loss, "loss", atol_factor=4)
    loss.backward()
    ref_loss.backward()
    ref_params = dict(ref.named_parameters())
    for name, p in model.named_parameters():
        g = ref_params[name].grad
        if table and name == "3.weight":  # torch's dense conv also trains the unconnected weights
            g = g * torch.tensor(nn.ConnectionTable.lenet5().numpy().astype(np.float32))[:, :, None, None]
        assert_close(p.grad, g, f"gradient of {name}", atol_factor=4)
