"""tn.optim.lr_scheduler against torch.optim.lr_scheduler (PyTorch 1.13 is the oracle).

Every scheduler runs side by side with torch's over the same optimizer type with two parameter
groups of different rates; the rates (get_last_lr and the groups' 'lr', and the cycled momenta)
must agree to 1e-12 relative after every step, beyond the end of the schedule where torch has one.
"""
import json
import math

import numpy as np
import pytest
import torch

import tapenet as tn
from tapenet.optim import lr_scheduler as tn_sched

th_sched = torch.optim.lr_scheduler

LRS = (0.1, 0.037)


def make_optimizers(name="SGD", **kwargs):
    """A tapenet and a torch optimizer of type `name` over two groups with rates LRS."""
    tn_groups = [{"params": [tn.zeros(3, requires_grad=True)], "lr": LRS[0]},
                 {"params": [tn.zeros(2, 2, requires_grad=True)], "lr": LRS[1]}]
    th_groups = [{"params": [torch.zeros(3, requires_grad=True)], "lr": LRS[0]},
                 {"params": [torch.zeros(2, 2, requires_grad=True)], "lr": LRS[1]}]
    return getattr(tn.optim, name)(tn_groups, **kwargs), getattr(torch.optim, name)(th_groups, **kwargs)


def assert_rates(a, b):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), rtol=1e-12, atol=0)


def assert_same_state(tn_opt, th_opt, tn_s, th_s):
    assert tn_s.last_epoch == th_s.last_epoch
    assert_rates(tn_s.get_last_lr(), th_s.get_last_lr())
    assert_rates([g["lr"] for g in tn_opt.param_groups], [g["lr"] for g in th_opt.param_groups])
    for tn_group, th_group in zip(tn_opt.param_groups, th_opt.param_groups):
        for key in ("momentum", "betas"):
            if key in th_group:
                assert_rates(tn_group[key], th_group[key])


def run_side_by_side(tn_opt, th_opt, tn_s, th_s, steps):
    """Optimizer step, then scheduler step (PyTorch's order), comparing after every step."""
    assert_same_state(tn_opt, th_opt, tn_s, th_s)
    for _ in range(steps):
        tn_opt.step()
        th_opt.step()
        tn_s.step()
        th_s.step()
        assert_same_state(tn_opt, th_opt, tn_s, th_s)


CASES = [
    ("StepLR", {"step_size": 1, "gamma": 0.1}),
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("StepLR", {"step_size": 7}),
    ("MultiStepLR", {"milestones": [5, 10, 20], "gamma": 0.1}),
    ("MultiStepLR", {"milestones": [0, 4, 4, 9], "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [30, 2]}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("ExponentialLR", {"gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.99}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}),
    ("CosineAnnealingLR", {"T_max": 1}),
    ("CosineAnnealingLR", {"T_max": 25, "eta_min": 0.05}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.5, "total_iters": 4}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 10}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.75, "total_iters": 30}),
]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_sequence_matches_torch(name, kwargs):
    tn_opt, th_opt = make_optimizers("SGD", momentum=0.9)
    tn_s = getattr(tn_sched, name)(tn_opt, **kwargs)
    th_s = getattr(th_sched, name)(th_opt, **kwargs)
    assert [g["initial_lr"] for g in tn_opt.param_groups] == [g["initial_lr"] for g in th_opt.param_groups]
    assert tn_s.base_lrs == th_s.base_lrs
    run_side_by_side(tn_opt, th_opt, tn_s, th_s, 100)


ONE_CYCLE_CASES = [
    ("SGD", {"momentum": 0.9}, {"max_lr": 1.0, "total_steps": 100}),
    ("SGD", {"momentum": 0.9}, {"max_lr": [0.5, 0.2], "epochs": 4, "steps_per_epoch": 25, "anneal_strategy": "linear"}),
    ("SGD", {"momentum": 0.9}, {"max_lr": 0.3, "total_steps": 60, "pct_start": 0.25, "three_phase": True}),
    ("SGD", {}, {"max_lr": 0.3, "total_steps": 37, "pct_start": 0.4, "div_factor": 10.0, "final_div_factor": 100.0,
                 "base_momentum": [0.8, 0.7], "max_momentum": 0.9, "anneal_strategy": "linear", "three_phase": True}),
    ("SGD", {"momentum": 0.9}, {"max_lr": 0.1, "total_steps": 30, "cycle_momentum": False}),
    ("Adam", {}, {"max_lr": 0.01, "total_steps": 50}),
    ("AdamW", {}, {"max_lr": [0.01, 0.02], "total_steps": 45, "base_momentum": 0.8, "three_phase": True}),
    ("RMSprop", {"momentum": 0.5}, {"max_lr": 0.05, "total_steps": 40, "pct_start": 0.5}),
    ("Adagrad", {}, {"max_lr": 0.05, "total_steps": 40, "cycle_momentum": False}),
]


