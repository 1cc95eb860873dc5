"""Learning-rate schedules: each sets ``group["lr"]`` of an optimizer's parameter groups as a
function of the epoch, as ``torch.optim.lr_scheduler`` does.

Call ``scheduler.step()`` once per epoch, after ``optimizer.step()``::

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch()
        scheduler.step()

The learning rate is computed in closed form from each group's initial learning rate, so a
change made to ``group["lr"]`` by hand lasts only until the next ``step()``. As in PyTorch,
that initial rate is kept in the group as ``group["initial_lr"]``, and ``last_epoch``
resumes a schedule: ``StepLR(optimizer, 30, last_epoch=41)`` on an optimizer loaded from a
checkpoint continues at epoch 42.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from minitorch.optim.optimizer import Optimizer, check_non_negative


class LRScheduler:
    """Base class: subclasses give ``_lr_at(base_lr, epoch)`` (or ``_lrs(epoch)``, one
    rate per group).

    Creating a scheduler sets epoch ``last_epoch + 1``: epoch 0 by default, whose learning
    rate is each group's ``initial_lr`` (its ``lr`` when no scheduler set one before); every
    ``step()`` moves to the next epoch. Resuming (``last_epoch`` >= 0) needs the groups'
    ``initial_lr``, as saved in the optimizer's state dict.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for index, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"param 'initial_lr' is not specified in param_groups[{index}] "
                               f"when resuming an optimizer (last_epoch={last_epoch})")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._last_lr: list[float] = []
        self.step()

    def _lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate at ``epoch`` of a group that started at ``base_lr``."""
        raise NotImplementedError

    def _lrs(self, epoch: int) -> list[float]:
        """The learning rate of each parameter group at ``epoch``."""
        return [self._lr_at(base_lr, epoch) for base_lr in self.base_lrs]

    def step(self, epoch: int | None = None) -> None:
        """Move to the next epoch (or, deprecated as in PyTorch, to ``epoch``) and set every
        group's learning rate for it."""
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise RuntimeError(
                f"the optimizer has {len(groups)} parameter groups, but the scheduler was made "
                f"for {len(self.base_lrs)}; make a new scheduler after add_param_group"
            )
        self.last_epoch = _next_epoch(self.last_epoch, epoch)
        self._last_lr = [float(lr) for lr in self._lrs(self.last_epoch)]
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
            if key not in ("optimizer", "lr_lambdas")
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

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive integer, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        check_non_negative(vars(self), "gamma")
        super().__init__(optimizer, last_epoch)

    def _lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch::

    lr_epoch = base_lr * gamma ** epoch
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        check_non_negative(vars(self), "gamma")
        super().__init__(optimizer, last_epoch)

    def _lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from the initial learning rate down to ``eta_min`` over ``T_max``
    epochs (and, as in PyTorch, back up over the next ``T_max`` if stepped further)::

    lr_epoch = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if not T_max > 0:
            raise ValueError(f"T_max must be > 0, got {T_max}")
        self.T_max, self.eta_min = T_max, eta_min
        check_non_negative(vars(self), "eta_min")
        super().__init__(optimizer, last_epoch)

    def _lr_at(self, base_lr: float, epoch: int) -> float:
        cosine = (1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0
        return self.eta_min + (base_lr - self.eta_min) * cosine


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each of the ``milestones`` (epochs)::

    lr_epoch = base_lr * gamma ** (number of milestones <= epoch)
    """

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones, self.gamma = sorted(milestones), gamma
        check_non_negative(vars(self), "gamma")
        super().__init__(optimizer, last_epoch)

    def _lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, epoch)


class LambdaLR(LRScheduler):
    """The initial learning rate times ``lr_lambda(epoch)`` (one function for every group,
    or a list with one per group)::

    lr_epoch = base_lr * lr_lambda(epoch)

    The functions are not part of ``state_dict()``: they are code, not state.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        groups = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 1
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * groups
        if len(lambdas) != groups:
            raise ValueError(f"expected {groups} lr_lambdas (one per group), got {len(lambdas)}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def _lrs(self, epoch: int) -> list[float]:
        return [base * f(epoch) for base, f in zip(self.base_lrs, self.lr_lambdas, strict=True)]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith and Topin, 2017), as ``torch.optim.lr_scheduler.OneCycleLR``:
    stepped after every batch, the learning rate climbs from ``max_lr / div_factor`` to
    ``max_lr`` over the first ``pct_start`` of ``total_steps`` (or ``epochs *
    steps_per_epoch``), then anneals to ``max_lr / div_factor / final_div_factor``; with
    ``three_phase`` it first comes back down to the start before the final annealing.
    ``anneal_strategy`` is "cos" or "linear". With ``cycle_momentum`` the momentum (or Adam's
    beta1) moves the opposite way, between ``max_momentum`` and ``base_momentum``.
    Stepping past ``total_steps`` raises ValueError.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | Sequence[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | Sequence[float] = 0.85,
        max_momentum: float | Sequence[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs an Optimizer, got {type(optimizer).__name__}")
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("OneCycleLR needs total_steps, or epochs and steps_per_epoch")
            total_steps = epochs * steps_per_epoch
        if not (isinstance(total_steps, int) and total_steps > 0):
            raise ValueError(f"total_steps must be a positive integer, got {total_steps!r}")
        if not 0.0 <= pct_start <= 1.0:
            raise ValueError(f"pct_start must be in [0, 1], got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        groups = optimizer.param_groups
        self.total_steps, self.anneal_strategy = total_steps, anneal_strategy
        self.max_lrs = _per_group(max_lr, groups, "max_lr")
        self.initial_lrs = [lr / div_factor for lr in self.max_lrs]
        self.min_lrs = [lr / final_div_factor for lr in self.initial_lrs]
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    "cycle_momentum needs an optimizer with momentum or betas; pass "
                    "cycle_momentum=False"
                )
            self.max_momentums = _per_group(max_momentum, groups, "max_momentum")
            self.base_momentums = _per_group(base_momentum, groups, "base_momentum")
            if last_epoch == -1:
                for group, high, low in zip(groups, self.max_momentums, self.base_momentums,
                                            strict=True):
                    group["max_momentum"], group["base_momentum"] = high, low
        # Each phase: (last step, which lrs it goes from and to, which momentums).
        low, high = "max_momentums", "base_momentums"
        if three_phase:
            self.phases = [
                (pct_start * total_steps - 1, "initial_lrs", "max_lrs", low, high),
                (2 * pct_start * total_steps - 2, "max_lrs", "initial_lrs", high, low),
                (total_steps - 1, "initial_lrs", "min_lrs", low, low),
            ]
        else:
            self.phases = [
                (pct_start * total_steps - 1, "initial_lrs", "max_lrs", low, high),
                (total_steps - 1, "max_lrs", "min_lrs", high, low),
            ]
        if last_epoch == -1:  # PyTorch's entries in the groups, which a resumed run reads
            for group, high, low in zip(groups, self.max_lrs, self.min_lrs, strict=True):
                group["lr"] = group["initial_lr"] = high / div_factor
                group["max_lr"], group["min_lr"] = high, low
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, fraction: float) -> float:
        if self.anneal_strategy == "linear":
            return start + (end - start) * fraction
        return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1.0)

    def _at(self, epoch: int, index: int, start_of: int, end_of: int) -> float:
        """Anneal, within the phase that ``epoch`` is in, between the phase's values named
        at positions ``start_of`` and ``end_of`` of its entry, for group ``index``."""
        if epoch > self.total_steps:
            raise ValueError(
                f"OneCycleLR stepped {epoch} times, but total_steps is {self.total_steps}"
            )
        phase_start = 0.0
        for number, phase in enumerate(self.phases):
            phase_end = phase[0]
            if epoch <= phase_end or number == len(self.phases) - 1:
                fraction = (epoch - phase_start) / (phase_end - phase_start)
                start = getattr(self, phase[start_of])[index]
                return self._anneal(start, getattr(self, phase[end_of])[index], fraction)
            phase_start = phase_end
        raise AssertionError("unreachable: the last phase always matches")

    def _lrs(self, epoch: int) -> list[float]:
        return [self._at(epoch, i, 1, 2) for i in range(len(self.max_lrs))]

    def step(self, epoch: int | None = None) -> None:
        super().step(epoch)
        if not self.cycle_momentum:
            return
        for i, group in enumerate(self.optimizer.param_groups):
            momentum = self._at(self.last_epoch, i, 3, 4)
            if "betas" in group:
                group["betas"] = (momentum, *group["betas"][1:])
            else:
                group["momentum"] = momentum


def _next_epoch(last_epoch: int, epoch: int | None) -> int:
    """The epoch a ``step(epoch)`` moves to: the next one, or ``epoch`` where given, with
    PyTorch's deprecation warning."""
    if epoch is None:
        return last_epoch + 1
    warnings.warn("The epoch parameter in `scheduler.step()` is deprecated: call "
                  "`scheduler.step()` once per epoch instead.", UserWarning, stacklevel=3)
    return epoch


def _per_group(value: float | Sequence[float], groups: list, name: str) -> list[float]:
    """One value for each parameter group: a list of them, or one for all."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(groups):
            raise ValueError(f"expected {len(groups)} values of {name}, got {len(value)}")
        return [float(v) for v in value]
    return [float(value)] * len(groups)


class ReduceLROnPlateau(LRScheduler):
    """Multiply the learning rate by ``factor`` when a metric has stopped improving for more
    than ``patience`` epochs, as ``torch.optim.lr_scheduler.ReduceLROnPlateau``.

    Call ``scheduler.step(metric)`` once per epoch (a validation loss, say). ``mode`` "min"
    (lower is better) or "max"; a value improves on the best so far when it beats it by
    more than ``threshold``, relative (``threshold_mode="rel"``) or absolute ("abs"). After
    a reduction, ``cooldown`` epochs pass before counting again; the rate never goes below
    ``min_lr`` (one for all groups, or a list), and a change smaller than ``eps`` is
    skipped. A NaN metric raises ValueError.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"a scheduler needs an Optimizer, got {type(optimizer).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if not 0.0 <= factor < 1.0:
            raise ValueError(f"factor must be in [0, 1), got {factor}")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.min_lrs = _per_group(min_lr, optimizer.param_groups, "min_lr")
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = list(self.base_lrs)

    def _is_better(self, value: float) -> bool:
        best, threshold, relative = self.best, self.threshold, self.threshold_mode == "rel"
        if self.mode == "min":
            return value < (best * (1.0 - threshold) if relative else best - threshold)
        return value > (best * (1.0 + threshold) if relative else best + threshold)

    def step(self, metrics: float, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's ``metrics`` and reduce the learning rates if it is time."""
        value = float(metrics)
        if math.isnan(value):
            raise ValueError("ReduceLROnPlateau got a NaN metric")
        self.last_epoch = _next_epoch(self.last_epoch, epoch)
        if self._is_better(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
