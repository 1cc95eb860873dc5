"""Stateless forms of the layers and losses, with PyTorch's names and signatures:
``F.relu(x)``, ``F.linear(x, w, b)``, ``F.cross_entropy(logits, labels)``, ...

This module is the one place where every functional form is defined: activations, losses,
embeddings, layer norm and attention, convolution, pooling, padding and batch norm. The
layers in :mod:`minitorch.nn` are thin Modules that hold parameters and options and call
these functions; the checks of their arguments live in :mod:`minitorch.nn._checks`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minitorch.autograd import Function, no_grad
from minitorch.dtypes import int64
from minitorch.nn import _checks
from minitorch.ops import conv as image_ops
from minitorch.ops import elementwise as ew
from minitorch.ops import nn as fused
from minitorch.ops import sequence as sequence_ops
from minitorch.ops.shape import PAD_MODES, Pad, SetItem
from minitorch.tensor import Tensor, _floating, _require_floating, as_tensor, where

# ----- activations ----------------------------------------------------------------------------
#
# Each is composed of differentiable Tensor operations (so gradients of every order come
# for free) unless stability needs a fused one (softplus). ``inplace=True`` changes the input
# itself and returns it, through the one in-place path of Tensor (see ``Tensor._in_place``):
# recorded out of place when gradients flow, refused on a leaf that requires grad.

# SELU's constants (Klambauer et al., 2017), to the digits PyTorch uses
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _activation(x: Any, fn: Callable[[Tensor], Tensor], inplace: bool, name: str) -> Tensor:
    x = as_tensor(x)
    return x._apply_(fn, name + "_") if inplace else fn(x)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) element-wise."""
    return _activation(input, Tensor.relu, inplace, "relu")


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return _activation(input, lambda t: t.leaky_relu(negative_slope), inplace, "leaky_relu")


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight * x, with one slope for all (``weight`` of one element) or
    one per channel (dimension 1 of ``input``)."""
    x, weight = as_tensor(input), as_tensor(weight)
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: weight must be a scalar or 1-D tensor, got shape "
                           f"{weight.shape}")
    if weight.numel() != 1:
        channels = x.shape[1] if x.ndim >= 2 else 1
        if weight.numel() != channels:
            raise RuntimeError(
                f"Mismatch of parameter numbers and input channel size. Found parameter "
                f"numbers = {weight.numel()} and channel size = {channels}."
            )
        weight = weight.reshape((channels,) + (1,) * (x.ndim - 2))
    return where(x > 0, x, weight * x)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return _activation(input, lambda t: _elu(t, alpha, 1.0), inplace, "elu")


def _elu(x: Tensor, alpha: float, scale: float) -> Tensor:
    # expm1 of the clamped input: the branch that is not taken must not overflow to inf,
    # whose zero gradient would still turn into NaN; expm1 keeps small values exact
    negative = (x.clamp(max=0.0) * scale).expm1()
    return where(x > 0, x, negative * alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """SELU_SCALE * elu(x, SELU_ALPHA): self-normalising for standardised inputs."""
    return _activation(input, lambda t: _elu(t, SELU_ALPHA, 1.0) * SELU_SCALE, inplace, "selu")


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""
    return _activation(input, lambda t: _elu(t, alpha, 1.0 / alpha), inplace, "celu")


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x limited to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError(f"min_val cannot be greater than max_val, got min_val={min_val} and "
                         f"max_val={max_val}")
    return _activation(input, lambda t: t.clamp(min_val, max_val), inplace, "hardtanh")


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``."""
    return _activation(input, lambda t: where(t > threshold, t, value), inplace, "threshold")


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, a smooth relu; x itself where beta x > threshold."""
    return ew.Softplus.apply(_floating(as_tensor(input)), beta=beta, threshold=threshold)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), without overflow or underflow."""
    return -ew.Softplus.apply(-_floating(as_tensor(input)))


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    input = _floating(as_tensor(input))
    return input / (input.abs() + 1.0)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    input = _floating(as_tensor(input))
    return input - input.tanh()


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    return as_tensor(input).hardshrink(lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x moved lambd towards 0, and 0 where |x| <= lambd."""
    if not lambd >= 0:
        raise RuntimeError(f"softshrink: lambda must be greater or equal to 0, got {lambd}")
    input = as_tensor(input)
    _require_floating(input, "softshrink")
    return where(input.abs() <= lambd, 0.0, input - input.sign() * lambd)  # NaN stays NaN


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    return _activation(input, _hardsigmoid, inplace, "hardsigmoid")


def _hardsigmoid(x: Tensor) -> Tensor:
    return (x + 3.0).clamp(0.0, 6.0) / 6.0


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * hardsigmoid(x)."""
    return _activation(input, lambda t: t * _hardsigmoid(t), inplace, "hardswish")


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return _activation(input, lambda t: t * ew.Softplus.apply(t).tanh(), inplace, "mish")


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: ``input`` halved along ``dim`` into a and b, then
    a * sigmoid(b); ``dim``'s size must be even."""
    x = as_tensor(input)
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = x.shape[dim]  # raises IndexError for a dim out of range
    if size % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {dim % x.ndim} is size {size}"
        )
    a, b = x.split(size // 2, dim)
    return a * b.sigmoid()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) element-wise, without overflow."""
    return as_tensor(input).sigmoid()


def tanh(input: Tensor) -> Tensor:
    return as_tensor(input).tanh()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF (the erf form), or with ``approximate="tanh"``
    the tanh approximation that GPT-2 and BERT use."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")
    return ew.GELU.apply(as_tensor(input), approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) element-wise (also called swish)."""
    return _activation(input, ew.SiLU.apply, inplace, "silu")


