"""Fused layers and losses: each is one graph node where a chain of small ops would be
several, because training spends most of its time in exactly these.

The loss Functions take targets that the caller (:mod:`minitorch.nn.functional`) has already
checked; they only guard against NaN coming from the predictions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from minitorch.autograd import Function
from minitorch.ops.generic import log, sigmoid
from minitorch.ops.reductions import max_keepdims, sum_along
from minitorch.random import chosen

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

    node_name = "AddmmBackward0"

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
        # The weight's gradient is made in the weight's memory order, for the optimizer.
        self.weight_by_columns = weight.flags.f_contiguous and not weight.flags.c_contiguous
        if x.ndim == 2:  # a batch of rows, the usual case: no reshaping needed
            out = x @ weight.T
        else:
            out = x.reshape(-1, in_features) @ weight.T
        if bias is not None:
            out += bias  # in place: the product is a fresh array, so no extra temporary
        return out if x.ndim == 2 else out.reshape(x.shape[:-1] + (weight.shape[0],))

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        x, weight = self.x, self.weight
        parents = self.parents
        rows = x.ndim == 2
        grad_rows = grad if rows else grad.reshape(-1, weight.shape[0])
        grad_x = grad_weight = grad_bias = None
        if parents[0].requires_grad:
            grad_x = grad_rows @ weight if rows else (grad_rows @ weight).reshape(x.shape)
        if parents[1].requires_grad:
            x_rows = x if rows else x.reshape(-1, weight.shape[1])
            if self.weight_by_columns:
                grad_weight = (x_rows.T @ grad_rows).T
            else:
                grad_weight = grad_rows.T @ x_rows
        if len(parents) == 2:
            return grad_x, grad_weight
        if parents[2].requires_grad:
            grad_bias = grad_rows.sum(axis=0)
        return grad_x, grad_weight, grad_bias


def dropout_mask(shape: tuple[int, ...], p: float, dtype: np.dtype) -> np.ndarray:
    """PyTorch's inverted-dropout mask: Bernoulli(1 - p) draws from the default generator,
    divided by 1 - p in ``dtype``; all zeros for p >= 1, drawing nothing, as PyTorch."""
    if p >= 1.0:
        return np.zeros(shape, dtype)
    mask = chosen().bernoulli(1.0 - p, shape).astype(dtype)
    mask /= dtype.type(1.0 - p)
    return mask


class Dropout(Function):
    """Inverted dropout: y = x * m / (1 - p) with m_i ~ Bernoulli(1 - p);  dy/dx = m / (1 - p).

    Scaling the kept values during training keeps E[y] = x, so evaluation needs no rescaling.
    """

    node_name = "MulBackward0"  # PyTorch's dropout on the CPU multiplies by such a mask too

    def forward(self, x: np.ndarray, p: float = 0.5) -> np.ndarray:
        self.mask = dropout_mask(x.shape, p, x.dtype)
        return x * self.mask

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.mask


class LSTMStep(Function):
    """One LSTM step from its gate pre-activations. With a = gates_x + gates_h (..., 4H), its
    blocks (i, f, g, o) and the cell state c (..., H):

        I, F, O = sigmoid(i, f, o),  G = tanh(g),  c' = F c + I G,  h' = O tanh(c').

    The output is h' and c' stacked, (2, ..., H): one node for both states, each of them a
    contiguous block (the next step's product reads h' row by row). With dh', dc' the two
    blocks of the output's gradient and T = tanh(c'):

        dC = dc' + dh' O (1 - T^2),   da_i = dC G I (1 - I),   da_f = dC c F (1 - F),
        da_g = dC I (1 - G^2),        da_o = dh' T O (1 - O),  dc = dC F,

    and da is the gradient of both gates_x and gates_h.
    """

    def forward(self, gates_x: np.ndarray, gates_h: np.ndarray, c: np.ndarray) -> np.ndarray:
        hidden = c.shape[-1]
        gates = gates_x + gates_h
        gates[..., : 2 * hidden] = sigmoid(gates[..., : 2 * hidden])  # in place: a fresh sum
        gates[..., 2 * hidden : 3 * hidden] = np.tanh(gates[..., 2 * hidden : 3 * hidden])
        gates[..., 3 * hidden :] = sigmoid(gates[..., 3 * hidden :])
        i, f, g, o = _blocks(gates, hidden)
        out = np.empty((2, *c.shape), dtype=gates.dtype)
        c_next = out[1]
        np.multiply(f, c, out=c_next)
        c_next += i * g
        tanh_c = np.tanh(c_next)
        np.multiply(o, tanh_c, out=out[0])
        self.activations, self.c, self.tanh_c = gates, c, tanh_c
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        hidden = self.c.shape[-1]
        i, f, g, o = _blocks(self.activations, hidden)
        dh, dc_next = grad[0], grad[1]
        dc = dc_next + dh * o * (1 - self.tanh_c * self.tanh_c)
        da = np.concatenate([dc * g * i * (1 - i), dc * self.c * f * (1 - f),
                             dc * i * (1 - g * g), dh * self.tanh_c * o * (1 - o)], axis=-1)
        return da, da, dc * f

    @staticmethod
    def composite(gates_x: Tensor, gates_h: Tensor, c: Tensor) -> Tensor:
        """The same step from recorded operations (for create_graph)."""
        from minitorch.tensor import stack  # tensor.py builds on the ops

        i, f, g, o = (gates_x + gates_h).chunk(4, dim=-1)
        c_next = f.sigmoid() * c + i.sigmoid() * g.tanh()
        return stack([o.sigmoid() * c_next.tanh(), c_next])


def _blocks(gates: np.ndarray, hidden: int) -> list[np.ndarray]:
    """The gates' blocks of ``hidden`` columns, as views (np.split's own Python costs more
    than the arithmetic on a step of small arrays)."""
    return [gates[..., k : k + hidden] for k in range(0, gates.shape[-1], hidden)]


class GRUStep(Function):
    """One GRU step from its gate pre-activations gates_x = (x_r, x_z, x_n) and gates_h =
    (h_r, h_z, h_n) (..., 3H) and the state h (..., H):

        r = sigmoid(x_r + h_r),  z = sigmoid(x_z + h_z),  n = tanh(x_n + r h_n),
        h' = (1 - z) n + z h.

    With dh' the output's gradient:  dn = dh' (1 - z) (1 - n^2),  dz = dh' (h - n) z (1 - z),
    dr = dn h_n r (1 - r);  d gates_x = (dr, dz, dn),  d gates_h = (dr, dz, dn r),
    dh = dh' z.
    """

    def forward(self, gates_x: np.ndarray, gates_h: np.ndarray, h: np.ndarray) -> np.ndarray:
        hidden = h.shape[-1]
        rz = sigmoid(gates_x[..., : 2 * hidden] + gates_h[..., : 2 * hidden])
        r, z = rz[..., :hidden], rz[..., hidden:]
        h_n = gates_h[..., 2 * hidden :]
        n = np.tanh(gates_x[..., 2 * hidden :] + r * h_n)
        self.rz, self.n, self.h_n, self.h = rz, n, h_n, h
        return n + z * (h - n)  # (1 - z) n + z h, with one operation fewer

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        hidden = self.h.shape[-1]
        rz, n = self.rz, self.n
        r, z = rz[..., :hidden], rz[..., hidden:]
        dn = grad * (1 - z) * (1 - n * n)
        dr = dn * self.h_n * r * (1 - r)
        dz = grad * (self.h - n) * z * (1 - z)
        return (np.concatenate([dr, dz, dn], axis=-1),
                np.concatenate([dr, dz, dn * r], axis=-1), grad * z)

    @staticmethod
    def composite(gates_x: Tensor, gates_h: Tensor, h: Tensor) -> Tensor:
        """The same step from recorded operations (for create_graph)."""
        x_r, x_z, x_n = gates_x.chunk(3, dim=-1)
        h_r, h_z, h_n = gates_h.chunk(3, dim=-1)
        r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
        n = (x_n + r * h_n).tanh()
        return n + z * (h - n)


def _reduce_losses(losses: np.ndarray, reduction: str, divisor: float | None = None) -> np.ndarray:
    """Sum or average per-sample losses; the mean divides by ``divisor`` (the number of
    losses when None: a weighted loss passes its total weight)."""
    if reduction == "none":
        return losses
    total = np.add.reduce(losses, axis=None)
    if reduction == "sum":
        return np.asarray(total, dtype=losses.dtype)
    divisor = losses.size if divisor is None else divisor
    if divisor == 0:
        # An empty batch, or one whose every target is ignored: PyTorch's mean is 0 / 0 = NaN,
        # and training goes on, the gradient being zero (see _per_sample_grad).
        return np.asarray(np.nan, dtype=losses.dtype)
    return np.asarray(total / divisor, dtype=losses.dtype)


def _per_sample_grad(grad: np.ndarray, divisor: float, reduction: str) -> np.ndarray:
    """dL/d(loss_i), broadcastable against the samples: g / divisor for the mean, g for the
    sum (both 0-d), g_i for none. A mean over no counted sample (divisor 0) passes no
    gradient, as PyTorch's gives zeros for a batch whose every target is ignored."""
    if reduction != "mean":
        return grad
    return grad / divisor if divisor else np.zeros_like(grad)