@pytest.mark.parametrize("opt_name,opt_kwargs,kwargs", ONE_CYCLE_CASES)
def test_one_cycle_matches_torch_to_the_end(opt_name, opt_kwargs, kwargs):
    tn_opt, th_opt = make_optimizers(opt_name, **opt_kwargs)
    tn_s = tn_sched.OneCycleLR(tn_opt, **kwargs)
    th_s = th_sched.OneCycleLR(th_opt, **kwargs)
    assert tn_s.total_steps == th_s.total_steps
    assert_rates([g["initial_lr"] for g in tn_opt.param_groups], [g["initial_lr"] for g in th_opt.param_groups])
    # total_steps steps after the initial one: torch allows (and extrapolates) the last.
    run_side_by_side(tn_opt, th_opt, tn_s, th_s, tn_s.total_steps)
    with pytest.raises(ValueError, match="Tried to step"):
        th_s.step()
    with pytest.raises(ValueError, match=r"OneCycleLR: tried to step \d+ times, but total_steps is"):
        tn_s.step()
    assert tn_s.last_epoch == tn_s.total_steps


def test_schedules_are_chainable_like_torch():
    """A warm-up and a decay on one optimizer, and a rate changed by hand, compose as in torch."""
    tn_opt, th_opt = make_optimizers("SGD")
    tn_warm, th_warm = tn_sched.LinearLR(tn_opt, 0.2, total_iters=6), th_sched.LinearLR(th_opt, 0.2, total_iters=6)
    tn_decay, th_decay = tn_sched.ExponentialLR(tn_opt, 0.95), th_sched.ExponentialLR(th_opt, 0.95)
    for epoch in range(40):
        if epoch == 20:
            tn_opt.param_groups[1]["lr"] = 0.5
            th_opt.param_groups[1]["lr"] = 0.5
        for tn_s, th_s in ((tn_warm, th_warm), (tn_decay, th_decay)):
            tn_opt.step()
            th_opt.step()
            tn_s.step()
            th_s.step()
            assert_same_state(tn_opt, th_opt, tn_s, th_s)


RESUME_CASES = CASES[1::2] + [("OneCycleLR", {"max_lr": [0.4, 0.2], "total_steps": 40, "three_phase": True})]


@pytest.mark.parametrize("name,kwargs", RESUME_CASES)
def test_state_dict_resumes_the_torch_sequence(name, kwargs):
    tn_opt, th_opt = make_optimizers("SGD", momentum=0.9)
    tn_s = getattr(tn_sched, name)(tn_opt, **kwargs)
    th_s = getattr(th_sched, name)(th_opt, **kwargs)
    run_side_by_side(tn_opt, th_opt, tn_s, th_s, 7)
    saved = tn_s.state_dict()
    assert saved["last_epoch"] == 7
    assert saved["base_lrs"] == tn_s.base_lrs
    assert saved["last_lr"] == tn_s.get_last_lr()
    saved = json.loads(json.dumps(saved))  # plain floats and lists
    opt_state = tn_opt.state_dict()

    new_opt, _ = make_optimizers("SGD", momentum=0.1)
    resumed = getattr(tn_sched, name)(new_opt, **kwargs)
    resumed.step()
    new_opt.load_state_dict(opt_state)
    resumed.load_state_dict(saved)
    assert resumed.last_epoch == 7
    run_side_by_side(new_opt, th_opt, resumed, th_s, 25)


def test_load_state_dict_adopts_the_saved_hyperparameters():
    tn_opt, th_opt = make_optimizers("SGD")
    a = tn_sched.StepLR(tn_opt, step_size=4, gamma=0.5)
    th_s = th_sched.StepLR(th_opt, step_size=4, gamma=0.5)
    new_opt, _ = make_optimizers("SGD")
    b = tn_sched.StepLR(new_opt, step_size=2, gamma=0.9)
    b.load_state_dict(a.state_dict())
    assert (b.step_size, b.gamma) == (4, 0.5)
    run_side_by_side(new_opt, th_opt, b, th_s, 20)


def test_load_state_dict_rejects_foreign_states():
    tn_opt, _ = make_optimizers("SGD")
    s = tn_sched.StepLR(tn_opt, step_size=3)
    s.step()
    good = s.state_dict()
    other = tn_sched.ExponentialLR(make_optimizers("SGD")[0], 0.5).state_dict()
    with pytest.raises(ValueError, match="StepLR.load_state_dict: missing key 'step_size'"):
        s.load_state_dict(other)
    with pytest.raises(ValueError, match="unexpected key 'eta_min'"):
        s.load_state_dict({**good, "eta_min": 0.0})
    with pytest.raises(ValueError, match=r"StepLR: 'base_lrs' needs one value per parameter group \(2\), got 3"):
        s.load_state_dict({**good, "base_lrs": [0.1, 0.1, 0.1]})
    with pytest.raises(ValueError, match="StepLR: step_size must be positive, got 0"):
        s.load_state_dict({**good, "step_size": 0})
    with pytest.raises(TypeError):
        s.load_state_dict([1, 2])
    assert s.state_dict() == good