# The softmax family takes PyTorch's arguments: ``dtype`` converts the input first (e.g. a
# float16 input summed in float32); ``_stacklevel`` is where the warning about a missing
# ``dim`` points.


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (stable for large inputs)."""
    x, dim = _softmax_input(input, dim, dtype, "softmax", _stacklevel)
    return x.softmax(dim)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``: the smallest values get the largest weights."""
    x, dim = _softmax_input(input, dim, dtype, "softmin", _stacklevel)
    return (-x).softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along ``dim``; pair it with ``nll_loss``."""
    x, dim = _softmax_input(input, dim, dtype, "log_softmax", _stacklevel)
    return x.log_softmax(dim)


def _softmax_input(input: Any, dim: int | None, dtype: Any, name: str,
                   stacklevel: int) -> tuple[Tensor, int]:
    """The input as a Tensor of ``dtype`` (if given), and ``dim``, or for None PyTorch's old
    implicit choice (dimension 0 of a 0-, 1- or 3-d input, else 1) with its deprecation
    warning."""
    x = as_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    if dim is None:
        dim = 0 if x.ndim in (0, 1, 3) else 1
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      f"call to include dim=X as an argument.", UserWarning,
                      stacklevel=stacklevel)
    return x, dim


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias as one graph node; ``weight`` is (out_features, in_features) and
    x may have any number of leading dimensions (..., in_features)."""
    if bias is None:  # PyTorch records a product of matrices as a plain one, MmBackward0
        input = as_tensor(input)
        return (fused.Linear.named("MmBackward0") if input.ndim == 2 else fused.Linear).apply(
            input, weight)
    return fused.Linear.apply(as_tensor(input), weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p) (inverted
    dropout), so the expected value is unchanged; the identity (``input`` itself) when not
    ``training``. ``inplace=True`` writes the result into ``input``."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return as_tensor(input)
    return _activation(input, lambda t: fused.Dropout.apply(t, p=p), inplace, "dropout")


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """Class indices of any shape as one-hot rows: an int64 tensor of shape
    (*tensor.shape, num_classes), as in PyTorch. ``num_classes=-1`` means the largest index
    plus one."""
    labels = tensor._data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"one_hot expected integer labels, got dtype {labels.dtype}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"num_classes must be an int, got {type(num_classes).__name__}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot expected labels >= 0, got {labels.min()}")
    largest = int(labels.max()) if labels.size else -1
    if num_classes == -1:
        num_classes = largest + 1
    elif num_classes < 1:
        raise ValueError(f"num_classes must be >= 1 (or -1), got {num_classes}")
    elif largest >= num_classes:
        raise ValueError(
            f"one_hot got label {largest}, out of range for num_classes={num_classes} "
            f"(expected labels in 0..{num_classes - 1})"
        )
    encoded = np.zeros((*labels.shape, num_classes), dtype=int64)
    np.put_along_axis(encoded, labels[..., None].astype(np.intp), 1, axis=-1)
    return Tensor._make(encoded, False)


