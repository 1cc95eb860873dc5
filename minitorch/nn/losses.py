"""Loss functions and their Module forms.

Each function checks its target before computing anything, so a wrong label shape, an
out-of-range class or a NaN raises a ValueError that says what was expected and what was
given, instead of turning into a silently wrong or NaN loss. Targets may be Tensors, NumPy
arrays or lists, and are converted to the prediction's dtype (float64 labels do not turn a
float32 model's loss into float64).

``reduction`` is "mean" (the default), "sum" or "none" (one loss per element or sample).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.nn.module import Module
from minitorch.ops.nn import (
    REDUCTIONS,
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    CrossEntropy,
    NegativeLogLikelihood,
)
from minitorch.tensor import Tensor, as_tensor

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "MSELoss",
    "NLLLoss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "cross_entropy_loss",
    "mse_loss",
    "nll_loss",
]


# ----- checks ---------------------------------------------------------------------------------


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _numeric_array(value: Any, name: str) -> np.ndarray:
    array = value._data if isinstance(value, Tensor) else np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name}: target must be numeric, got dtype {array.dtype}")
    return array


def _check_no_nan(array: np.ndarray, name: str, what: str) -> None:
    if np.isnan(array).any():
        raise ValueError(f"{name}: {what} contains NaN")


def _float_target(target: Any, prediction: Tensor, name: str) -> Tensor:
    """``target`` as a Tensor of the prediction's shape and dtype, checked for NaN.

    A Tensor target that requires grad stays in the graph."""
    array = _numeric_array(target, name)
    if array.shape != prediction.shape:
        raise ValueError(
            f"{name}: expected a target of shape {prediction.shape} like the input, "
            f"got shape {array.shape}"
        )
    _check_no_nan(array, name, "target")
    if isinstance(target, Tensor) and target.requires_grad:
        return target.astype(prediction.dtype)
    return Tensor._make(array.astype(prediction.dtype, copy=False), False)


def _class_indices(array: np.ndarray, num_classes: int, name: str) -> np.ndarray:
    """Check 1-D class labels and return them as an integer array."""
    if array.dtype.kind == "b":
        raise ValueError(f"{name}: class indices must be integers, got booleans")
    if array.dtype.kind == "f":
        _check_no_nan(array, name, "target")
        fractional = np.flatnonzero(array != np.round(array))
        if fractional.size:
            i = int(fractional[0])
            raise ValueError(
                f"{name}: class indices must be whole numbers, got {array[i]} at position {i}"
            )
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        i = int(np.flatnonzero((array < 0) | (array >= num_classes))[0])
        raise ValueError(
            f"{name}: class index {array[i]:g} at position {i} is out of range for "
            f"{num_classes} classes (expected 0..{num_classes - 1})"
        )
    return array.astype(np.intp, copy=False)


def _check_classification_input(prediction: Tensor, name: str, what: str) -> None:
    if prediction.ndim != 2:
        raise ValueError(
            f"{name}: expected {what} of shape (batch, classes), got shape {prediction.shape}"
        )


def _classification_target(
    target: Any, prediction: Tensor, name: str, probabilities_allowed: bool
) -> Tensor:
    """Class indices (N,) or, where allowed, class probabilities (N, C), checked."""
    batch, num_classes = prediction.shape
    array = _numeric_array(target, name)
    if array.ndim in (1, 2) and len(array) != batch:
        raise ValueError(
            f"{name}: target has batch size {len(array)} but the input has batch size {batch}"
        )
    if array.ndim == 1:
        return Tensor._make(_class_indices(array, num_classes, name), False)
    if array.ndim == 2 and probabilities_allowed:
        return _float_target(target, prediction, name)
    expected = f"class indices of shape ({batch},)"
    if probabilities_allowed:
        expected += f" or class probabilities of shape ({batch}, {num_classes})"
    raise ValueError(f"{name}: expected {expected}, got a target of shape {array.shape}")


def _reduce(losses: Tensor, reduction: str, name: str) -> Tensor:
    """Apply ``reduction`` to element-wise losses; a NaN result means a NaN input."""
    if reduction == "mean":
        if losses._data.size == 0:
            raise ValueError(f"{name}: the mean loss of an empty input is undefined")
        losses = losses.mean()
    elif reduction == "sum":
        losses = losses.sum()
    _check_no_nan(losses._data, name, "the input")
    return losses


# ----- functions ------------------------------------------------------------------------------


def cross_entropy_loss(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of ``logits`` (N, C) against ``target``: class indices (N,)
    of integers (integer-valued floats are accepted) or one-hot / probability rows (N, C).

    One fused graph node: a stable log-softmax forward and a (softmax - target) / N
    backward (for the mean). Raises ValueError for an out-of-range class, a wrong shape,
    a batch-size mismatch, NaN in the target or the logits, or fractional class indices.
    """
    _check_reduction(reduction)
    logits = as_tensor(logits)
    _check_classification_input(logits, "cross_entropy_loss", "logits")
    target = _classification_target(target, logits, "cross_entropy_loss", True)
    return CrossEntropy.apply(logits, target, reduction=reduction)


