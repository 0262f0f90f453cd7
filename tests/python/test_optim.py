"""tn.optim against torch.optim (1.13): 20-step parameter trajectories of a small MLP, each framework
computing its own gradients from identical parameters; param_groups, state_dict, zero_grad, errors."""
import numpy as np
import pytest
import torch

import tapenet as tn
import tapenet.optim  # noqa: F401  (tn.optim)
from helpers import assert_close

STEPS = 20


def _problem(rng):
    """Parameters w1 [8, 4], b1 [8], w2 [3, 8], b2 [3] and a fixed batch (x, target)."""
    params = [rng.standard_normal(s).astype(np.float32) * 0.5 for s in [(8, 4), (8,), (3, 8), (3,)]]
    x = rng.standard_normal((16, 4)).astype(np.float32)
    target = rng.standard_normal((16, 3)).astype(np.float32)
    return params, x, target


def _loss(lib, params, x, target):
    w1, b1, w2, b2 = params
    h = lib.tanh(lib.matmul(x, w1.t()) + b1)
    y = lib.matmul(h, w2.t()) + b2
    return ((y - target) ** 2).mean()


def _groups(params, spec):
    """spec None: the plain list; else a list of (indices, options) group dicts."""
    if spec is None:
        return list(params)
    return [dict(opts, params=[params[i] for i in idx]) for idx, opts in spec]


def _trajectories(rng, name, kwargs, spec=None, on_step=None):
    arrays, x, target = _problem(rng)
    tn_p = [tn.tensor(a, requires_grad=True) for a in arrays]
    th_p = [torch.tensor(a, requires_grad=True) for a in arrays]
    tn_opt = getattr(tn.optim, name)(_groups(tn_p, spec), **kwargs)
    th_opt = getattr(torch.optim, name)(_groups(th_p, spec), **kwargs)
    tn_x, tn_t = tn.tensor(x), tn.tensor(target)
    th_x, th_t = torch.tensor(x), torch.tensor(target)
    for step in range(STEPS):
        if on_step is not None:
            on_step(step, tn_opt, th_opt)
        tn_opt.zero_grad()
        th_opt.zero_grad()
        _loss(tn, tn_p, tn_x, tn_t).backward()
        _loss(torch, th_p, th_x, th_t).backward()
        tn_opt.step()
        th_opt.step()
        for i, (a, b) in enumerate(zip(tn_p, th_p)):
            assert_close(a, b, f"{name}{kwargs} step {step} parameter {i}")
    return tn_opt, th_opt


CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.05}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9, "centered": True, "weight_decay": 0.05}),
    ("RMSprop", {"lr": 0.001, "centered": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.05, "initial_accumulator_value": 0.1, "eps": 1e-8}),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{'-'.join(k)}" for n, k in CASES])
def test_trajectory_matches_torch(rng, name, kwargs):
    _trajectories(rng, name, kwargs)


