"""Stateless forms of the layers and losses, with PyTorch's names and signatures:
``F.relu(x)``, ``F.linear(x, w, b)``, ``F.cross_entropy(logits, labels)``, ...

This module is the one place to find every functional form: the simple ones are defined here,
and those that belong with a layer (losses, convolution, pooling, batch norm) are defined
beside it and imported here. The layers in :mod:`minitorch.nn` call these functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.dtypes import int64
from minitorch.nn.losses import (  # noqa: F401  (re-exported)
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_loss,
    mse_loss,
    nll_loss,
)
from minitorch.ops import elementwise as ew
from minitorch.ops import nn as fused
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


# Images: convolution, pooling and batch norm (defined beside their layers).
from minitorch.nn.conv import avg_pool2d, batch_norm, conv2d, max_pool2d  # noqa: E402, F401

# Sequences: embeddings, layer norm and attention (defined beside their layers).
from minitorch.nn.sequence import (  # noqa: E402, F401
    embedding,
    layer_norm,
    scaled_dot_product_attention,
)