def _reduce_loss_tensor(losses: Tensor, reduction: str, divisor: Any = None) -> Tensor:
    """_reduce_losses for Tensors, as the composite forms of the losses need it."""
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.mean() if divisor is None else losses.sum() / divisor


def _sample_weights(
    target: np.ndarray, keep: np.ndarray | None, class_weight: np.ndarray | None, dtype: np.dtype
) -> np.ndarray | None:
    """s_i = keep_i * w[t_i]: each sample's weight (None when every weight is 1)."""
    if keep is None and class_weight is None:
        return None
    weights = class_weight[target] if class_weight is not None else np.ones(len(target), dtype)
    if keep is not None:
        weights = weights * keep
    return weights


def _no_nan_logits(loss: np.ndarray, log_sum_exp: np.ndarray) -> np.ndarray:
    """``loss``, after raising if a row of logits had NaN or +inf (or only -inf): its log-sum-exp
    is then NaN, and so is the loss. Looking at the loss (one number, or one per sample) first
    spares a pass over every row in the usual case."""
    if np.isnan(loss).any() if loss.ndim else loss != loss:
        bad_rows = np.flatnonzero(np.isnan(log_sum_exp))
        if bad_rows.size:
            raise ValueError(
                f"cross-entropy got logits with NaN or +inf, or only -inf, in row {bad_rows[0]}"
            )
    return loss