@pytest.mark.parametrize("name,kwargs", [("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
                                         ("Adam", {"lr": 0.01, "weight_decay": 0.01}),
                                         ("RMSprop", {"lr": 0.01}), ("Adagrad", {"lr": 0.1})])
def test_param_groups_match_torch(rng, name, kwargs):
    # Weights use the defaults; biases their own lr and no weight decay.
    spec = [([0, 2], {}), ([1, 3], {"lr": kwargs["lr"] * 0.5, "weight_decay": 0.0})]
    tn_opt, _ = _trajectories(rng, name, kwargs, spec)
    assert len(tn_opt.param_groups) == 2
    assert tn_opt.param_groups[1]["weight_decay"] == 0.0


def test_lr_written_through_param_groups_takes_effect(rng):
    def decay(step, tn_opt, th_opt):
        for g_tn, g_th in zip(tn_opt.param_groups, th_opt.param_groups):
            g_tn["lr"] = g_tn["lr"] * 0.8
            g_th["lr"] = g_th["lr"] * 0.8
            assert g_tn["lr"] == pytest.approx(g_th["lr"])

    _trajectories(rng, "Adam", {"lr": 0.02}, on_step=decay)
    _trajectories(rng, "SGD", {"lr": 0.1, "momentum": 0.9}, on_step=decay)


def test_param_groups_look_like_torch():
    p = tn.zeros(2, requires_grad=True)
    opt = tn.optim.Adam([p], lr=0.1, amsgrad=True)
    group = opt.param_groups[0]
    assert set(group) == {"params", "lr", "betas", "eps", "weight_decay", "amsgrad"}
    assert group["betas"] == (0.9, 0.999)
    assert group["amsgrad"] is True
    assert len(group["params"]) == 1 and group["params"][0].shape == (2,)
    group["betas"] = (0.5, 0.6)
    assert opt.param_groups[0]["betas"] == (0.5, 0.6)
    assert group.setdefault("initial_lr", group["lr"]) == 0.1  # what a scheduler does
    assert opt.param_groups[0]["initial_lr"] == 0.1
    assert opt.defaults["lr"] == 0.1 and "initial_lr" not in opt.defaults
    assert "Parameter Group 0" in repr(opt) and "lr: 0.1" in repr(opt)
    with pytest.raises(TypeError):
        group["params"] = []
    opt.add_param_group({"params": [tn.zeros(3, requires_grad=True)], "lr": 0.5})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["eps"] == 1e-8


def test_accepts_generators_and_module_parameters():
    model = tn.nn.Linear(3, 2)
    opt = tn.optim.SGD(model.parameters(), lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 2
    opt = tn.optim.SGD([{"params": model.weight}, {"params": [model.bias], "lr": 1.0}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]


def test_state_dict_round_trip_continues_identically(rng):
    arrays, x, target = _problem(rng)
    a = [tn.tensor(v, requires_grad=True) for v in arrays]
    opt_a = tn.optim.Adam(a, lr=0.01, amsgrad=True)
    tx, tt = tn.tensor(x), tn.tensor(target)

    def step(opt, params):
        opt.zero_grad()
        _loss(tn, params, tx, tt).backward()
        opt.step()

    for _ in range(3):
        step(opt_a, a)
    sd = opt_a.state_dict()
    assert sorted(sd["state"]) == [0, 1, 2, 3]
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert sd["state"][0]["step"].item() == 3
    assert sd["param_groups"][0]["params"] == [0, 1, 2, 3]
    b = [tn.tensor(t.numpy().copy(), requires_grad=True) for t in a]
    opt_b = tn.optim.Adam(b, lr=0.5)
    opt_b.load_state_dict(sd)
    assert opt_b.param_groups[0]["lr"] == 0.01
    for _ in range(3):
        step(opt_a, a)
        step(opt_b, b)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa.numpy(), pb.numpy())
    # NumPy state is accepted too (converted to the parameter's dtype).
    sd["state"][0]["exp_avg"] = np.zeros((8, 4))
    opt_b.load_state_dict(sd)
    assert opt_b.state_dict()["state"][0]["exp_avg"].dtype == tn.float32
    sd["state"][0]["exp_avg"] = np.zeros((2, 2))
    with pytest.raises(ValueError, match="shape"):
        opt_b.load_state_dict(sd)


def test_step_skips_parameters_without_grad_and_returns_closure_loss():
    p = tn.tensor([1.0, 2.0], requires_grad=True)
    q = tn.tensor([3.0], requires_grad=True)
    opt = tn.optim.SGD([p, q], lr=0.5, momentum=0.9)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_allclose(p.numpy(), [0.0, 0.0])
    assert q.numpy().tolist() == [3.0]
    assert set(opt.state_dict()["state"]) == {0}


def test_zero_grad():
    p = tn.tensor([1.0, 2.0], requires_grad=True)
    opt = tn.optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert p.grad.numpy().tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize("make,match", [
    (lambda p: tn.optim.SGD(p, lr=-0.1), r"SGD.*-0\.1"),
    (lambda p: tn.optim.SGD(p), "lr"),
    (lambda p: tn.optim.SGD(p, lr=0.1, nesterov=True), "nesterov"),
    (lambda p: tn.optim.SGD(p, lr=0.1, momentum=-1.0), "momentum"),
    (lambda p: tn.optim.Adam(p, betas=(0.9, 1.5)), r"Adam.*beta.*1\.5"),
    (lambda p: tn.optim.AdamW(p, eps=-1.0), "AdamW"),
    (lambda p: tn.optim.RMSprop(p, alpha=-0.5), "RMSprop.*alpha"),
    (lambda p: tn.optim.Adagrad(p, lr_decay=-1.0), "Adagrad.*lr_decay"),
    (lambda p: tn.optim.Adam([{"params": p, "lr": -3.0}]), "-3"),
    (lambda p: tn.optim.Adam([{"params": p, "momentum": 0.9}]), "momentum"),
    (lambda p: tn.optim.Adam([]), "empty"),
    (lambda p: tn.optim.Adam(p + p), "more than one"),
])
def test_invalid_arguments_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make([tn.zeros(2, requires_grad=True)])


def test_params_must_be_an_iterable_of_tensors_or_dicts():
    with pytest.raises(TypeError):
        tn.optim.SGD(tn.zeros(2, requires_grad=True), lr=0.1)
    with pytest.raises(TypeError):
        tn.optim.SGD([1.0], lr=0.1)


def test_connection_conv_unconnected_weights_stay_zero(rng):
    table = tn.nn.ConnectionTable([[1, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0]])
    x = tn.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32))
    mask = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0]], dtype=bool)
    for make in [lambda p: tn.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True),
                 lambda p: tn.optim.Adam(p, lr=0.01, weight_decay=0.1, amsgrad=True),
                 lambda p: tn.optim.AdamW(p, lr=0.01, weight_decay=0.5),
                 lambda p: tn.optim.RMSprop(p, momentum=0.9, centered=True, weight_decay=0.1),
                 lambda p: tn.optim.Adagrad(p, weight_decay=0.1)]:
        conv = tn.nn.ConnectionConv2d(3, 4, 3, table=table)
        opt = make(conv.parameters())
        for _ in range(3):
            opt.zero_grad()
            (conv(x) ** 2).sum().backward()
            opt.step()
        w = conv.weight.numpy()
        assert np.all(w[~mask] == 0.0)
        assert np.all(w[mask] != 0.0)