cross_entropy = cross_entropy_loss


def nll_loss(log_probs: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: -log_probs[i, target[i]] for class indices ``target`` (N,),
    where ``log_probs`` (N, C) usually comes from ``log_softmax``."""
    _check_reduction(reduction)
    log_probs = as_tensor(log_probs)
    _check_classification_input(log_probs, "nll_loss", "log-probabilities")
    target = _classification_target(target, log_probs, "nll_loss", False)
    loss = NegativeLogLikelihood.apply(log_probs, target, reduction=reduction)
    _check_no_nan(loss._data, "nll_loss", "the input")
    return loss


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error (input - target)**2, averaged by default. The target must have the
    input's shape (no broadcasting, which would usually hide a bug)."""
    _check_reduction(reduction)
    input = as_tensor(input)
    diff = input - _float_target(target, input, "mse_loss")
    return _reduce(diff * diff, reduction, "mse_loss")


def binary_cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) for probabilities ``input`` in [0, 1], each log
    clamped at -100 as in PyTorch. Prefer ``binary_cross_entropy_with_logits`` on raw
    scores: it is more accurate near 0 and 1."""
    _check_reduction(reduction)
    input = as_tensor(input)
    target = _float_target(target, input, "binary_cross_entropy")
    outside = np.flatnonzero(~((input._data >= 0) & (input._data <= 1)))
    if outside.size:
        value = input._data.flat[outside[0]]
        raise ValueError(
            f"binary_cross_entropy: expected input probabilities in [0, 1], got {value} "
            "(use binary_cross_entropy_with_logits for raw scores)"
        )
    return _reduce(BinaryCrossEntropy.apply(input, target), reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of sigmoid(``input``) against ``target``, computed from the raw
    scores in one stable step (no overflow, no log(0))."""
    _check_reduction(reduction)
    input = as_tensor(input)
    target = _float_target(target, input, "binary_cross_entropy_with_logits")
    losses = BinaryCrossEntropyWithLogits.apply(input, target)
    return _reduce(losses, reduction, "binary_cross_entropy_with_logits")


# ----- modules --------------------------------------------------------------------------------


class _Loss(Module):
    """A loss function as a Module: ``loss_fn(input, target)``."""

    function: Any = None

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        _check_reduction(reduction)
        self.reduction = reduction

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return type(self).function(input, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """Module form of :func:`cross_entropy_loss`."""

    function = staticmethod(cross_entropy_loss)


class NLLLoss(_Loss):
    """Module form of :func:`nll_loss`."""

    function = staticmethod(nll_loss)


class MSELoss(_Loss):
    """Module form of :func:`mse_loss`."""

    function = staticmethod(mse_loss)


class BCELoss(_Loss):
    """Module form of :func:`binary_cross_entropy`."""

    function = staticmethod(binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Module form of :func:`binary_cross_entropy_with_logits`."""

    function = staticmethod(binary_cross_entropy_with_logits)
