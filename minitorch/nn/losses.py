"""Loss functions as Modules: ``nn.CrossEntropyLoss()(logits, labels)`` calls
``F.cross_entropy`` with the options given to the constructor.

The functions themselves are defined in :mod:`minitorch.nn.functional`; they are
re-exported here so that ``from minitorch.nn.losses import cross_entropy`` keeps working.
"""

from __future__ import annotations

from typing import Any

from minitorch.nn import _checks
from minitorch.nn import functional as F
from minitorch.nn.functional import (  # noqa: F401  (re-exported)
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_loss,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
)
from minitorch.nn.module import Module
from minitorch.ops.nn import REDUCTIONS
from minitorch.tensor import Tensor

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "NLLLoss",
    "SmoothL1Loss",
    "SoftMarginLoss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "cross_entropy_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "mse_loss",
    "nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
]


class _Loss(Module):
    """A loss function as a Module: ``loss_fn(input, target)`` calls ``function`` with the
    options given to the constructor. A class ``weight`` (or ``pos_weight``) is a buffer, so
    it is in the state dict, as in PyTorch. Like PyTorch's, a loss prints as its bare name,
    ``MSELoss()``. The deprecated ``size_average`` and ``reduce`` set ``reduction`` as they do
    in PyTorch."""

    function: Any = None
    reductions: tuple[str, ...] = REDUCTIONS

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", **options: Any) -> None:
        super().__init__()
        self.reduction = _checks.reduction_argument(
            reduction, size_average, reduce, self.reductions, stacklevel=5)
        self._options = [name for name in options if name not in ("weight", "pos_weight")]
        for name, value in options.items():
            if name in ("weight", "pos_weight"):
                if value is not None:
                    value = _checks.numeric_array(value, type(self).__name__, name)
                self.register_buffer(name, value)
            else:
                setattr(self, name, value)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        options = {name: getattr(self, name) for name in self._options}
        options.update((name, buffer) for name, buffer in self._buffers.items())
        return type(self).function(input, target, reduction=self.reduction, **options)


class CrossEntropyLoss(_Loss):
    """Module form of :func:`~minitorch.nn.functional.cross_entropy`."""

    function = staticmethod(F.cross_entropy)

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction, weight=weight,
                         ignore_index=ignore_index, label_smoothing=label_smoothing)


class NLLLoss(_Loss):
    """Module form of :func:`~minitorch.nn.functional.nll_loss`."""

    function = staticmethod(F.nll_loss)

    def __init__(
        self, weight: Any = None, size_average: bool | None = None, ignore_index: int = -100,
        reduce: bool | None = None, reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction, weight=weight,
                         ignore_index=ignore_index)


class MSELoss(_Loss):
    """Module form of :func:`~minitorch.nn.functional.mse_loss`."""

    function = staticmethod(F.mse_loss)


class BCELoss(_Loss):
    """Module form of :func:`~minitorch.nn.functional.binary_cross_entropy`."""

    function = staticmethod(F.binary_cross_entropy)

    def __init__(self, weight: Any = None, size_average: bool | None = None,
                 reduce: bool | None = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction, weight=weight)


class BCEWithLogitsLoss(_Loss):
    """Module form of :func:`~minitorch.nn.functional.binary_cross_entropy_with_logits`."""

    function = staticmethod(F.binary_cross_entropy_with_logits)

    def __init__(
        self, weight: Any = None, size_average: bool | None = None, reduce: bool | None = None,
        reduction: str = "mean", pos_weight: Any = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction, weight=weight, pos_weight=pos_weight)


class L1Loss(_Loss):
    """Module form of :func:`~minitorch.nn.functional.l1_loss`."""

    function = staticmethod(F.l1_loss)


class SmoothL1Loss(_Loss):
    """Module form of :func:`~minitorch.nn.functional.smooth_l1_loss`."""

    function = staticmethod(F.smooth_l1_loss)

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        _checks.check_positive(beta, "SmoothL1Loss", "beta", zero_allowed=True)
        super().__init__(size_average, reduce, reduction, beta=beta)


class HuberLoss(_Loss):
    """Module form of :func:`~minitorch.nn.functional.huber_loss`."""

    function = staticmethod(F.huber_loss)

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        _checks.check_positive(delta, "HuberLoss", "delta")
        super().__init__(reduction=reduction, delta=delta)


class KLDivLoss(_Loss):
    """Module form of :func:`~minitorch.nn.functional.kl_div`: ``loss(log_probs, target)``;
    ``reduction="batchmean"`` gives the KL divergence per sample."""

    function = staticmethod(F.kl_div)
    reductions = F.KL_REDUCTIONS

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None,
                 reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction, log_target=log_target)


class SoftMarginLoss(_Loss):
    """Module form of :func:`~minitorch.nn.functional.soft_margin_loss`."""

    function = staticmethod(F.soft_margin_loss)
