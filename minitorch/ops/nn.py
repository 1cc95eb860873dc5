"""Fused layers and losses: each is one graph node where a chain of small ops would be
several, because training spends most of its time in exactly these.

The loss Functions take targets that the caller (:mod:`minitorch.nn.losses`) has already
checked; they only guard against NaN coming from the predictions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minitorch.autograd import Function
from minitorch.ops.generic import log, sigmoid
from minitorch.random import generator

if TYPE_CHECKING:
    from minitorch.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")

# Like PyTorch, binary cross-entropy clamps each log term at -100 so that a prediction of
# exactly 0 or 1 gives a large finite loss instead of infinity.
LOG_FLOOR = -100.0
# Smallest p (1 - p) that the binary cross-entropy gradient divides by.
BCE_GRAD_EPS = 1e-12


class Linear(Function):
    """y = x @ W^T + b, with x of shape (..., in), W (out, in) as in PyTorch, b (out,) or no
    bias.

    Leading dimensions of x are flattened into one batch axis, so with X = x as (M, in)
    and G = dL/dy as (M, out):  dL/dX = G @ W,  dL/dW = G^T @ X,  dL/db = sum of G's rows.
    ``W.T`` and ``G.T`` are transposed views, which BLAS reads without a copy.
    """

    def forward(
        self, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None
    ) -> np.ndarray:
        in_features = weight.shape[1]
        if x.ndim == 0 or x.shape[-1] != in_features:
            raise ValueError(
                f"linear expected input of shape (..., {in_features}) to match a weight of "
                f"shape {weight.shape} (out_features, in_features), got input of shape {x.shape}"
            )
        self.x, self.weight = x, weight
        out = x.reshape(-1, in_features) @ weight.T
        if bias is not None:
            out += bias  # in place: the product is a fresh array, so no extra temporary
        return out.reshape(x.shape[:-1] + (weight.shape[0],))

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        x, weight = self.x, self.weight
        grad_rows = grad.reshape(-1, weight.shape[0])
        need_x, need_weight, *need_bias = self.needs_input_grad
        grad_x = (grad_rows @ weight).reshape(x.shape) if need_x else None
        grad_weight = None
        if need_weight:
            x_rows = x if x.ndim == 2 else x.reshape(-1, weight.shape[1])
            grad_weight = grad_rows.T @ x_rows
        if not need_bias:
            return grad_x, grad_weight
        grad_bias = grad_rows.sum(axis=0) if need_bias[0] else None
        return grad_x, grad_weight, grad_bias


class Dropout(Function):
    """Inverted dropout: y = x * m / (1 - p) with m_i ~ Bernoulli(1 - p);  dy/dx = m / (1 - p).

    Scaling the kept values during training keeps E[y] = x, so evaluation needs no rescaling.
    """

    def forward(self, x: np.ndarray, p: float = 0.5) -> np.ndarray:
        if p >= 1.0:
            self.mask = np.zeros_like(x)
        else:
            keep = generator().random(x.shape, dtype=np.float32) >= p
            self.mask = keep * x.dtype.type(1.0 / (1.0 - p))
        return x * self.mask

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.mask


def _reduce_losses(losses: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return losses
    if reduction == "mean" and losses.size == 0:
        raise ValueError("the mean loss of an empty batch is undefined")
    total = np.add.reduce(losses, axis=None)
    return np.asarray(total / losses.size if reduction == "mean" else total, dtype=losses.dtype)


def _reduce_loss_tensor(losses: Tensor, reduction: str) -> Tensor:
    """_reduce_losses for Tensors, as the composite forms of the losses need it."""
    if reduction == "none":
        return losses
    return losses.mean() if reduction == "mean" else losses.sum()


def _per_sample_grad(grad: np.ndarray, count: int, reduction: str) -> np.ndarray:
    """dL/d(loss_i), broadcastable against the ``count`` samples: g / N for mean, g for sum
    (both 0-d), g_i for none."""
    if reduction == "none":
        return grad
    return grad / count if reduction == "mean" else grad


class CrossEntropy(Function):
    """Softmax cross-entropy of logits z (N, C) against a target, fused into one node.

    With log p = log_softmax(z) (computed as z - max - log sum exp(z - max), so large logits
    cannot overflow) the per-sample loss is

    * class indices t (N,):        l_i = -log p_{i, t_i}
    * probabilities T (N, C):      l_i = -sum_j T_ij log p_ij

    reduced by ``reduction`` ("mean" divides by N). The gradient is
    dl_i/dz_ij = p_ij * sum_k T_ik - T_ij, which is softmax - target for one-hot or
    probability rows (one-hot for indices), times 1/N for the mean; a probability target
    that requires grad gets dl_i/dT_ij = -log p_ij.
    """

    @staticmethod
    def composite(logits: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
        """The same loss from log_softmax and indexing (for create_graph)."""
        log_probs = logits.log_softmax(1)
        if target.ndim == 1:
            losses = -log_probs[np.arange(len(target)), target._data]
        else:
            losses = -(target * log_probs).sum(1)
        return _reduce_loss_tensor(losses, reduction)

    def forward(
        self, logits: np.ndarray, target: np.ndarray, reduction: str = "mean"
    ) -> np.ndarray:
        shifted = logits - np.maximum.reduce(logits, axis=1, keepdims=True)
        probs = np.exp(shifted)
        sum_exp = np.add.reduce(probs, axis=1, keepdims=True)
        log_sum_exp = np.log(sum_exp)
        if np.isnan(log_sum_exp).any():
            row = int(np.flatnonzero(np.isnan(log_sum_exp))[0])
            raise ValueError(
                f"cross-entropy got logits with NaN or +inf, or only -inf, in row {row}"
            )
        probs /= sum_exp
        self.probs, self.target, self.reduction = probs, target, reduction
        if target.ndim == 1:
            self.rows = np.arange(len(target))
            losses = log_sum_exp[:, 0] - shifted[self.rows, target]
        else:
            self.log_probs = shifted - log_sum_exp
            losses = -np.add.reduce(target * self.log_probs, axis=1)
        return _reduce_losses(losses, reduction)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        probs, target = self.probs, self.target
        scale = _per_sample_grad(grad, len(probs), self.reduction)
        if scale.ndim:
            scale = scale[:, None]
        need_logits, need_target = self.needs_input_grad
        grad_logits = grad_target = None
        if need_logits:
            if target.ndim == 1:
                grad_logits = probs.copy()  # a copy: backward may run again with retain_graph
                grad_logits[self.rows, target] -= 1
            else:
                grad_logits = probs * np.add.reduce(target, axis=1, keepdims=True) - target
            grad_logits *= scale
        if need_target:
            grad_target = -scale * self.log_probs
        return grad_logits, grad_target


class NegativeLogLikelihood(Function):
    """Negative log-likelihood of log-probabilities x (N, C) at class indices t (N,):
    l_i = -x_{i, t_i};  dl_i/dx_ij = -1 where j = t_i, else 0."""

    @staticmethod
    def composite(log_probs: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
        """The same loss by indexing (for create_graph)."""
        losses = -log_probs[np.arange(len(target)), target._data]
        return _reduce_loss_tensor(losses, reduction)

    def forward(
        self, log_probs: np.ndarray, target: np.ndarray, reduction: str = "mean"
    ) -> np.ndarray:
        self.shape, self.target, self.reduction = log_probs.shape, target, reduction
        self.rows = np.arange(len(target))
        return _reduce_losses(-log_probs[self.rows, target], reduction)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, None]:
        per_sample = _per_sample_grad(grad, len(self.rows), self.reduction)
        grad_log_probs = np.zeros(self.shape, dtype=grad.dtype)
        grad_log_probs[self.rows, self.target] = -per_sample
        return grad_log_probs, None


class BinaryCrossEntropy(Function):
    """Element-wise l = -(t log p + (1 - t) log(1 - p)) for probabilities p, each log clamped
    at -100;  dl/dp = (p - t) / (p (1 - p)) (denominator kept >= 1e-12),
    dl/dt = log(1 - p) - log(p) (each clamped likewise)."""

    def forward(self, probs: np.ndarray, target: np.ndarray) -> np.ndarray:
        self.probs, self.target = probs, target
        with np.errstate(divide="ignore"):  # log(0) = -inf is clamped just below
            log_p = np.maximum(np.log(probs), LOG_FLOOR)
            log_1mp = np.maximum(np.log1p(-probs), LOG_FLOOR)
        return -(target * log_p + (1 - target) * log_1mp)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        p, t = self.probs, self.target
        need_probs, need_target = self.needs_input_grad
        grad_probs = grad * (p - t) / (p * (1 - p)).clip(BCE_GRAD_EPS) if need_probs else None
        grad_target = None
        if need_target:
            with np.errstate(divide="ignore"):  # log(0) = -inf is clamped
                grad_target = grad * (log(1 - p).clip(LOG_FLOOR) - log(p).clip(LOG_FLOOR))
        return grad_probs, grad_target


class BinaryCrossEntropyWithLogits(Function):
    """Element-wise binary cross-entropy of sigmoid(x) against t, computed from the logit x as
    l = max(x, 0) - x t + log(1 + e^-|x|), which never overflows;
    dl/dx = sigmoid(x) - t,  dl/dt = -x."""

    def forward(self, logits: np.ndarray, target: np.ndarray) -> np.ndarray:
        self.logits, self.target = logits, target
        return np.maximum(logits, 0) - logits * target + np.log1p(np.exp(-np.abs(logits)))

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        need_logits, need_target = self.needs_input_grad
        grad_logits = grad * (sigmoid(self.logits) - self.target) if need_logits else None
        grad_target = -grad * self.logits if need_target else None
        return grad_logits, grad_target