class CrossEntropy(Function):
    """Softmax cross-entropy of logits z (N, C) against a target, fused into one node.

    With log p = log_softmax(z) (computed as z - max - log sum exp(z - max), so large logits
    cannot overflow) the per-sample loss is

    * probabilities T (N, C):  l_i = -sum_j T_ij log p_ij, and the mean divides by N;
    * class indices t (N,):    l_i = -(1 - e) s_i log p_{i,t_i} - (e / C) k_i sum_j w_j log p_ij

    where w are the class weights (1 by default), k_i is 0 for an ignored sample and 1
    otherwise, s_i = k_i w_{t_i}, and e the label smoothing; the mean divides by sum_i s_i.
    With a = (1 - e) s and b = (e / C) k the gradient is

        dl_i/dz_ij = p_ij (a_i + b_i sum_k w_k) - a_i [j = t_i] - b_i w_j

    which is softmax - one-hot for plain indices, and dl_i/dz_ij = p_ij sum_k T_ik - T_ij
    (softmax - target for probability rows) with dl_i/dT_ij = -log p_ij.
    """

    node_name = "NllLossBackward0"

    @staticmethod
    def composite(
        logits: Tensor,
        target: Tensor,
        reduction: str = "mean",
        class_weight: np.ndarray | None = None,
        keep: np.ndarray | None = None,
        label_smoothing: float = 0.0,
    ) -> Tensor:
        """The same loss from log_softmax and indexing (for create_graph)."""
        log_probs = logits.log_softmax(1)
        if target.ndim == 2:
            return _reduce_loss_tensor(-(target * log_probs).sum(1), reduction)
        indices = target._data
        losses = -log_probs[np.arange(len(indices)), indices]
        weights = _sample_weights(indices, keep, class_weight, logits.dtype)
        if weights is not None:
            losses = losses * weights
        if label_smoothing:
            class_weights = 1.0 if class_weight is None else class_weight
            share = label_smoothing / logits.shape[1] * (1.0 if keep is None else keep)
            smooth = -(log_probs * class_weights).sum(1)
            losses = losses * (1.0 - label_smoothing) + smooth * share
        return _reduce_loss_tensor(losses, reduction, None if weights is None else weights.sum())

    def forward(
        self,
        logits: np.ndarray,
        target: np.ndarray,
        reduction: str = "mean",
        class_weight: np.ndarray | None = None,
        keep: np.ndarray | None = None,
        label_smoothing: float = 0.0,
    ) -> np.ndarray:
        shifted = logits - max_keepdims(logits, 1)
        probs = np.exp(shifted)
        sum_exp = sum_along(probs, 1)
        log_sum_exp = np.log(sum_exp)
        probs /= sum_exp
        self.probs, self.target, self.reduction = probs, target, reduction
        if target.ndim == 2:
            self.log_probs = shifted - log_sum_exp
            self.divisor = len(target)
            losses = -np.add.reduce(target * self.log_probs, axis=1)
            return _no_nan_logits(_reduce_losses(losses, reduction), log_sum_exp)
        self.rows = np.arange(len(target))
        losses = log_sum_exp[:, 0] - shifted[self.rows, target]  # -log p_{i, t_i}
        weights = _sample_weights(target, keep, class_weight, logits.dtype)
        self.divisor = len(target) if weights is None else np.add.reduce(weights)
        self.true_weight = self.smooth_weight = None  # None: the plain case, a = 1 and b = 0
        if weights is not None or label_smoothing:
            a = (1.0 - label_smoothing) * (1.0 if weights is None else weights)
            losses = losses * a
            self.true_weight = np.broadcast_to(np.asarray(a, logits.dtype), target.shape)
            if label_smoothing:
                b = np.asarray(label_smoothing / logits.shape[1], logits.dtype)
                if keep is not None:
                    b = b * keep
                w = np.ones(logits.shape[1], logits.dtype) if class_weight is None else class_weight
                # -sum_j w_j log p_ij = sum(w) log_sum_exp_i - sum_j w_j shifted_ij
                smooth = np.add.reduce(w) * log_sum_exp[:, 0] - shifted @ w
                losses = losses + b * smooth
                self.smooth_weight, self.class_weight = np.broadcast_to(b, target.shape), w
        return _no_nan_logits(_reduce_losses(losses, reduction, self.divisor), log_sum_exp)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        probs, target = self.probs, self.target
        scale = _per_sample_grad(grad, self.divisor, self.reduction)  # 0-d, or one per sample
        row_scale = scale[:, None] if scale.ndim else scale
        need_logits, need_target = self.needs_input_grad
        grad_logits = grad_target = None
        if need_logits:
            if target.ndim == 2:
                grad_logits = probs * np.add.reduce(target, axis=1, keepdims=True) - target
                grad_logits *= row_scale
            elif self.true_weight is None:  # (softmax - one-hot) * scale
                grad_logits = probs * row_scale
                grad_logits[self.rows, target] -= scale
            else:
                a, b = self.true_weight, self.smooth_weight
                coefficient = a if b is None else a + b * np.add.reduce(self.class_weight)
                grad_logits = probs * coefficient[:, None]
                grad_logits[self.rows, target] -= a
                if b is not None:
                    grad_logits -= b[:, None] * self.class_weight
                grad_logits *= row_scale
        if need_target:
            grad_target = -row_scale * self.log_probs
        return grad_logits, grad_target


