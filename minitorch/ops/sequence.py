"""The layers of sequence models, each one graph node: looking up token embeddings,
normalising each position's features, and scaled dot-product attention.

A Transformer step runs these a few dozen times on small arrays, so fusing each into one
Function (instead of a chain of element-wise ops) saves both the Python overhead of every
extra node and the temporaries it would keep for backward.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from minitorch.autograd import Function
from minitorch.ops.generic import where
from minitorch.ops.reductions import max_keepdims, sum_along

# Above this many (vocabulary x lookups) entries the embedding gradient is summed by sorting
# the ids instead of multiplying by a one-hot matrix (which would then be too large).
ONE_HOT_LIMIT = 1 << 20


class Embedding(Function):
    """y[..., :] = W[ids[...], :]: a row of the table W (V, D) for every id.

    Each row's gradient is the sum of the gradients of the positions that looked it up:
    dL/dW[v] = sum over {i : ids_i = v} of g_i; the row ``padding_idx`` (if any) gets none.
    ``scale_by_frequency`` divides that sum by the number n_v of such positions.
    """

    node_name = "EmbeddingBackward0"

    @staticmethod
    def composite(weight: Any, ids: np.ndarray | None = None,
                  padding_idx: int | None = None, scale_by_frequency: bool = False) -> Any:
        """Indexing, with the padding row cut from the graph (for create_graph)."""
        if padding_idx is not None:
            padding_row = np.arange(weight.shape[0])[:, None] == padding_idx
            weight = where(padding_row, weight.detach(), weight)
        rows = weight[ids]
        if not scale_by_frequency:
            return rows
        # rows * s + (rows * (1 - s)).detach(): the same values, each position's gradient
        # times s = 1 / n_v, so that the row's summed gradient is divided by n_v
        share = (1.0 / np.bincount(ids.reshape(-1))[ids])[..., None].astype(rows.dtype)
        return rows * share + (rows * (1.0 - share)).detach()

    def forward(self, weight: np.ndarray, ids: np.ndarray | None = None,
                padding_idx: int | None = None, scale_by_frequency: bool = False) -> np.ndarray:
        self.ids, self.vocabulary, self.padding_idx = ids, weight.shape[0], padding_idx
        self.scale_by_frequency = scale_by_frequency
        return weight[ids]

    def backward(self, grad: np.ndarray) -> np.ndarray:
        ids = self.ids.reshape(-1)
        grad_rows = grad.reshape(ids.size, -1)
        vocabulary = self.vocabulary
        if vocabulary * ids.size <= ONE_HOT_LIMIT:
            # one_hot.T @ grad_rows adds up each id's rows in one BLAS call: with a small
            # vocabulary this is several times faster than np.add.at.
            one_hot = np.zeros((vocabulary, ids.size), dtype=grad.dtype)
            one_hot[ids, np.arange(ids.size)] = 1
            grad_weight = one_hot @ grad_rows
        else:
            order = np.argsort(ids, kind="stable")
            sorted_ids = ids[order]
            starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
            grad_weight = np.zeros((vocabulary, grad_rows.shape[1]), dtype=grad.dtype)
            grad_weight[sorted_ids[starts]] = np.add.reduceat(grad_rows[order], starts, axis=0)
        if self.padding_idx is not None:
            grad_weight[self.padding_idx] = 0
        if self.scale_by_frequency:
            counts = np.bincount(ids, minlength=vocabulary)
            grad_weight /= np.maximum(counts, 1)[:, None].astype(grad_weight.dtype)
        return grad_weight


class LayerNorm(Function):
    """Layer normalisation over the last ``normalized_ndim`` axes of x: for each position,

        y = (x - mean) / sqrt(var + eps) * weight + bias,

    with mean and (biased) var over those D values, and weight, bias of their shape. With
    x_hat = (x - mean) / sqrt(var + eps), g = dL/dy and h = g * weight:

        dL/dweight = sum over positions of g * x_hat,   dL/dbias = sum over positions of g,
        dL/dx = (h - mean(h) - x_hat * mean(h * x_hat)) / sqrt(var + eps),

    the means taken over the D values of each position (the chain rule through mean and var).
    """

    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def composite(x: Any, weight: Any, bias: Any, normalized_ndim: int = 1,
                  eps: float = 1e-5) -> Any:
        """The formula above step by step (for create_graph)."""
        axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
        centered = x - x.mean(axes, keepdim=True)
        variance = (centered * centered).mean(axes, keepdim=True)
        return centered / (variance + eps) ** 0.5 * weight + bias

    def forward(self, x: np.ndarray, weight: np.ndarray, bias: np.ndarray,
                normalized_ndim: int = 1, eps: float = 1e-5) -> np.ndarray:
        features = int(np.prod(x.shape[x.ndim - normalized_ndim:]))
        rows = x.reshape(-1, features)
        x_hat = rows - rows.mean(axis=1, keepdims=True)
        variance = np.einsum("ij,ij->i", x_hat, x_hat)[:, None] / features
        self.inv_std = 1 / np.sqrt(variance + eps)
        x_hat *= self.inv_std  # in place, here and below: one fresh array per result
        self.x_hat, self.weight = x_hat, weight.reshape(-1)
        out = x_hat * self.weight
        out += bias.reshape(-1)
        return out.reshape(x.shape)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        x_hat = self.x_hat
        grad_rows = grad.reshape(x_hat.shape)
        need_x, need_weight, need_bias = self.needs_input_grad
        weight_shape = self.parents[1].shape
        grad_weight = grad_bias = grad_x = None
        if need_weight:
            grad_weight = np.einsum("ij,ij->j", grad_rows, x_hat).reshape(weight_shape)
        if need_bias:
            grad_bias = grad_rows.sum(axis=0).reshape(weight_shape)
        if need_x:
            features = x_hat.shape[1]
            grad_x = grad_rows * self.weight  # h
            mean_h_x_hat = np.einsum("ij,ij->i", grad_x, x_hat)[:, None] / features
            grad_x -= sum_along(grad_x, 1) / features
            grad_x -= x_hat * mean_h_x_hat
            grad_x *= self.inv_std
            grad_x = grad_x.reshape(grad.shape)
        return grad_x, grad_weight, grad_bias


@functools.lru_cache(maxsize=16)
def causal_bias(queries: int, keys: int, dtype: np.dtype) -> np.ndarray:
    """An additive mask (queries, keys): 0 where key j <= query i, -inf above the diagonal
    (the lower-triangular alignment PyTorch uses). Cached and read-only."""
    bias = np.triu(np.full((queries, keys), -np.inf, dtype=dtype), k=1)
    bias.flags.writeable = False
    return bias


class ScaledDotProductAttention(Function):
    """Attention of queries Q (..., L, E) over keys K (..., S, E) and values V (..., S, Ev):

        S = Q @ K^T * scale + M,    P = softmax(S) over the keys,    out = (P D) @ V,

    where M is the mask: -inf where ``allowed`` (boolean, constant) is False or above the
    diagonal with ``is_causal``, plus the values of a float mask ``bias`` (an input, which
    may be learned); D is the dropout's keep/(1 - p) factors ``keep`` (drawn by the caller,
    so the node can be replayed), or 1. With G = dL/dout:

        dL/dV = (P D)^T @ G,    dL/dP = (G @ V^T) D,    dL/dS = P (dL/dP - sum_keys(dL/dP P)),
        dL/dQ = dL/dS @ K * scale,    dL/dK = dL/dS^T @ Q * scale,    dL/dM = dL/dS.

    Leading (batch, head) axes broadcast; the engine sums gradients back over them.
    """

    @staticmethod
    def composite(query: Any, key: Any, value: Any, bias: Any = None,
                  allowed: np.ndarray | None = None, is_causal: bool = False,
                  keep: np.ndarray | None = None, scale: float | None = None) -> Any:
        """The formula above step by step, with softmax as its own op (for create_graph)."""
        scale = 1 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
        scores = query @ key.swapaxes(-1, -2) * scale
        if is_causal:
            scores = scores + causal_bias(query.shape[-2], key.shape[-2], query.dtype)
        if allowed is not None:
            scores = where(allowed, scores, -np.inf)
        if bias is not None:
            scores = scores + bias
        weights = scores.softmax(-1)
        return (weights if keep is None else weights * keep) @ value

    def forward(self, query: np.ndarray, key: np.ndarray, value: np.ndarray,
                bias: np.ndarray | None = None, allowed: np.ndarray | None = None,
                is_causal: bool = False, keep: np.ndarray | None = None,
                scale: float | None = None) -> np.ndarray:
        # A Python float: a NumPy float64 scalar would turn float32 products into float64.
        scale = 1 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
        self.query, self.key, self.value, self.scale = query, key, value, scale
        scores = np.matmul(query, np.swapaxes(key, -1, -2))
        scores *= scale
        if is_causal:
            scores += causal_bias(query.shape[-2], key.shape[-2], scores.dtype)
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf)
        if bias is not None:
            scores = scores + bias
        largest = max_keepdims(scores, -1)
        if not np.isfinite(largest).all():
            raise ValueError(
                "a query row has every key masked out (or scores that are NaN or inf): "
                "its attention weights would be NaN; let each query see at least one key"
            )
        scores -= largest
        weights = np.exp(scores, out=scores)
        weights /= sum_along(weights, -1)
        self.weights, self.keep = weights, keep
        self.dropped_weights = weights if keep is None else weights * keep
        return np.matmul(self.dropped_weights, value)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        need_query, need_key, need_value, *need_bias = self.needs_input_grad
        grad_value = None
        if need_value:
            grad_value = np.matmul(np.swapaxes(self.dropped_weights, -1, -2), grad)
        if not (need_query or need_key or any(need_bias)):
            return None, None, grad_value, None
        grad_weights = np.matmul(grad, np.swapaxes(self.value, -1, -2))
        if self.keep is not None:
            grad_weights *= self.keep
        grad_scores = grad_weights  # changed in place from here on: it is a fresh array
        grad_scores -= np.einsum("...ij,...ij->...i", grad_weights, self.weights)[..., None]
        grad_scores *= self.weights
        grad_query = grad_key = None
        if need_query:
            grad_query = np.matmul(grad_scores, self.key)
            grad_query *= self.scale
        if need_key:
            grad_key = np.matmul(np.swapaxes(grad_scores, -1, -2), self.query)
            grad_key *= self.scale
        grad_bias = grad_scores if any(need_bias) else None
        return grad_query, grad_key, grad_value, grad_bias
