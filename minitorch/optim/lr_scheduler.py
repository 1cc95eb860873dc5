"""Learning-rate schedules: each sets ``group["lr"]`` of an optimizer's parameter groups as a
function of the epoch, as ``torch.optim.lr_scheduler`` does.

Call ``scheduler.step()`` once per epoch, after ``optimizer.step()``::

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch()
        scheduler.step()

The learning rate is computed in closed form from each group's initial learning rate, so a
change made to ``group["lr"]`` by hand lasts only until the next ``step()``.
"""

from __future__ import annotations

import math
from typing import Any

from minitorch.optim.optimizer import Optimizer, check_non_negative


class LRScheduler:
    """Base class: subclasses give ``_lr_at(base_lr, epoch)``.

    Creating a scheduler sets epoch 0 (``last_epoch == 0``), whose learning rate is each
    group's current ``lr``; every ``step()`` moves to the next epoch.
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lrs: list[float] = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self._last_lr: list[float] = []
        self.step()

    def _lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate at ``epoch`` of a group that started at ``base_lr``."""
        raise NotImplementedError

    def step(self) -> None:
        """Move to the next epoch and set every group's learning rate for it."""
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise RuntimeError(
                f"the optimizer has {len(groups)} parameter groups, but the scheduler was made "
                f"for {len(self.base_lrs)}; make a new scheduler after add_param_group"
            )
        self.last_epoch += 1
        self._last_lr = [float(self._lr_at(base, self.last_epoch)) for base in self.base_lrs]
        for group, lr in zip(groups, self._last_lr, strict=True):
            group["lr"] = lr

    def get_last_lr(self) -> list[float]:
        """The learning rate of each parameter group set by the latest ``step()``."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's epoch and settings (everything but the optimizer, which saves its
        own state)."""
        return {
            key: list(value) if isinstance(value, list) else value
            for key, value in vars(self).items()
            if key != "optimizer"
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` saved from a scheduler of the same kind. Like
        PyTorch, it leaves the optimizer's learning rates alone: they are restored by the
        optimizer's own ``load_state_dict``, and the next ``step()`` sets them anyway."""
        expected = self.state_dict()
        if state_dict.keys() != expected.keys():
            raise ValueError(
                f"loaded scheduler state has entries {sorted(state_dict)}, but "
                f"{type(self).__name__} has {sorted(expected)}"
            )
        if len(state_dict["base_lrs"]) != len(self.base_lrs):
            raise ValueError(
                f"loaded scheduler state has {len(state_dict['base_lrs'])} learning rates, but "
                f"the optimizer has {len(self.base_lrs)} parameter groups"
            )
        for key, value in state_dict.items():
            setattr(self, key, list(value) if isinstance(value, list) else value)


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs::

    lr_epoch = base_lr * gamma ** (epoch // step_size)
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive integer, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        check_non_negative(vars(self), "gamma")
        super().__init__(optimizer)

    def _lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch::

    lr_epoch = base_lr * gamma ** epoch
    """

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = gamma
        check_non_negative(vars(self), "gamma")
        super().__init__(optimizer)

    def _lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from the initial learning rate down to ``eta_min`` over ``T_max``
    epochs (and, as in PyTorch, back up over the next ``T_max`` if stepped further)::

    lr_epoch = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        if not T_max > 0:
            raise ValueError(f"T_max must be > 0, got {T_max}")
        self.T_max, self.eta_min = T_max, eta_min
        check_non_negative(vars(self), "eta_min")
        super().__init__(optimizer)

    def _lr_at(self, base_lr: float, epoch: int) -> float:
        cosine = (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0
        return self.eta_min + (base_lr - self.eta_min) * cosine