class NegativeLogLikelihood(Function):
    """Negative log-likelihood of log-probabilities x (N, C) at class indices t (N,), with
    sample weights s_i = k_i w_{t_i} (class weight w, k_i = 0 for an ignored sample):
    l_i = -s_i x_{i,t_i}, the mean divides by sum_i s_i;  dl_i/dx_ij = -s_i where j = t_i,
    else 0."""

    node_name = "NllLossBackward0"

    @staticmethod
    def composite(
        log_probs: Tensor,
        target: Tensor,
        reduction: str = "mean",
        class_weight: np.ndarray | None = None,
        keep: np.ndarray | None = None,
    ) -> Tensor:
        """The same loss by indexing (for create_graph)."""
        indices = target._data
        losses = -log_probs[np.arange(len(indices)), indices]
        weights = _sample_weights(indices, keep, class_weight, log_probs.dtype)
        if weights is None:
            return _reduce_loss_tensor(losses, reduction)
        return _reduce_loss_tensor(losses * weights, reduction, weights.sum())

    def forward(
        self,
        log_probs: np.ndarray,
        target: np.ndarray,
        reduction: str = "mean",
        class_weight: np.ndarray | None = None,
        keep: np.ndarray | None = None,
    ) -> np.ndarray:
        self.shape, self.target, self.reduction = log_probs.shape, target, reduction
        self.rows = np.arange(len(target))
        self.weights = _sample_weights(target, keep, class_weight, log_probs.dtype)
        losses = -log_probs[self.rows, target]
        if self.weights is None:
            self.divisor = len(target)
        else:
            losses = losses * self.weights
            self.divisor = np.add.reduce(self.weights)
        return _reduce_losses(losses, reduction, self.divisor)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, None]:
        per_sample = _per_sample_grad(grad, self.divisor, self.reduction)
        if self.weights is not None:
            per_sample = per_sample * self.weights
        grad_log_probs = np.zeros(self.shape, dtype=grad.dtype)
        grad_log_probs[self.rows, self.target] = -per_sample
        return grad_log_probs, None


