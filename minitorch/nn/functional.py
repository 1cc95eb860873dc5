"""Stateless forms of the layers and losses, with PyTorch's names and signatures:
``F.relu(x)``, ``F.linear(x, w, b)``, ``F.cross_entropy(logits, labels)``, ...

This module is the one place where every functional form is defined: activations, losses,
embeddings, layer norm and attention, convolution and pooling. The layers in
:mod:`minitorch.nn` are thin Modules that hold parameters and options and call these
functions; the checks of their arguments live in :mod:`minitorch.nn._checks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minitorch.dtypes import int64
from minitorch.nn import _checks
from minitorch.ops import elementwise as ew
from minitorch.ops import nn as fused
from minitorch.ops import sequence as sequence_ops
from minitorch.random import generator
from minitorch.tensor import Tensor, as_tensor


def relu(x: Tensor) -> Tensor:
    """max(x, 0) element-wise."""
    return as_tensor(x).relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return as_tensor(x).leaky_relu(negative_slope)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) element-wise, without overflow."""
    return as_tensor(x).sigmoid()


def tanh(x: Tensor) -> Tensor:
    return as_tensor(x).tanh()


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF (the erf form), or with ``approximate="tanh"``
    the tanh approximation that GPT-2 and BERT use."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")
    return ew.GELU.apply(as_tensor(x), approximate=approximate)


def silu(x: Tensor) -> Tensor:
    """x * sigmoid(x) element-wise (also called swish)."""
    return ew.SiLU.apply(as_tensor(x))


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (stable for large inputs)."""
    return as_tensor(x).softmax(dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """x - logsumexp(x) along ``dim``; pair it with ``nll_loss``."""
    return as_tensor(x).log_softmax(dim)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias as one graph node; ``weight`` is (out_features, in_features) and
    x may have any number of leading dimensions (..., in_features)."""
    if bias is None:
        return fused.Linear.apply(as_tensor(x), weight)
    return fused.Linear.apply(as_tensor(x), weight, bias)


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p) (inverted
    dropout), so the expected value is unchanged; the identity when not ``training``.
    ``inplace`` is accepted for PyTorch's signature; the result is always a new tensor."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return as_tensor(x)
    return fused.Dropout.apply(as_tensor(x), p=p)


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
    _checks.check_reduction(reduction)
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
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood, as ``F.nll_loss``: -input[i, target[i]] for class indices
    ``target``, where ``input`` (N, C) (or (C,), or (N, C, d1, ...)) usually comes from
    ``log_softmax``. ``weight`` and ``ignore_index`` work as in :func:`cross_entropy`."""
    name = "nll_loss"
    _checks.check_reduction(reduction)
    log_probs = as_tensor(input)
    rows = _checks.class_rows(log_probs, name, "log-probabilities")
    target = _checks.classification_target(target, log_probs, name, probabilities_allowed=False)
    class_weight = _checks.class_weight(weight, rows.shape[1], rows.dtype, name)
    indices, options = _index_target(target, rows, class_weight, ignore_index, name)
    loss = fused.NegativeLogLikelihood.apply(rows, indices, reduction=reduction, **options)
    _checks.check_no_nan(loss._data, name, "the input")
    return _per_prediction_shape(loss, log_probs.shape, reduction)


def mse_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """Squared error (input - target)**2, averaged by default. The target must have the
    input's shape (no broadcasting, which would usually hide a bug)."""
    _checks.check_reduction(reduction)
    input = as_tensor(input)
    diff = input - _checks.float_target(target, input, "mse_loss")
    return _reduce(diff * diff, reduction, "mse_loss")


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
    input: Tensor, target: Any, weight: Any = None, *, reduction: str = "mean"
) -> Tensor:
    """-(t log p + (1 - t) log(1 - p)) for probabilities ``input`` in [0, 1], each log
    clamped at -100 as in PyTorch, times ``weight`` (broadcast) if given. Prefer
    ``binary_cross_entropy_with_logits`` on raw scores: it is more accurate near 0 and 1."""
    name = "binary_cross_entropy"
    _checks.check_reduction(reduction)
    input = as_tensor(input)
    target = _checks.float_target(target, input, name)
    outside = np.flatnonzero(~((input._data >= 0) & (input._data <= 1)))
    if outside.size:
        value = input._data.flat[outside[0]]
        raise ValueError(
            f"{name}: expected input probabilities in [0, 1], got {value} "
            "(use binary_cross_entropy_with_logits for raw scores)"
        )
    losses = _rescaled(fused.BinaryCrossEntropy.apply(input, target), weight, name)
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
    _checks.check_reduction(reduction)
    input = as_tensor(input)
    target = _checks.float_target(target, input, name)
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
        softplus_neg = (-input).relu() + ((-input.abs()).exp() + 1.0).log()
        losses = losses + Tensor._make(positive - 1, False) * target * softplus_neg
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


def _per_prediction_shape(loss: Tensor, input_shape: tuple[int, ...], reduction: str) -> Tensor:
    """A "none" loss, one value per row, back in the shape of the target's indices."""
    if reduction != "none" or len(input_shape) == 2:
        return loss
    return loss.reshape(_checks.index_shape(input_shape))


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


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """The rows of ``weight`` (num_embeddings, embedding_dim) picked by the integer ids in
    ``input`` (any shape): the result has shape ``input.shape + (embedding_dim,)``. The row
    ``padding_idx``, if given, receives no gradient."""
    if weight.ndim != 2:
        raise ValueError(f"embedding weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {weight.shape}")
    vocabulary = weight.shape[0]
    ids = _checks.token_ids(input, vocabulary)
    if padding_idx is not None:
        padding_idx = _checks.padding_index(padding_idx, vocabulary)
    return sequence_ops.Embedding.apply(weight, ids=ids, padding_idx=padding_idx)


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
        factor = 0.0 if dropout_p >= 1 else 1 / (1 - dropout_p)
        keep = generator().random(scores_shape, dtype=np.float32) >= dropout_p
        options["keep"] = keep * query.dtype.type(factor)
    return sequence_ops.ScaledDotProductAttention.apply(*inputs, **options)


# Images: convolution, pooling and batch norm (defined beside their layers).
from minitorch.nn.conv import avg_pool2d, batch_norm, conv2d, max_pool2d  # noqa: E402, F401
