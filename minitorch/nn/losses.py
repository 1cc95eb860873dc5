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


def _numeric_array(value: Any, name: str, what: str = "target") -> np.ndarray:
    array = value._data if isinstance(value, Tensor) else np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name}: {what} must be numeric, got dtype {array.dtype}")
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


def _class_rows(input: Tensor, name: str, what: str) -> Tensor:
    """Predictions (N, C), (C,) or (N, C, d1, ..., dk) as rows (M, C), one per prediction:
    the class dimension (1, or 0 for a single sample) moved last."""
    if input.ndim == 2:
        return input
    if input.ndim == 1:
        return input.reshape(1, -1)
    if input.ndim == 0:
        raise ValueError(
            f"{name}: expected {what} of shape (batch, classes), (classes,) or "
            f"(batch, classes, d1, ...), got shape ()"
        )
    return input.permute(0, *range(2, input.ndim), 1).reshape(-1, input.shape[1])


def _index_shape(input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of class-index targets for predictions of ``input_shape``."""
    return () if len(input_shape) == 1 else (input_shape[0], *input_shape[2:])


def _class_indices(
    array: np.ndarray, num_classes: int, name: str, ignore_index: int | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Checked class labels, flattened to an integer array, and which of them count (None
    when all do: none equals ``ignore_index``). An ignored position holds class 0, so it can
    still be used as an index."""
    array = array.reshape(-1)
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
    keep = None
    if ignore_index is not None:
        ignored = array == ignore_index
        if ignored.any():
            keep = ~ignored
    counted = array if keep is None else array[keep]
    if counted.size and (counted.min() < 0 or counted.max() >= num_classes):
        bad = (array < 0) | (array >= num_classes)
        i = int(np.flatnonzero(bad if keep is None else bad & keep)[0])
        raise ValueError(
            f"{name}: class index {array[i]:g} at position {i} is out of range for "
            f"{num_classes} classes (expected 0..{num_classes - 1})"
        )
    indices = array.astype(np.intp, copy=False)
    if keep is not None:
        indices = np.where(keep, indices, 0)
    return indices, keep


def _classification_target(
    target: Any, input: Tensor, name: str, probabilities_allowed: bool
) -> np.ndarray | Tensor:
    """The target checked against the predictions ``input``: class indices (an array of
    the input's shape without the class dimension) or, where allowed, class probabilities
    (a Tensor of the input's shape)."""
    array = _numeric_array(target, name)
    index_shape = _index_shape(input.shape)
    is_indices = array.ndim == len(index_shape)
    is_probabilities = probabilities_allowed and array.ndim == input.ndim
    if input.ndim >= 2 and (is_indices or is_probabilities) and len(array) != input.shape[0]:
        raise ValueError(
            f"{name}: target has batch size {len(array)} but the input has batch size "
            f"{input.shape[0]}"
        )
    if is_indices and array.shape == index_shape:
        return array
    if is_probabilities:
        return _float_target(target, input, name)
    expected = f"class indices of shape {index_shape}"
    if probabilities_allowed:
        expected += f" or class probabilities of shape {input.shape}"
    raise ValueError(f"{name}: expected {expected}, got a target of shape {array.shape}")


def _class_weight(weight: Any, num_classes: int, dtype: np.dtype, name: str) -> np.ndarray | None:
    """The per-class ``weight`` as a checked array of ``num_classes`` values in ``dtype``."""
    if weight is None:
        return None
    array = _numeric_array(weight, name, "weight").astype(dtype, copy=False)
    if array.shape != (num_classes,):
        raise ValueError(
            f"{name}: expected a class weight of shape ({num_classes},), one per class, got "
            f"shape {array.shape}"
        )
    _check_no_nan(array, name, "weight")
    return array


def _index_target(
    target: np.ndarray,
    rows: Tensor,
    class_weight: np.ndarray | None,
    ignore_index: int,
    name: str,
) -> tuple[Tensor, dict[str, Any]]:
    """Class-index targets for ``rows`` (M, C), checked, as a Tensor, and the options of the
    fused loss that say how to weigh them: ``class_weight`` and ``keep`` (which count)."""
    indices, keep = _class_indices(target, rows.shape[1], name, ignore_index)
    options: dict[str, Any] = {}
    if class_weight is not None:
        options["class_weight"] = class_weight
    if keep is not None:
        options["keep"] = keep.astype(rows.dtype)
    return Tensor._make(indices, False), options


def _per_prediction_shape(loss: Tensor, input_shape: tuple[int, ...], reduction: str) -> Tensor:
    """A "none" loss, one value per row, back in the shape of the target's indices."""
    if reduction != "none" or len(input_shape) == 2:
        return loss
    return loss.reshape(_index_shape(input_shape))


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


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy of logits ``input`` against ``target``, as ``F.cross_entropy``.

    ``input`` is (N, C), one sample (C,), or (N, C, d1, ...) with the classes in dimension 1.
    ``target`` holds class indices (the input's shape without C; integer-valued floats are
    accepted) or class probabilities (the input's shape, e.g. one-hot rows).

    ``weight`` (C,) scales each class's loss; for class indices the mean then divides by the
    total weight of the targets. Targets equal to ``ignore_index`` add nothing and are not
    counted. ``label_smoothing`` e mixes the target with the uniform distribution:
    (1 - e) target + e / C. One fused graph node; raises ValueError for an out-of-range
    class, a wrong shape, a batch-size mismatch, NaN in the target or the logits, fractional
    class indices, or a mean over nothing (every target ignored).
    """
    name = "cross_entropy"
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    logits = as_tensor(input)
    rows = _class_rows(logits, name, "logits")
    num_classes = rows.shape[1]
    target = _classification_target(target, logits, name, probabilities_allowed=True)
    class_weight = _class_weight(weight, num_classes, rows.dtype, name)
    if isinstance(target, Tensor):  # class probabilities
        target = _class_rows(target, name, "target")
        if label_smoothing:
            target = target * (1.0 - label_smoothing) + label_smoothing / num_classes
        if class_weight is not None:
            target = target * Tensor._make(class_weight, False)
        loss = CrossEntropy.apply(rows, target, reduction=reduction)
        return _per_prediction_shape(loss, logits.shape, reduction)
    indices, options = _index_target(target, rows, class_weight, ignore_index, name)
    if label_smoothing:
        options["label_smoothing"] = label_smoothing
    loss = CrossEntropy.apply(rows, indices, reduction=reduction, **options)
    return _per_prediction_shape(loss, logits.shape, reduction)


cross_entropy_loss = cross_entropy  # the name in the MiniTorch blog post


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Any = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood, as ``F.nll_loss``: -input[i, target[i]] for class indices
    ``target``, where ``input`` (N, C) (or (C,), or (N, C, d1, ...)) usually comes from
    ``log_softmax``. ``weight`` and ``ignore_index`` work as in :func:`cross_entropy`."""
    name = "nll_loss"
    _check_reduction(reduction)
    log_probs = as_tensor(input)
    rows = _class_rows(log_probs, name, "log-probabilities")
    target = _classification_target(target, log_probs, name, probabilities_allowed=False)
    class_weight = _class_weight(weight, rows.shape[1], rows.dtype, name)
    indices, options = _index_target(target, rows, class_weight, ignore_index, name)
    loss = NegativeLogLikelihood.apply(rows, indices, reduction=reduction, **options)
    _check_no_nan(loss._data, name, "the input")
    return _per_prediction_shape(loss, log_probs.shape, reduction)


def mse_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """Squared error (input - target)**2, averaged by default. The target must have the
    input's shape (no broadcasting, which would usually hide a bug)."""
    _check_reduction(reduction)
    input = as_tensor(input)
    diff = input - _float_target(target, input, "mse_loss")
    return _reduce(diff * diff, reduction, "mse_loss")


def _rescaled(losses: Tensor, weight: Any, name: str) -> Tensor:
    """Element-wise ``losses`` times ``weight`` (broadcast to their shape), if given."""
    if weight is None:
        return losses
    array = _numeric_array(weight, name, "weight")
    try:
        np.broadcast_shapes(array.shape, losses.shape)
    except ValueError:
        raise ValueError(
            f"{name}: weight of shape {array.shape} does not broadcast to the input's shape "
            f"{losses.shape}"
        ) from None
    return losses * as_tensor(weight).astype(losses.dtype)


def binary_cross_entropy(
    input: Tensor, target: Any, weight: Any = None, *, reduction: str = "mean"
) -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) for probabilities ``input`` in [0, 1], each log
    clamped at -100 as in PyTorch, times ``weight`` (broadcast) if given. Prefer
    ``binary_cross_entropy_with_logits`` on raw scores: it is more accurate near 0 and 1."""
    name = "binary_cross_entropy"
    _check_reduction(reduction)
    input = as_tensor(input)
    target = _float_target(target, input, name)
    outside = np.flatnonzero(~((input._data >= 0) & (input._data <= 1)))
    if outside.size:
        value = input._data.flat[outside[0]]
        raise ValueError(
            f"{name}: expected input probabilities in [0, 1], got {value} "
            "(use binary_cross_entropy_with_logits for raw scores)"
        )
    losses = _rescaled(BinaryCrossEntropy.apply(input, target), weight, name)
    return _reduce(losses, reduction, name)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Any = None,
    *,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy of sigmoid(``input``) against ``target``, computed from the raw
    scores in one stable step (no overflow, no log(0)). ``pos_weight`` (broadcast along the
    last dimension, one per class) scales the loss of positive targets, ``weight`` the loss
    of each element."""
    name = "binary_cross_entropy_with_logits"
    _check_reduction(reduction)
    input = as_tensor(input)
    target = _float_target(target, input, name)
    losses = BinaryCrossEntropyWithLogits.apply(input, target)
    if pos_weight is not None:
        positive = _numeric_array(pos_weight, name, "pos_weight").astype(input.dtype)
        _check_no_nan(positive, name, "pos_weight")
        try:
            np.broadcast_shapes(positive.shape, input.shape)
        except ValueError:
            raise ValueError(
                f"{name}: pos_weight of shape {positive.shape} does not broadcast to the "
                f"input's shape {input.shape}"
            ) from None
        # l = (1 - t) x + (1 + (q - 1) t) softplus(-x): the plain loss plus (q - 1) times the
        # positive targets' term t softplus(-x), with softplus(-x) = relu(-x) + log(1 + e^-|x|).
        softplus_neg = (-input).relu() + ((-input.abs()).exp() + 1.0).log()
        losses = losses + Tensor._make(positive - 1, False) * target * softplus_neg
    return _reduce(_rescaled(losses, weight, name), reduction, name)


# ----- modules --------------------------------------------------------------------------------


class _Loss(Module):
    """A loss function as a Module: ``loss_fn(input, target)`` calls ``function`` with the
    options given to the constructor. A class ``weight`` (or ``pos_weight``) is a buffer, so
    it is in the state dict, as in PyTorch."""

    function: Any = None

    def __init__(self, reduction: str = "mean", **options: Any) -> None:
        super().__init__()
        _check_reduction(reduction)
        self.reduction = reduction
        self._options = [name for name in options if name not in ("weight", "pos_weight")]
        for name, value in options.items():
            if name in ("weight", "pos_weight"):
                array = None if value is None else _numeric_array(value, type(self).__name__, name)
                self.register_buffer(name, array)
            else:
                setattr(self, name, value)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        options = {name: getattr(self, name) for name in self._options}
        options.update((name, buffer) for name, buffer in self._buffers.items())
        return type(self).function(input, target, reduction=self.reduction, **options)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """Module form of :func:`cross_entropy`."""

    function = staticmethod(cross_entropy)

    def __init__(
        self,
        weight: Any = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            reduction, weight=weight, ignore_index=ignore_index, label_smoothing=label_smoothing
        )


class NLLLoss(_Loss):
    """Module form of :func:`nll_loss`."""

    function = staticmethod(nll_loss)

    def __init__(
        self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction, weight=weight, ignore_index=ignore_index)


class MSELoss(_Loss):
    """Module form of :func:`mse_loss`."""

    function = staticmethod(mse_loss)

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)


class BCELoss(_Loss):
    """Module form of :func:`binary_cross_entropy`."""

    function = staticmethod(binary_cross_entropy)

    def __init__(self, weight: Any = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction, weight=weight)


class BCEWithLogitsLoss(_Loss):
    """Module form of :func:`binary_cross_entropy_with_logits`."""

    function = staticmethod(binary_cross_entropy_with_logits)

    def __init__(
        self, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None
    ) -> None:
        super().__init__(reduction, weight=weight, pos_weight=pos_weight)