class MeanSquaredError(Function):
    """Element-wise l = (x - t)^2, averaged, summed or kept as ``reduction`` says;
    dl/dx = 2 (x - t) = -dl/dt."""

    node_name = "MseLossBackward0"

    def forward(self, input: np.ndarray, target: np.ndarray, reduction: str = "mean"
                ) -> np.ndarray:
        self.input, self.target = input, target
        self.count, self.reduction = input.size, reduction
        squares = input - target
        return _reduce_losses(np.multiply(squares, squares, out=squares), reduction)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        scale = _per_sample_grad(grad, self.count, self.reduction)
        grad_input = (self.input - self.target) * (2 * scale)
        need_input, need_target = self.needs_input_grad
        return (grad_input if need_input else None), (-grad_input if need_target else None)


class BinaryCrossEntropy(Function):
    """Element-wise l = -(t log p + (1 - t) log(1 - p)) for probabilities p, each log clamped
    at -100, reduced as ``reduction`` says;  dl/dp = (p - t) / (p (1 - p)) (denominator kept
    >= 1e-12), dl/dt = log(1 - p) - log(p) (each clamped likewise)."""

    node_name = "BinaryCrossEntropyBackward0"

    def forward(self, probs: np.ndarray, target: np.ndarray, reduction: str = "none"
                ) -> np.ndarray:
        self.probs, self.target = probs, target
        self.count, self.reduction = probs.size, reduction
        with np.errstate(divide="ignore"):  # log(0) = -inf is clamped just below
            log_p = np.maximum(np.log(probs), LOG_FLOOR)
            log_1mp = np.maximum(np.log1p(-probs), LOG_FLOOR)
        return _reduce_losses(-(target * log_p + (1 - target) * log_1mp), reduction)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        p, t = self.probs, self.target
        grad = _per_sample_grad(grad, self.count, self.reduction)
        need_probs, need_target = self.needs_input_grad
        grad_probs = grad * (p - t) / (p * (1 - p)).clip(BCE_GRAD_EPS) if need_probs else None
        grad_target = None
        if need_target:
            with np.errstate(divide="ignore"):  # log(0) = -inf is clamped
                grad_target = grad * (log(1 - p).clip(LOG_FLOOR) - log(p).clip(LOG_FLOOR))
        return grad_probs, grad_target


class BinaryCrossEntropyWithLogits(Function):
    """Element-wise binary cross-entropy of sigmoid(x) against t, computed from the logit x as
    l = max(x, 0) - x t + log(1 + e^-|x|), which never overflows, reduced as ``reduction``
    says;  dl/dx = sigmoid(x) - t,  dl/dt = -x."""

    node_name = "BinaryCrossEntropyWithLogitsBackward0"

    def forward(self, logits: np.ndarray, target: np.ndarray, reduction: str = "none"
                ) -> np.ndarray:
        self.logits, self.target = logits, target
        self.count, self.reduction = logits.size, reduction
        losses = np.maximum(logits, 0) - logits * target + np.log1p(np.exp(-np.abs(logits)))
        return _reduce_losses(losses, reduction)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        grad = _per_sample_grad(grad, self.count, self.reduction)
        need_logits, need_target = self.needs_input_grad
        grad_logits = grad * (sigmoid(self.logits) - self.target) if need_logits else None
        grad_target = -grad * self.logits if need_target else None
        return grad_logits, grad_target