@pytest.mark.parametrize("make,message", [
    (lambda o: tn_sched.StepLR(o, step_size=0), "StepLR: step_size must be positive, got 0"),
    (lambda o: tn_sched.StepLR(o, 2, gamma=-0.1), "StepLR: gamma must be finite and non-negative, got -0.1"),
    (lambda o: tn_sched.MultiStepLR(o, [2, -3]), "MultiStepLR: milestones must not be negative, got -3"),
    (lambda o: tn_sched.ExponentialLR(o, gamma=math.inf),
     "ExponentialLR: gamma must be finite and non-negative, got inf"),
    (lambda o: tn_sched.CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: T_max must be positive, got 0"),
    (lambda o: tn_sched.CosineAnnealingLR(o, 5, eta_min=math.nan),
     "CosineAnnealingLR: eta_min must be finite, got nan"),
    (lambda o: tn_sched.LinearLR(o, start_factor=1.5), r"LinearLR: start_factor must be in \(0, 1\], got 1.5"),
    (lambda o: tn_sched.LinearLR(o, end_factor=-1), r"LinearLR: end_factor must be in \[0, 1\], got -1"),
    (lambda o: tn_sched.LinearLR(o, total_iters=0), "LinearLR: total_iters must be positive, got 0"),
    (lambda o: tn_sched.OneCycleLR(o, 0.1), "OneCycleLR: give total_steps, or epochs and steps_per_epoch"),
    (lambda o: tn_sched.OneCycleLR(o, 0.1, total_steps=-5), "OneCycleLR: total_steps must be positive, got -5"),
    (lambda o: tn_sched.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=3), "OneCycleLR: epochs must be positive, got 0"),
    (lambda o: tn_sched.OneCycleLR(o, 0.1, total_steps=10, pct_start=-0.1),
     r"OneCycleLR: pct_start must be in \[0, 1\], got -0.1"),
    (lambda o: tn_sched.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp"),
     "OneCycleLR: anneal_strategy must be 'cos' or 'linear', got 'exp'"),
    (lambda o: tn_sched.OneCycleLR(o, [0.1, 0.2, 0.3], total_steps=10),
     r"OneCycleLR: max_lr needs one value or one per parameter group \(2\), got 3"),
    (lambda o: tn_sched.OneCycleLR(o, 0.1, total_steps=10, div_factor=0),
     "OneCycleLR: div_factor must be positive, got 0"),
])
def test_invalid_arguments_raise_value_error(make, message):
    tn_opt, _ = make_optimizers("SGD")
    with pytest.raises(ValueError, match=message):
        make(tn_opt)
    assert [g["lr"] for g in tn_opt.param_groups] == list(LRS)
    assert all("initial_lr" not in g for g in tn_opt.param_groups)


def test_one_cycle_needs_momentum_to_cycle_it():
    tn_opt, th_opt = make_optimizers("Adagrad")
    with pytest.raises(ValueError, match="momentum"):
        th_sched.OneCycleLR(th_opt, 0.1, total_steps=10)
    with pytest.raises(ValueError,
                       match="OneCycleLR: cycle_momentum needs an optimizer with momentum or betas, Adagrad has neither"):
        tn_sched.OneCycleLR(tn_opt, 0.1, total_steps=10)


def test_scheduler_api_and_lifetime():
    tn_opt, _ = make_optimizers("SGD")
    s = tn_sched.CosineAnnealingLR(tn_opt, T_max=5)
    assert isinstance(s, tn_sched.LRScheduler)
    assert s.optimizer is tn_opt
    assert type(s).__module__ == "tapenet.optim.lr_scheduler"
    assert (s.T_max, s.eta_min, s.last_epoch) == (5, 0.0, 0)
    assert s.get_last_lr() == list(LRS)
    del tn_opt  # the scheduler keeps its optimizer alive
    s.step()
    assert s.optimizer.param_groups[0]["lr"] == s.get_last_lr()[0]
    with pytest.raises(TypeError):
        tn_sched.StepLR([1.0], step_size=2)
    tn_opt, _ = make_optimizers("SGD")
    s = tn_sched.StepLR(tn_opt, 2)
    tn_opt.add_param_group({"params": [tn.zeros(1, requires_grad=True)], "lr": 0.5})
    with pytest.raises(ValueError, match="StepLR: the optimizer has 3 parameter groups, the scheduler was built for 2"):
        s.step()
    assert s.last_epoch == 0
    assert sorted(tn_sched.MultiStepLR(make_optimizers("SGD")[0], [9, 3, 3]).milestones) == [3, 3, 9]