# ----- losses ---------------------------------------------------------------------------------
#
# Each loss checks its target before computing anything (see nn/_checks.py). Targets may be
# Tensors, NumPy arrays or lists, and are converted to the prediction's dtype (float64 labels
# do not turn a float32 model's loss into float64). ``reduction`` is "mean" (the default),
# "sum" or "none" (one loss per element or sample).


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy of logits ``input`` against ``target``, as ``F.cross_entropy``.

    ``input`` is (N, C), one sample (C,), or (N, C, d1, ...) with the classes in dimension 1.
    ``target`` holds class indices (the input's shape without C; integer-valued floats are
    accepted) or class probabilities (the input's shape, e.g. one-hot rows).

    ``weight`` (C,) scales each class's loss; for class indices the mean then divides by the
    total weight of the targets. Targets equal to ``ignore_index`` add nothing and are not
    counted; a mean over nothing (an empty batch, or every target ignored) is NaN with a zero
    gradient, as in PyTorch. ``label_smoothing`` e mixes the target with the uniform
    distribution: (1 - e) target + e / C. One fused graph node; raises ValueError for an
    out-of-range class, a wrong shape, a batch-size mismatch, NaN in the target or the
    logits, or fractional class indices.
    """
    name = "cross_entropy"
    reduction = _checks.reduction_argument(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    logits = as_tensor(input)
    rows = _checks.class_rows(logits, name, "logits")
    num_classes = rows.shape[1]
    target = _checks.classification_target(target, logits, name, probabilities_allowed=True)
    class_weight = _checks.class_weight(weight, num_classes, rows.dtype, name)
    if isinstance(target, Tensor):  # class probabilities
        target = _checks.class_rows(target, name, "target")
        if label_smoothing:
            target = target * (1.0 - label_smoothing) + label_smoothing / num_classes
        if class_weight is not None:
            target = target * Tensor._make(class_weight, False)
        loss = fused.CrossEntropy.apply(rows, target, reduction=reduction)
        return _per_prediction_shape(loss, logits.shape, reduction)
    indices, options = _index_target(target, rows, class_weight, ignore_index, name)
    if label_smoothing:
        options["label_smoothing"] = label_smoothing
    loss = fused.CrossEntropy.apply(rows, indices, reduction=reduction, **options)
    return _per_prediction_shape(loss, logits.shape, reduction)


cross_entropy_loss = cross_entropy  # the name in the MiniTorch blog post


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood, as ``F.nll_loss``: -input[i, target[i]] for class indices
    ``target``, where ``input`` (N, C) (or (C,), or (N, C, d1, ...)) usually comes from
    ``log_softmax``. ``weight`` and ``ignore_index`` work as in :func:`cross_entropy`."""
    name = "nll_loss"
    reduction = _checks.reduction_argument(reduction, size_average, reduce)
    log_probs = as_tensor(input)
    rows = _checks.class_rows(log_probs, name, "log-probabilities")
    target = _checks.classification_target(target, log_probs, name, probabilities_allowed=False)
    class_weight = _checks.class_weight(weight, rows.shape[1], rows.dtype, name)
    indices, options = _index_target(target, rows, class_weight, ignore_index, name)
    loss = fused.NegativeLogLikelihood.apply(rows, indices, reduction=reduction, **options)
    # A mean over no counted target is NaN whatever the input (as in PyTorch); only a NaN
    # that comes from the input is refused.
    if np.isnan(loss._data).any() and not (reduction == "mean" and _nothing_counted(rows, options)):
        _checks.check_no_nan(loss._data, name, "the input")
    return _per_prediction_shape(loss, log_probs.shape, reduction)


def mse_loss(input: Tensor, target: Any, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean", weight: Any = None) -> Tensor:
    """Squared error (input - target)**2, averaged by default. The target must have the
    input's shape (no broadcasting, which would usually hide a bug)."""
    reduction = _checks.reduction_argument(reduction, size_average, reduce)
    input = as_tensor(input)
    target = _checks.float_target(target, input, "mse_loss")
    if weight is None:
        return _fused_loss(fused.MeanSquaredError, input, target, reduction, "mse_loss")
    diff = input - target
    return _weighted(diff * diff, weight, reduction, "mse_loss", mean_per_weight=True)


def l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean", weight: Any = None) -> Tensor:
    """Absolute error |input - target|, averaged by default; the target has the input's
    shape."""
    reduction = _checks.reduction_argument(reduction, size_average, reduce)
    input = as_tensor(input)
    diff = input - _checks.float_target(target, input, "l1_loss")
    return _weighted(diff.abs(), weight, reduction, "l1_loss", mean_per_weight=True)


def _weighted(losses: Tensor, weight: Any, reduction: str, name: str,
              mean_per_weight: bool) -> Tensor:
    """Element-wise ``losses``, times ``weight`` (of the input's shape) where given, reduced.
    As in PyTorch, the weighted mean divides by the total weight for ``mse_loss`` and
    ``l1_loss`` (``mean_per_weight``) and by the number of elements for ``huber_loss``."""
    if weight is None:
        return _reduce(losses, reduction, name)
    weight = as_tensor(weight).astype(losses.dtype)
    if weight.shape != losses.shape:
        raise ValueError(f"{name}: expected weights of the input's shape {losses.shape}, got "
                         f"shape {weight.shape}")
    losses = losses * weight
    if reduction == "mean" and mean_per_weight:
        return _reduce(losses, "sum", name) / weight.sum()
    return _reduce(losses, reduction, name)


def _huber(diff: Tensor, delta: float) -> Tensor:
    """0.5 d**2 where |d| < delta, else delta (|d| - 0.5 delta): quadratic near zero, linear
    beyond, with matching slopes at |d| = delta."""
    size = diff.abs()
    return where(size < delta, 0.5 * diff * diff, delta * (size - 0.5 * delta))


def smooth_l1_loss(
    input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None,
    reduction: str = "mean", beta: float = 1.0,
) -> Tensor:
    """The Huber loss divided by ``beta``: 0.5 d**2 / beta where |d| < beta, else
    |d| - 0.5 beta, for d = input - target; ``beta=0`` is the L1 loss."""
    name = "smooth_l1_loss"
    reduction = _checks.reduction_argument(reduction, size_average, reduce)
    _checks.check_positive(beta, name, "beta", zero_allowed=True)
    input = as_tensor(input)
    diff = input - _checks.float_target(target, input, name)
    losses = _huber(diff, beta) / beta if beta > 0 else diff.abs()
    return _reduce(losses, reduction, name)


def huber_loss(
    input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0, weight: Any = None
) -> Tensor:
    """0.5 d**2 where |d| < ``delta``, else delta (|d| - 0.5 delta), for d = input - target
    (``delta`` > 0): squared error for small errors, absolute error for outliers."""
    name = "huber_loss"
    _checks.check_reduction(reduction)
    _checks.check_positive(delta, name, "delta")
    input = as_tensor(input)
    diff = input - _checks.float_target(target, input, name)
    return _weighted(_huber(diff, delta), weight, reduction, name, mean_per_weight=False)


KL_REDUCTIONS = (*fused.REDUCTIONS, "batchmean")


def kl_div(
    input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None,
    reduction: str = "mean", log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence of the distribution ``input`` (log-probabilities) from
    ``target`` (probabilities, or log-probabilities with ``log_target``), element-wise
    t (log t - input), 0 where t = 0.

    ``reduction="batchmean"`` (the sum over the batch's first dimension divided by its size)
    is the KL divergence per sample; ``"mean"`` divides by the number of elements instead,
    and warns about it as PyTorch does.
    """
    name = "kl_div"
    reduction = _checks.reduction_argument(reduction, size_average, reduce, KL_REDUCTIONS)
    if reduction == "mean":
        warnings.warn(
            "kl_div: reduction='mean' divides the summed loss by the number of elements; "
            "reduction='batchmean' divides by the batch size, which is the KL divergence per "
            "sample", UserWarning, stacklevel=2)
    input = as_tensor(input)
    target = _checks.float_target(target, input, name)
    if log_target:
        losses = target.exp() * (target - input)
    else:  # log(1) in place of log(0), so that an absent class adds 0 (not 0 * -inf = NaN)
        losses = target * (where(target == 0, 1.0, target).log() - input)
    if reduction != "batchmean":
        return _reduce(losses, reduction, name)
    batch = input.shape[0] if input.ndim else 1
    return _reduce(losses, "sum", name) / batch


def soft_margin_loss(input: Tensor, target: Any, size_average: bool | None = None,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input)) for labels ``target`` of 1 or -1, the logistic loss,
    computed without overflow."""
    name = "soft_margin_loss"
    reduction = _checks.reduction_argument(reduction, size_average, reduce)
    input = as_tensor(input)
    margin = -_checks.float_target(target, input, name) * input
    return _reduce(_softplus(margin), reduction, name)


def _softplus(x: Tensor) -> Tensor:
    """log(1 + e^x) exactly (no threshold), stable for large |x|: the losses' form of
    :func:`softplus`."""
    return ew.Softplus.apply(x, threshold=np.inf)


def _rescaled(losses: Tensor, weight: Any, name: str) -> Tensor:
    """Element-wise ``losses`` times ``weight`` (broadcast to their shape), if given."""
    if weight is None:
        return losses
    array = _checks.numeric_array(weight, name, "weight")
    try:
        np.broadcast_shapes(array.shape, losses.shape)
    except ValueError:
        raise ValueError(
            f"{name}: weight of shape {array.shape} does not broadcast to the input's shape "
            f"{losses.shape}"
        ) from None
    return losses * as_tensor(weight).astype(losses.dtype)


def binary_cross_entropy(
    input: Tensor, target: Any, weight: Any = None, size_average: bool | None = None,
    reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) for probabilities ``input`` in [0, 1], each log
    clamped at -100 as in PyTorch, times ``weight`` (broadcast) if given. Prefer
    ``binary_cross_entropy_with_logits`` on raw scores: it is more accurate near 0 and 1."""
    name = "binary_cross_entropy"
    reduction = _checks.reduction_argument(reduction, size_average, reduce)
    input = as_tensor(input)
    target = _checks.float_target(target, input, name)
    outside = np.flatnonzero(~((input._data >= 0) & (input._data <= 1)))
    if outside.size:
        value = input._data.flat[outside[0]]
        raise ValueError(
            f"{name}: expected input probabilities in [0, 1], got {value} "
            "(use binary_cross_entropy_with_logits for raw scores)"
        )
    if weight is None:
        return _fused_loss(fused.BinaryCrossEntropy, input, target, reduction, name)
    losses = _rescaled(fused.BinaryCrossEntropy.apply(input, target), weight, name)
    return _reduce(losses, reduction, name)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Any = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy of sigmoid(``input``) against ``target``, computed from the raw
    scores in one stable step (no overflow, no log(0)). ``pos_weight`` (broadcast along the
    last dimension, one per class) scales the loss of positive targets, ``weight`` the loss
    of each element."""
    name = "binary_cross_entropy_with_logits"
    reduction = _checks.reduction_argument(reduction, size_average, reduce)
    input = as_tensor(input)
    target = _checks.float_target(target, input, name)
    if weight is None and pos_weight is None:
        return _fused_loss(fused.BinaryCrossEntropyWithLogits, input, target, reduction, name)
    losses = fused.BinaryCrossEntropyWithLogits.apply(input, target)
    if pos_weight is not None:
        positive = _checks.numeric_array(pos_weight, name, "pos_weight").astype(input.dtype)
        _checks.check_no_nan(positive, name, "pos_weight")
        try:
            np.broadcast_shapes(positive.shape, input.shape)
        except ValueError:
            raise ValueError(
                f"{name}: pos_weight of shape {positive.shape} does not broadcast to the "
                f"input's shape {input.shape}"
            ) from None
        # l = (1 - t) x + (1 + (q - 1) t) softplus(-x): the plain loss plus (q - 1) times the
        # positive targets' term t softplus(-x), with softplus(-x) = relu(-x) + log(1 + e^-|x|).
        losses = losses + Tensor._make(positive - 1, False) * target * _softplus(-input)
    return _reduce(_rescaled(losses, weight, name), reduction, name)


def _index_target(
    target: np.ndarray,
    rows: Tensor,
    class_weight: np.ndarray | None,
    ignore_index: int,
    name: str,
) -> tuple[Tensor, dict[str, Any]]:
    """Class-index targets for ``rows`` (M, C), checked, as a Tensor, and the options of the
    fused loss that say how to weigh them: ``class_weight`` and ``keep`` (which count)."""
    indices, keep = _checks.class_indices(target, rows.shape[1], name, ignore_index)
    options: dict[str, Any] = {}
    if class_weight is not None:
        options["class_weight"] = class_weight
    if keep is not None:
        options["keep"] = keep.astype(rows.dtype)
    return Tensor._make(indices, False), options


def _nothing_counted(rows: Tensor, options: dict[str, Any]) -> bool:
    """Whether no row of a class-index loss counts towards its mean: the batch is empty or
    every target is ignored."""
    return rows.shape[0] == 0 or ("keep" in options and not options["keep"].any())


def _per_prediction_shape(loss: Tensor, input_shape: tuple[int, ...], reduction: str) -> Tensor:
    """A "none" loss, one value per row, back in the shape of the target's indices."""
    if reduction != "none" or len(input_shape) == 2:
        return loss
    return loss.reshape(_checks.index_shape(input_shape))


def _fused_loss(loss: type[Function], input: Tensor, target: Tensor, reduction: str,
                name: str) -> Tensor:
    """An element-wise loss reduced inside its own node, as PyTorch records it; a NaN result
    means a NaN input."""
    if reduction == "mean" and input._data.size == 0:
        raise ValueError(f"{name}: the mean loss of an empty input is undefined")
    losses = loss.apply(input, target, reduction=reduction)
    _checks.check_no_nan(losses._data, name, "the input")
    return losses


def _reduce(losses: Tensor, reduction: str, name: str) -> Tensor:
    """Apply ``reduction`` to element-wise losses; a NaN result means a NaN input."""
    if reduction == "mean":
        if losses._data.size == 0:
            raise ValueError(f"{name}: the mean loss of an empty input is undefined")
        losses = losses.mean()
    elif reduction == "sum":
        losses = losses.sum()
    _checks.check_no_nan(losses._data, name, "the input")
    return losses


# ----- sequences: embeddings, layer norm, attention -----------------------------------------


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """The rows of ``weight`` (num_embeddings, embedding_dim) picked by the integer ids in
    ``input`` (any shape): the result has shape ``input.shape + (embedding_dim,)``. The row
    ``padding_idx``, if given, receives no gradient.

    With ``max_norm``, each looked-up row whose ``norm_type``-norm exceeds it is first scaled
    down to that norm, in ``weight`` itself (as PyTorch does, outside the graph). With
    ``scale_grad_by_freq``, each row's gradient is divided by how often its id occurs in
    ``input``."""
    if weight.ndim != 2:
        raise ValueError(f"embedding weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {weight.shape}")
    vocabulary = weight.shape[0]
    ids = _checks.token_ids(input, vocabulary)
    if padding_idx is not None:
        padding_idx = _checks.padding_index(padding_idx, vocabulary)
    _checks.dense_gradients(sparse, "embedding")
    if max_norm is not None:
        _renormalize_rows(weight, np.unique(ids), max_norm, norm_type)
    return sequence_ops.Embedding.apply(weight, ids=ids, padding_idx=padding_idx,
                                        scale_by_frequency=scale_grad_by_freq)


def _renormalize_rows(weight: Tensor, rows: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale the ``rows`` of ``weight`` whose norm exceeds ``max_norm`` down to it, in place
    and unrecorded (PyTorch's ``embedding_renorm_``, with its 1e-7 guard)."""
    norms = np.linalg.norm(weight._data[rows], ord=norm_type, axis=1)
    too_long = norms > max_norm
    if too_long.any():
        scale = (max_norm / (norms[too_long] + 1e-7)).astype(weight.dtype)
        with no_grad():
            weight[rows[too_long]] = weight._data[rows[too_long]] * scale[:, None]


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise ``input`` over its last dimensions, ``normalized_shape``, to zero mean and
    unit (biased) variance per position, then scale by ``weight`` and shift by ``bias`` (of
    that shape; None means 1 and 0)."""
    x = as_tensor(input)
    shape = _checks.shape_tuple(normalized_shape)
    if x.shape[x.ndim - len(shape):] != shape or x.ndim < len(shape):
        raise ValueError(
            f"layer_norm over normalized_shape {shape} expected input of shape (*, "
            f"{', '.join(map(str, shape))}), got shape {x.shape}"
        )
    if x.dtype.kind != "f":
        raise TypeError(f"layer_norm needs a floating point input, got {x.dtype}")
    if weight is None:
        weight = Tensor._make(np.ones(shape, dtype=x.dtype), False)
    if bias is None:
        bias = Tensor._make(np.zeros(shape, dtype=x.dtype), False)
    for name, param in (("weight", weight), ("bias", bias)):
        if param.shape != shape:
            raise ValueError(f"layer_norm {name} has shape {param.shape}, expected {shape}")
    return sequence_ops.LayerNorm.apply(x, weight, bias, normalized_ndim=len(shape), eps=eps)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
) -> Tensor:
    """softmax(query @ key^T * scale + mask) @ value, over query (..., L, E), key (..., S, E)
    and value (..., S, Ev), giving (..., L, Ev); leading dimensions broadcast.

    ``attn_mask`` (broadcastable to (..., L, S)) is either boolean, True where a query may
    attend to a key, or floating, added to the scores. ``is_causal`` lets query i see keys
    0..i only (do not pass both). ``scale`` defaults to 1 / sqrt(E). ``dropout_p`` drops
    attention weights with that probability, always: pass 0 in evaluation, as in PyTorch.
    """
    query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
    for name, tensor in (("query", query), ("key", key), ("value", value)):
        if tensor.ndim < 2:
            raise ValueError(f"attention {name} must have shape (..., length, features), got "
                             f"shape {tensor.shape}")
        if tensor.dtype.kind != "f":
            raise TypeError(f"attention {name} must be floating point, got {tensor.dtype}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"attention expected query (..., L, E), key (..., S, E) and value (..., S, Ev), got "
            f"shapes {query.shape}, {key.shape} and {value.shape}"
        )
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"dropout_p must be in [0, 1], got {dropout_p}")
    key, value = key.astype(query.dtype), value.astype(query.dtype)
    try:
        scores_shape = np.broadcast_shapes(query.shape[:-2], key.shape[:-2]) + (
            query.shape[-2], key.shape[-2])
    except ValueError:
        raise ValueError(f"attention query and key batch dimensions do not broadcast: shapes "
                         f"{query.shape} and {key.shape}") from None
    inputs, options = [query, key, value], {"is_causal": is_causal, "scale": scale}
    if attn_mask is not None:
        if is_causal:
            raise ValueError("pass attn_mask or is_causal=True, not both")
        mask = as_tensor(attn_mask)
        try:
            scores_shape = np.broadcast_shapes(mask.shape, scores_shape)
        except ValueError:
            raise ValueError(
                f"attn_mask of shape {mask.shape} does not broadcast to the attention scores' "
                f"shape {scores_shape} (..., L, S)"
            ) from None
        if mask.dtype.kind == "b":
            options["allowed"] = mask._data
        else:
            inputs.append(mask.astype(query.dtype))
    if dropout_p > 0:  # inverted dropout of the weights, drawn here so the node can be replayed
        options["keep"] = fused.dropout_mask(scores_shape, dropout_p, query.dtype)
    return sequence_ops.ScaledDotProductAttention.apply(*inputs, **options)


# ----- images: convolution, pooling, padding and batch norm ---------------------------------

IntOrPair = int | tuple[int, int]


def _image_batch(input: Any, name: str) -> tuple[Tensor, bool]:
    """``input`` as a batch of images (N, C, H, W), and whether it was a single image
    (C, H, W), which PyTorch's image functions accept too (the result then has no batch axis
    either)."""
    x = as_tensor(input)
    if x.ndim == 3:
        return x.unsqueeze(0), True
    if x.ndim != 4:
        raise ValueError(
            f"{name} expected input of shape (N, C, H, W) or (C, H, W), got shape {x.shape}"
        )
    return x, False


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair | str = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) of ``input`` (N, C, H, W) or
    (C, H, W) with ``weight`` (out_channels, C / groups, KH, KW), plus ``bias``
    (out_channels,).

    ``padding``: zeros on every side (an int or a (height, width) pair), ``'valid'`` (none)
    or ``'same'`` (the output keeps the input's size; stride 1 only; an odd total padding puts
    the extra row or column at the bottom or right, as PyTorch does). ``dilation``: the
    spacing of the kernel's taps. ``groups``: the channels split into that many independent
    convolutions, each of C / groups input and out_channels / groups output channels.
    """
    x, one_image = _image_batch(input, "conv2d")
    if weight.ndim != 4:
        raise ValueError(
            "conv2d expected a weight of shape (out_channels, in_channels / groups, KH, KW), "
            f"got shape {weight.shape}"
        )
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"groups must be a positive int, got {groups!r}")
    stride = image_ops.pair(stride, "stride", 1)
    dilation = image_ops.pair(dilation, "dilation", 1)
    sides = _checks.conv_padding(padding, weight.shape[2:], stride, dilation)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    out = image_ops.Conv2d.apply(*inputs, stride=stride, padding=sides, dilation=dilation,
                                 groups=int(groups))
    return out.squeeze(0) if one_image else out


def max_pool2d(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each ``kernel_size`` window of ``input`` (N, C, H, W) or (C, H, W).

    ``stride`` defaults to ``kernel_size`` (windows side by side). ``padding`` (at most half
    the kernel) adds -inf on every side, so it is never a maximum; ``dilation`` spaces the
    window's taps. The output has floor((H + 2 * padding - dilation * (kernel_size - 1) - 1)
    / stride) + 1 rows (and columns likewise), or with ``ceil_mode`` that rounded up, unless
    the last window would then start past the input and its left padding. A tied window's
    gradient goes to its first maximum in row-major order. ``return_indices``: also where each
    maximum is, as an int64 index into its flattened H * W plane (see ``max_unpool2d``).
    """
    x, one_image = _image_batch(input, "max_pool2d")
    kernel, step, pad = _checks.pool_arguments(kernel_size, stride, padding)
    spacing = image_ops.pair(dilation, "dilation", 1)
    out = image_ops.MaxPool2d.apply(x, kernel_size=kernel, stride=step, padding=pad,
                                    dilation=spacing, ceil_mode=bool(ceil_mode))
    if not return_indices:
        return out.squeeze(0) if one_image else out
    where = image_ops.max_pool_indices(x._data, kernel, step, pad, spacing, bool(ceil_mode))
    indices = Tensor._make(where, False)
    return (out.squeeze(0), indices.squeeze(0)) if one_image else (out, indices)


def max_unpool2d(
    input: Tensor,
    indices: Any,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of ``max_pool2d`` with ``return_indices``: zeros, with each value of
    ``input`` put back where its index into the H * W plane says, as PyTorch does.

    The output is (H_in - 1) * stride - 2 * padding + kernel_size high (and wide likewise), or
    ``output_size`` ((H, W) or (N, C, H, W), within a stride of that size; needed when the
    pooling dropped rows or columns). Each value's gradient is the output's gradient where
    the value was put.
    """
    x, one_image = _image_batch(input, "max_unpool2d")
    kernel = image_ops.pair(kernel_size, "kernel_size", 1)
    step = kernel if stride is None else image_ops.pair(stride, "stride", 1)
    pad = image_ops.pair(padding, "padding", 0)
    where = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    where = where[None] if one_image else where
    if where.dtype != np.int64 or where.shape != x.shape:
        raise ValueError(f"max_unpool2d expected int64 indices of the input's shape "
                         f"{tuple(x.shape)}, got {where.dtype} indices of shape {where.shape}")
    size = [(n - 1) * s - 2 * p + k for n, k, s, p in zip(x.shape[2:], kernel, step, pad)]
    if output_size is not None:
        wanted = tuple(output_size)[-2:] if len(output_size) == 4 else tuple(output_size)
        if len(wanted) != 2 or any(not size[d] - step[d] < wanted[d] < size[d] + step[d]
                                   for d in range(len(wanted))):
            raise ValueError(
                f"max_unpool2d output_size must be (H, W) or (N, C, H, W) with H strictly "
                f"between {size[0] - step[0]} and {size[0] + step[0]} and W between "
                f"{size[1] - step[1]} and {size[1] + step[1]}, got {output_size!r}"
            )
        size = list(wanted)
    height, width = size
    if where.size and (where.min() < 0 or where.max() >= height * width):
        bad = where.min() if where.min() < 0 else where.max()
        raise ValueError(f"max_unpool2d found index {bad}, outside the {height}x{width} output")
    n, c = x.shape[:2]
    zeros = Tensor._make(np.zeros((n, c, height * width), dtype=x.dtype), False)
    # Assigned, not added: windows that share a maximum put the same value there.
    put = (np.arange(n)[:, None, None, None], np.arange(c)[:, None, None], where)
    out = SetItem.apply(zeros, x, index=put).reshape(n, c, height, width)
    return out.squeeze(0) if one_image else out


def avg_pool2d(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each ``kernel_size`` window of ``input`` (N, C, H, W) or (C, H, W).

    ``stride`` defaults to ``kernel_size``; ``padding`` (at most half the kernel) adds zeros
    on every side; ``ceil_mode`` rounds the output size up as in ``max_pool2d``. Each sum is
    divided by the number of pixels its window covers: those of the input and, with
    ``count_include_pad``, those of the padding (never the part past the padding that
    ``ceil_mode`` reaches), or by ``divisor_override`` when given.
    """
    x, one_image = _image_batch(input, "avg_pool2d")
    kernel, step, pad = _checks.pool_arguments(kernel_size, stride, padding)
    if divisor_override is not None and (
        isinstance(divisor_override, bool)
        or not isinstance(divisor_override, (int, np.integer))
        or divisor_override == 0
    ):
        raise ValueError(f"divisor_override must be a nonzero int or None, got "
                         f"{divisor_override!r}")
    out = image_ops.AvgPool2d.apply(
        x, kernel_size=kernel, stride=step, padding=pad, ceil_mode=bool(ceil_mode),
        count_include_pad=bool(count_include_pad),
        divisor_override=None if divisor_override is None else int(divisor_override),
    )
    return out.squeeze(0) if one_image else out


def _adaptive_bins(size: int, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive pooling windows along an axis of ``size``: bin i covers
    [floor(i * size / bins), ceil((i + 1) * size / bins)), so neighbours may overlap."""
    i = np.arange(bins)
    return i * size // bins, -(-(i + 1) * size // bins)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """The mean of each of output_size = (OH, OW) windows that tile ``input`` (N, C, H, W)
    or (C, H, W), whatever its size: window (i, j) covers rows floor(i H / OH) to
    ceil((i + 1) H / OH) (and columns likewise). ``output_size`` is an int, or a pair whose
    None keeps that side. (1, 1), the global average pooling of classifiers, is the mean
    over H and W."""
    name = "adaptive_avg_pool2d"
    x, one_image = _image_batch(input, name)
    height, width = _checks.output_size_pair(output_size, x.shape[2:], name)
    if (height, width) == (1, 1):
        out = x.mean((2, 3), keepdim=True)
    else:
        # A window's mean is separable: rows averaged by A (OH, H), then columns by B (OW, W),
        # out = A x B^T, with A[i, r] = 1 / (rows in window i) inside window i, else 0.
        rows, columns = (_averaging_matrix(n, bins, x.dtype)
                         for n, bins in zip(x.shape[2:], (height, width), strict=True))
        out = rows @ x @ columns.T
    return out.squeeze(0) if one_image else out


def _averaging_matrix(size: int, bins: int, dtype: np.dtype) -> Tensor:
    starts, ends = _adaptive_bins(size, bins)
    positions = np.arange(size)
    inside = (positions >= starts[:, None]) & (positions < ends[:, None])
    return Tensor._make((inside / (ends - starts)[:, None]).astype(dtype), False)


def adaptive_max_pool2d(
    input: Tensor, output_size: Any, return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each window of :func:`adaptive_avg_pool2d`'s tiling; with
    ``return_indices`` also where each maximum is, as an int64 index into its H * W plane.
    A tied window's gradient goes to its first maximum in row-major order."""
    name = "adaptive_max_pool2d"
    x, one_image = _image_batch(input, name)
    height, width = _checks.output_size_pair(output_size, x.shape[2:], name)
    if 0 in x.shape[2:] and height * width:
        raise ValueError(f"{name}: cannot pool an empty image of shape {x.shape} into "
                         f"{(height, width)}")
    (row_starts, row_ends), (column_starts, column_ends) = (
        _adaptive_bins(n, bins) for n, bins in zip(x.shape[2:], (height, width), strict=True))
    # Each window's first maximum, as a flat index into the H * W plane; gathering those
    # values is differentiable (the gradient goes back to where each came from).
    n, c, _, plane_width = x.shape
    where_max = np.empty((n, c, height, width), dtype=np.int64)
    for i in range(height):
        for j in range(width):
            window = x._data[:, :, row_starts[i]:row_ends[i], column_starts[j]:column_ends[j]]
            r, col = np.unravel_index(window.reshape(n, c, -1).argmax(-1), window.shape[2:])
            where_max[:, :, i, j] = (row_starts[i] + r) * plane_width + column_starts[j] + col
    flat = x.reshape(n, c, -1)
    out = flat[np.arange(n)[:, None, None], np.arange(c)[:, None], where_max.reshape(n, c, -1)]
    out = out.reshape(n, c, height, width)
    indices = Tensor._make(where_max, False)
    if one_image:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: each (sample, channel) plane of ``input`` (N, C, H, W) is zeroed
    with probability ``p`` and the rest scaled by 1 / (1 - p); the identity when not
    ``training``. A 3-D input is read as PyTorch reads it, (N, C, L) with a warning (one
    mask value per sample and channel), not as one image. ``inplace`` is accepted for
    PyTorch's signature; the result is always a new tensor."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"dropout2d expected input of shape (N, C, H, W) (or (N, C, L)), got "
                         f"shape {x.shape}; use dropout for element-wise dropout")
    if x.ndim == 3:
        warnings.warn("dropout2d: a 3-D input is read as (N, C, L), as PyTorch reads it, and "
                      "each of its N * C rows is dropped whole; use dropout1d's semantics "
                      "knowingly", UserWarning, stacklevel=2)
    if not training or p == 0.0:
        return x
    mask = fused.dropout_mask((*x.shape[:2], *(1,) * (x.ndim - 2)), p, x.dtype)
    return x * Tensor._make(mask, False)


INTERPOLATE_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area",
                     "nearest-exact")


def interpolate(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial axes of ``input`` (N, C, L), (N, C, H, W) or (N, C, D, H, W) to
    ``size``, or by ``scale_factor`` (floor(n * scale_factor) pixels), with PyTorch's
    ``'nearest'`` rule: output pixel i copies input pixel floor(i * scale), where scale is
    1 / scale_factor, or input / output size when ``size`` is given or with
    ``recompute_scale_factor``. Only ``mode='nearest'`` is implemented."""
    x = as_tensor(input)
    if mode not in INTERPOLATE_MODES:
        raise NotImplementedError(f"interpolate mode must be one of {INTERPOLATE_MODES} (only "
                                  f"'nearest' is implemented), got {mode!r}")
    if mode != "nearest":
        raise NotImplementedError(f"interpolate implements only mode='nearest', got {mode!r}")
    if align_corners is not None:
        raise ValueError("align_corners can only be set with the interpolating modes "
                         "(linear, bilinear, bicubic, trilinear), not with mode='nearest'")
    if antialias:
        raise ValueError("antialias applies only to the bilinear and bicubic modes")
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"interpolate expected input of shape (N, C, L), (N, C, H, W) or "
                         f"(N, C, D, H, W), got shape {x.shape}")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"interpolate takes exactly one of size and scale_factor, got "
                         f"size={size!r} and scale_factor={scale_factor!r}")
    spatial = x.shape[2:]
    given = size if size is not None else scale_factor
    values = list(given) if isinstance(given, Sequence) else [given] * len(spatial)
    if len(values) != len(spatial):
        what = "size" if size is not None else "scale_factor"
        raise ValueError(f"interpolate {what} must have one value per spatial axis of the "
                         f"input of shape {x.shape} ({len(spatial)}), got {given!r}")
    if size is not None:
        out_sizes = [int(v) for v in values]
        scales = [np.float32(n / m) if m else np.float32(0) for n, m in zip(spatial, out_sizes)]
    else:
        out_sizes = [int(np.floor(n * float(f))) for n, f in zip(spatial, values)]
        scales = [np.float32(n / m) if recompute_scale_factor and m else np.float32(1 / f)
                  if f > 0 else np.float32(0) for n, m, f in zip(spatial, out_sizes, values)]
    if min(out_sizes) <= 0:
        raise ValueError(f"interpolate output sizes must be > 0, got {tuple(out_sizes)} for an "
                         f"input of shape {x.shape}")
    # PyTorch computes the source pixel in float32: floor(i * scale), at most the last pixel.
    sources = [np.minimum(np.floor(np.arange(m, dtype=np.float32) * scale).astype(np.intp), n - 1)
               for n, m, scale in zip(spatial, out_sizes, scales, strict=True)]
    return x[(slice(None), slice(None), *np.ix_(*sources))]


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """``input`` with values added around its last axes: ``pad`` is (left, right) for the
    last axis, then (top, bottom) for the one before, and so on, as in PyTorch. A negative
    amount crops instead (before any padding).

    ``mode``: ``'constant'`` (``value``, by default 0); ``'reflect'`` (mirrored about the
    edge, which is not repeated: less than the axis length); ``'replicate'`` (the edge value
    repeated); ``'circular'`` (wrapped around from the other end: at most the axis length).
    PyTorch pads only the last one to three axes of a 2-D to 5-D input in these three modes;
    here they pad any axes, as ``'constant'`` does.
    """
    x = as_tensor(input)
    amounts = tuple(pad)
    if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in amounts):
        raise TypeError(f"pad must be a sequence of ints, got {pad!r}")
    if len(amounts) % 2 or len(amounts) // 2 > x.ndim:
        raise ValueError(
            f"pad must have an even length of at most 2 * {x.ndim} (a pair for each of the "
            f"last axes of an input of shape {x.shape}), got {len(amounts)} values"
        )
    if mode not in PAD_MODES:
        raise ValueError(
            f"pad mode must be one of 'constant', 'reflect', 'replicate', 'circular', "
            f"got {mode!r}"
        )
    if mode != "constant" and value not in (None, 0):
        raise ValueError(f"pad mode {mode!r} takes no value, got value={value!r}")
    # (before, after) for every axis, the last of pad's pairs for the first padded axis.
    pairs = [(0, 0)] * (x.ndim - len(amounts) // 2) + [
        (int(amounts[i]), int(amounts[i + 1])) for i in range(len(amounts) - 2, -1, -2)]
    crop = tuple(slice(max(-before, 0), length - max(-after, 0))
                 for (before, after), length in zip(pairs, x.shape, strict=True))
    if any(c.start or c.stop != length for c, length in zip(crop, x.shape, strict=True)):
        if any(c.stop < c.start for c in crop):
            raise ValueError(f"pad {amounts} crops more than the input of shape {x.shape} has")
        x = x[crop]
    widths = tuple((max(before, 0), max(after, 0)) for before, after in pairs)
    padded = len(amounts) // 2  # PyTorch names its node by the mode and how many dimensions
    node = {"constant": "ConstantPadNdBackward0", "reflect": f"ReflectionPad{padded}DBackward0",
            "replicate": f"ReplicationPad{padded}DBackward0"}.get(mode)
    return (Pad if node is None else Pad.named(node)).apply(
        x, widths=widths, mode=mode, value=0.0 if value is None else value)


def batch_norm(
    input: Tensor,
    running_mean: Any,
    running_var: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) of ``input`` (N, C, ...) to zero mean and unit variance,
    then scale by ``weight`` and shift by ``bias`` (per channel; None means 1 and 0).

    ``training``: use this batch's statistics, and update ``running_mean`` and
    ``running_var`` (arrays or Tensors, or None) in place with ``momentum``, using the
    unbiased variance, as PyTorch does. Otherwise normalise with the running statistics.
    """
    x = as_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"batch_norm expected input of shape (N, C, ...), got shape {x.shape}")
    channels = x.shape[1]
    if weight is None:
        weight = Tensor._make(np.ones(channels, dtype=x.dtype), False)
    if bias is None:
        bias = Tensor._make(np.zeros(channels, dtype=x.dtype), False)
    stats = [s._data if isinstance(s, Tensor) else s for s in (running_mean, running_var)]
    for name, array in zip(("running_mean", "running_var"), stats, strict=True):
        if array is not None and np.shape(array) != (channels,):
            raise ValueError(
                f"batch_norm: {name} has shape {np.shape(array)}, expected ({channels},) for "
                f"an input with {channels} channels"
            )
    return image_ops.BatchNorm.apply(
        x, weight, bias, running_mean=stats[0], running_var=stats[1], training=training,
        momentum=momentum, eps=eps,
    )


# ----- distances and normalisation ------------------------------------------------------------


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 along ``dim`` (the two broadcast): each
    divided by its length (at least ``eps``), then their dot product."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    x1, x2 = x1.expand(shape), x2.expand(shape)
    unit1 = x1 / x1.norm(2, dim, keepdim=True).clamp_min(eps)
    unit2 = x2 / x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return (unit1 * unit2).sum(dim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``input`` divided by its ``p``-norm along ``dim`` (at least ``eps``)."""
    x = as_tensor(input)
    return x / x.norm(p, dim, keepdim=True).clamp_min(eps)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """The ``p``-norm of x1 - x2 + eps along the last dimension (the two broadcast)."""
    difference = as_tensor(x1) - as_tensor(x2) + eps
    return difference.norm(p, -1, keepdim)
