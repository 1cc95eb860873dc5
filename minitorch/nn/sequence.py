"""Layers for sequences of tokens: embeddings, layer normalisation and attention, with
PyTorch's names, signatures and parameter layouts.

Their functional forms (``F.embedding``, ``F.layer_norm``, ``F.scaled_dot_product_attention``)
are defined in :mod:`minitorch.nn.functional` and re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minitorch.nn import _checks, init
from minitorch.nn import functional as F
from minitorch.nn.functional import (  # noqa: F401  (re-exported)
    embedding,
    layer_norm,
    scaled_dot_product_attention,
)
from minitorch.nn.layers import Linear
from minitorch.nn.module import Module, Parameter, positive_int
from minitorch.ops import nn as fused
from minitorch.tensor import Tensor, as_tensor

# ----- modules --------------------------------------------------------------------------------


class Embedding(Module):
    """A lookup table: ``Embedding(num_embeddings, embedding_dim)(ids)`` returns row
    ``ids[...]`` of ``weight`` (num_embeddings, embedding_dim) for every integer id, giving
    shape ``ids.shape + (embedding_dim,)``.

    ``weight`` starts with N(0, 1) entries, as in PyTorch, or as a copy of ``_weight``
    (``_freeze`` keeps it from training). With ``padding_idx`` that row starts at zero and
    never receives a gradient, so it stays the "no token" vector. ``max_norm`` and
    ``scale_grad_by_freq`` work as in :func:`~minitorch.nn.functional.embedding`. An id
    outside [0, num_embeddings) raises an IndexError naming it.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = _checks.layer_dtype(device, dtype)
        self.num_embeddings = positive_int(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = positive_int(embedding_dim, "embedding_dim", "Embedding")
        if padding_idx is not None:
            padding_idx = _checks.padding_index(padding_idx, self.num_embeddings)
        _checks.dense_gradients(sparse, "Embedding")
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(np.empty(shape, dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            table = as_tensor(_weight)
            if table.shape != shape:
                raise ValueError(f"Embedding _weight must have shape {shape} (num_embeddings, "
                                 f"embedding_dim), got {table.shape}")
            self.weight = Parameter(table._data.copy(), requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(
        cls, embeddings: Any, freeze: bool = True, padding_idx: int | None = None,
        max_norm: float | None = None, norm_type: float = 2.0,
        scale_grad_by_freq: bool = False, sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding a copy of ``embeddings`` (2-D); ``freeze`` stops training it."""
        table = as_tensor(embeddings)
        if table.ndim != 2:
            raise ValueError(f"embeddings must be 2-D (num_embeddings, embedding_dim), got "
                             f"shape {table.shape}")
        return cls(*table.shape, padding_idx=padding_idx, max_norm=max_norm,
                   norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse,
                   _weight=table, _freeze=freeze, dtype=table.dtype)

    def forward(self, input: Any) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"


class LayerNorm(Module):
    """Normalises each position over its last dimensions, ``normalized_shape`` (an int for
    the feature dimension alone): y = (x - mean) / sqrt(var + eps) * weight + bias, with the
    mean and biased variance of those values. ``weight`` starts at 1 and ``bias`` at 0; both
    have ``normalized_shape`` and exist when ``elementwise_affine`` (``bias=False`` drops the
    shift). Unlike batch norm, it behaves the same in training and evaluation."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = _checks.layer_dtype(device, dtype)
        self.normalized_shape = _checks.shape_tuple(normalized_shape)
        if any(n < 1 for n in self.normalized_shape) or not self.normalized_shape:
            raise ValueError(
                f"LayerNorm normalized_shape must be positive sizes, got {normalized_shape!r}"
            )
        if not eps > 0:
            raise ValueError(f"LayerNorm eps must be > 0, got {eps!r}")
        self.eps, self.elementwise_affine = eps, elementwise_affine
        shape = self.normalized_shape
        self.weight = Parameter(np.ones(shape, dtype=dtype)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape, dtype=dtype)) if elementwise_affine and bias else None

    def forward(self, input: Tensor) -> Tensor:
        x = as_tensor(input)
        if self.weight is not None:
            x = x.astype(self.weight.dtype)
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class MultiheadAttention(Module):
    """Multi-head attention with PyTorch's parameters, arguments and results:
    ``attn_output, attn_weights = mha(query, key, value)``.

    The inputs are (L, N, E) query and (S, N, E) key and value, or (N, L, E) and (N, S, E)
    with ``batch_first``, or unbatched (L, E) and (S, E). ``in_proj_weight`` (3E, E) and
    ``in_proj_bias`` (3E,) project them to queries, keys and values (in that order), which
    ``num_heads`` heads of E / num_heads features attend with separately; ``out_proj`` (a
    Linear(E, E)) joins the heads. ``dropout`` drops attention weights in training mode.

    Masks follow PyTorch's MultiheadAttention (the opposite of scaled_dot_product_attention's
    boolean mask): in ``attn_mask`` ((L, S) or (N * num_heads, L, S)) and
    ``key_padding_mask`` ((N, S)), True marks what may NOT be attended to; float masks are
    added to the scores. ``is_causal`` with no ``attn_mask`` applies the causal mask.

    With ``need_weights`` the attention weights come back too, averaged over the heads
    ((N, L, S)) unless ``average_attn_weights=False`` ((N, num_heads, L, S)); they are
    computed step by step then. Without, attention runs as the one fused operation and the
    weights are None.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = _checks.layer_dtype(device, dtype)
        self.embed_dim = positive_int(embed_dim, "embed_dim", "MultiheadAttention")
        self.num_heads = positive_int(num_heads, "num_heads", "MultiheadAttention")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention embed_dim ({embed_dim}) must be divisible by "
                             f"num_heads ({num_heads})")
        if add_bias_kv or add_zero_attn or kdim not in (None, embed_dim) or (
                vdim not in (None, embed_dim)):
            raise NotImplementedError(
                "MultiheadAttention supports keys and values of embed_dim features, without "
                "add_bias_kv or add_zero_attn"
            )
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {dropout}")
        self.head_dim, self.dropout, self.batch_first = embed_dim // num_heads, dropout, batch_first
        self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=dtype))
        self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, dtype=dtype)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        init.xavier_uniform_(self.in_proj_weight)
        if bias:
            init.zeros_(self.out_proj.bias)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        query, key, value = (as_tensor(t).astype(self.in_proj_weight.dtype)
                             for t in (query, key, value))
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ValueError(
                "MultiheadAttention expected query, key and value all batched (3-D) or all "
                f"unbatched (2-D), got shapes {query.shape}, {key.shape} and {value.shape}"
            )
        if not batched:
            query, key, value = (t.unsqueeze(0) for t in (query, key, value))
        elif not self.batch_first:  # (L, N, E) -> (N, L, E)
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        N, L, E = query.shape
        S = key.shape[1]
        if E != self.embed_dim or key.shape[-1] != E or value.shape[-1] != E or (
                key.shape[:2] != value.shape[:2] or key.shape[0] != N):
            raise ValueError(
                f"MultiheadAttention with embed_dim {self.embed_dim} expected query (N, L, "
                f"{self.embed_dim}) and key and value (N, S, {self.embed_dim}) (batch first), "
                f"got {tuple(query.shape)}, {tuple(key.shape)} and {tuple(value.shape)}"
            )
        q, k, v = self._project(query, key, value)
        q, k, v = (t.view(N, -1, self.num_heads, self.head_dim).transpose(1, 2) for t in (q, k, v))
        mask = self._scores_mask(attn_mask, key_padding_mask, is_causal, N, L, S)
        dropout = self.dropout if self.training else 0.0
        weights = None
        if need_weights:
            scores = q @ k.transpose(-2, -1) * (1 / math.sqrt(self.head_dim))
            if mask is not None:
                scores = scores + mask
            weights = scores.softmax(-1)
            if dropout > 0:
                weights = fused.Dropout.apply(weights, p=dropout)
            out = weights @ v
            if average_attn_weights:
                weights = weights.mean(1)
            if not batched:
                weights = weights.squeeze(0)
        else:
            out = F.scaled_dot_product_attention(q, k, v, mask, dropout)
        out = self.out_proj(out.transpose(1, 2).reshape(N, L, E))
        if not batched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        return out, weights

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, ...]:
        """Queries, keys and values: input @ W_i^T + b_i with W_i the i-th third of
        in_proj_weight; one product when query, key and value are the same tensor."""
        weight, bias = self.in_proj_weight, self.in_proj_bias
        if query is key and key is value:
            projected = query @ weight.T
            if bias is not None:
                projected = projected + bias
            return projected.chunk(3, dim=-1)
        weights = weight.chunk(3)
        biases = bias.chunk(3) if bias is not None else (None,) * 3
        return tuple(x @ w.T if b is None else x @ w.T + b
                     for x, w, b in zip((query, key, value), weights, biases))

    def _scores_mask(self, attn_mask: Any, key_padding_mask: Any, is_causal: bool, N: int,
                     L: int, S: int) -> np.ndarray | None:
        """One additive mask for the scores (N, heads, L, S): 0 where attending is allowed,
        -inf where a boolean mask forbids it, a float mask's values as they are."""
        if attn_mask is None and is_causal:
            attn_mask = np.triu(np.ones((L, S), dtype=bool), k=1)
        total = None
        for name, mask, shapes in (
            ("attn_mask", attn_mask, {(L, S): (1, 1, L, S),
                                       (N * self.num_heads, L, S): (N, self.num_heads, L, S)}),
            ("key_padding_mask", key_padding_mask, {(N, S): (N, 1, 1, S), (S,): (1, 1, 1, S)}),
        ):
            if mask is None:
                continue
            array = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
            if array.shape not in shapes:
                expected = " or ".join(str(s) for s in shapes)
                raise ValueError(f"MultiheadAttention {name} must have shape {expected}, got "
                                 f"{array.shape}")
            array = array.reshape(shapes[array.shape])
            dtype = self.in_proj_weight.dtype
            if array.dtype == bool:
                array = np.where(array, dtype.type(-np.inf), dtype.type(0))
            total = array.astype(dtype) if total is None else total + array
        return total

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")
