"""tapenet.optim.lr_scheduler: learning-rate schedules with PyTorch 1.13's names and arguments.

    opt = tn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = tn.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(90):
        train_one_epoch(model, opt)     # opt.step() per batch
        scheduler.step()                # then the schedule: lr 0.1, 0.01 from epoch 30, 0.001 from 60
    scheduler.get_last_lr()             # [0.001...]

Each scheduler sets ``optimizer.param_groups[i]['lr']`` (and records ``'initial_lr'``) with
PyTorch's recursive formulas, so the rates equal torch's in double arithmetic. Construction sets
the epoch-0 rates. ``state_dict()`` / ``load_state_dict()`` save and resume a schedule (restore the
optimizer's state dict as well). There is no ``last_epoch`` / ``verbose`` argument: resume with
``load_state_dict``. The schedules run in C++ (``tapenet._C._lr_scheduler``).
"""

from .. import _C

_sched = _C._lr_scheduler
LRScheduler = _sched.LRScheduler
StepLR = _sched.StepLR
MultiStepLR = _sched.MultiStepLR
ExponentialLR = _sched.ExponentialLR
CosineAnnealingLR = _sched.CosineAnnealingLR
LinearLR = _sched.LinearLR
OneCycleLR = _sched.OneCycleLR

for _cls in (LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, OneCycleLR):
    _cls.__module__ = "tapenet.optim.lr_scheduler"
del _cls

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LinearLR", "MultiStepLR", "OneCycleLR", "StepLR"]
