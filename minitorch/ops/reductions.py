"""Reductions: many values in, fewer out. ``axis`` is an int, a tuple of ints or None (all)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitorch.autograd import Function
from minitorch.ops.generic import ARRAYS, cumsum_from_end, exp, where

Axis = int | tuple[int, ...] | None


def _reduced_axes(ndim: int, axis: Axis) -> tuple[int, ...]:
    """The axes a reduction over ``axis`` removes, as non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
    return tuple(sorted({a % max(ndim, 1) for a in axes}))


def reduced_size(shape: tuple[int, ...], axis: Axis) -> int:
    """How many values a reduction over ``axis`` combines into each result."""
    return math.prod(shape[a] for a in _reduced_axes(len(shape), axis))


# How long rows may be for the shortcuts below; NumPy's own reductions win beyond (1 thread).
SHORT_ROWS_MAX = 32
SHORT_ROWS_SUM = 1024
# Below this many values, a sum's call into BLAS costs more than NumPy's loop over the rows
# inside a training step (see sum_along).
MANY_VALUES = 16384


def max_keepdims(x: np.ndarray, axis: int) -> np.ndarray:
    """``np.maximum.reduce(x, axis, keepdims=True)``, the shift of a stable softmax.

    NumPy reduces along the last axis one row at a time, slow when rows are short and many
    (a batch of logits, rows of attention scores). There (2-D input, or rows of contiguous
    N-D input, more rows than columns): rows of at most ``SHORT_ROWS_MAX`` values are
    transposed, so that the maximum runs across all rows at once (4096 rows of 27: 70
    against 300 us), longer ones are picked out by argmax (1.5-3x faster than
    maximum.reduce). Both let a NaN through, as the maximum does.
    """
    last = axis == -1 or axis == x.ndim - 1
    if last and (x.ndim == 2 or (x.ndim > 2 and x.flags.c_contiguous)):
        rows = x.reshape(-1, x.shape[-1])
        if rows.shape[0] > rows.shape[1] > 0:
            if rows.shape[1] <= SHORT_ROWS_MAX:
                top = np.maximum.reduce(np.ascontiguousarray(rows.T), axis=0)
            else:
                top = rows[np.arange(rows.shape[0]), rows.argmax(axis=1)]
            return top.reshape(x.shape[:-1] + (1,))
    return np.maximum.reduce(x, axis=axis, keepdims=True)


def sum_along(x: Any, axis: int, keepdims: bool = True) -> Any:
    """``np.add.reduce(x, axis, keepdims=keepdims)`` (the normaliser of a softmax, a row sum).

    Along the last axis of float32/float64 rows of at most ``SHORT_ROWS_SUM`` values, when
    there are ``MANY_VALUES`` in all, the sum is a product with a vector of ones: one BLAS
    call over all rows instead of NumPy's loop per row, 1.5-8x faster (4096 rows of 27: 13
    against 95 us). The rows are then summed in order rather than pairwise, which on rows
    this short changes the last digits at most. Fewer values stay with NumPy: timed alone,
    the product also wins on a batch of 128 logits of 10 classes (1.6 against 2.8 us), but
    inside a training step with two BLAS threads the loss took 0-19 us (7 in the median of
    seven alternated runs) less with NumPy's sum.
    A Tensor (a backward formula under create_graph) is summed by its own method.
    """
    if not isinstance(x, np.ndarray):
        return x.sum(axis=axis, keepdims=keepdims)
    if (axis == -1 or axis == x.ndim - 1) and 0 < x.shape[-1] <= SHORT_ROWS_SUM and (
        x.size >= MANY_VALUES and x.dtype in (_FLOAT32, _FLOAT64)
    ):
        sums = np.matmul(x, np.ones(x.shape[-1], x.dtype))
        return sums[..., None] if keepdims else sums
    return np.add.reduce(x, axis=axis, keepdims=keepdims)


_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)


def _kept_shape(shape: tuple[int, ...], axis: Axis) -> tuple[int, ...]:
    """The shape of a reduction over ``axis`` with keepdims=True."""
    axes = _reduced_axes(len(shape), axis)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    """z = sum of x over axis;  dz/dx = 1 at every summed position."""

    node_name = "SumBackward0"

    def forward(self, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        # In x's own dtype, as PyTorch sums (NumPy would widen int32 and int8 to int64).
        return np.add.reduce(x, axis, x.dtype, None, keepdims)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return _spread(grad, self.shape, self.axis, self.keepdims)


class Mean(Function):
    """z = sum of x over axis / n;  dz/dx = 1 / n at every averaged position."""

    node_name = "MeanBackward0"

    def forward(self, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        self.count = reduced_size(x.shape, axis)
        return np.mean(x, axis=axis, keepdims=keepdims)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return _spread(grad / self.count, self.shape, self.axis, self.keepdims)


def _spread(grad: np.ndarray, shape: tuple[int, ...], axis: Axis, keepdims: bool) -> np.ndarray:
    """Copy each reduced gradient back to every position that was reduced into it: into a new
    array (faster to compute with than a broadcast view), or for a Tensor (create_graph) by
    an Expand node."""
    if axis is not None and not keepdims:
        grad = grad.reshape(_kept_shape(shape, axis))
    if not isinstance(grad, ARRAYS):
        return grad.expand(shape)
    out = np.empty(shape, dtype=grad.dtype)
    out[...] = grad
    return out


class Max(Function):
    """z = max (or min) of x over axis; dz/dx is shared equally among the positions that tie
    for the extreme value, and 0 elsewhere. NaN wins (as in PyTorch): where there is one,
    the result is NaN and the gradient goes to the NaN positions."""

    def forward(
        self, x: np.ndarray, axis: Axis = None, keepdims: bool = False, smallest: bool = False
    ) -> np.ndarray:
        axes = _reduced_axes(x.ndim, axis)
        if any(x.shape[a] == 0 for a in axes):
            raise ValueError(f"max/min over a dimension of size 0 is undefined (axis {axis})")
        reduce = np.minimum.reduce if smallest else np.maximum.reduce
        extreme = reduce(x, axis=axes, keepdims=True)
        winners = x == extreme
        is_nan = extreme != extreme
        if is_nan.any():  # NaN equals nothing, not even itself: the NaNs are the winners
            winners |= is_nan & (x != x)
        self.share = winners / np.add.reduce(winners, axis=axes, keepdims=True).astype(x.dtype)
        self.kept = extreme.shape
        return extreme if keepdims else np.squeeze(extreme, axes)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad.reshape(self.kept) * self.share


class LogSumExp(Function):
    """z = log(sum(exp(x))) over axis, computed as m + log(sum(exp(x - m))) with m = max(x)
    so that large inputs cannot overflow;  dz/dx = softmax(x) = exp(x - z)."""

    node_name = "LogsumexpBackward0"

    def forward(self, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        shift = max_keepdims(x, axis) if isinstance(axis, int) else np.maximum.reduce(
            x, axis=axis, keepdims=True)
        shift = np.where(np.isfinite(shift), shift, 0)
        total = np.add.reduce(np.exp(x - shift), axis=axis, keepdims=True)
        out = np.log(total) + shift
        self.x, self.kept = x, total.shape
        self.out = out if keepdims else np.squeeze(out, _reduced_axes(x.ndim, axis))
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad.reshape(self.kept) * exp(self.x - self.out.reshape(self.kept))


class Softmax(Function):
    """z_i = exp(x_i) / sum_j exp(x_j) along axis, shifted by the max for stability;
    dz/dx applied to g is z * (g - sum(g * z))."""

    node_name = "SoftmaxBackward0"

    def forward(self, x: np.ndarray, axis: int = -1) -> np.ndarray:
        exp = np.exp(x - max_keepdims(x, axis))
        self.out = exp / sum_along(exp, axis)
        self.axis = axis
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out = self.out
        return out * (grad - sum_along(grad * out, self.axis))


class LogSoftmax(Function):
    """z = x - logsumexp(x) along axis;  dz/dx applied to g is g - softmax(x) * sum(g)."""

    node_name = "LogSoftmaxBackward0"

    def forward(self, x: np.ndarray, axis: int = -1) -> np.ndarray:
        shifted = x - max_keepdims(x, axis)
        out = shifted - np.log(sum_along(np.exp(shifted), axis))
        self.out, self.axis = out, axis
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad - exp(self.out) * sum_along(grad, self.axis)


def _products_beside(x: np.ndarray, axis: int) -> np.ndarray:
    """At each position along ``axis``, the product of all the other values there: the
    product of those before it times the product of those after it (no division, so zeros
    are fine)."""
    x = np.moveaxis(x, axis, -1)
    before, after = np.ones_like(x), np.ones_like(x)
    np.cumprod(x[..., :-1], axis=-1, out=before[..., 1:])
    np.cumprod(x[..., :0:-1], axis=-1, out=after[..., -2::-1])
    return np.moveaxis(before * after, -1, axis)


class Prod(Function):
    """z = the product of x along ``axis`` (of every value when None);
    dz/dx_i = the product of the other values (see :func:`_products_beside`)."""

    node_name = "ProdBackward0"

    @staticmethod
    def composite(x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
        """The values multiplied one at a time (for create_graph)."""
        values = x.reshape(-1) if axis is None else x
        pieces = values.unbind(0 if axis is None else axis)
        if not pieces:  # the empty product is 1
            out = values.sum(0 if axis is None else axis) + 1
        else:
            out = pieces[0]
            for piece in pieces[1:]:
                out = out * piece
        return out.reshape(_kept_shape(x.shape, axis)) if keepdims else out

    def forward(self, x: np.ndarray, axis: int | None = None, keepdims: bool = False
                ) -> np.ndarray:
        self.x, self.axis, self.keepdims = x, axis, keepdims
        return np.prod(x, axis=axis, dtype=x.dtype, keepdims=keepdims)  # x's dtype, as Sum

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x = self.x
        others = _products_beside(x.reshape(-1), 0).reshape(x.shape) if self.axis is None \
            else _products_beside(x, self.axis)
        return grad.reshape(_kept_shape(x.shape, self.axis)) * others


class Cumsum(Function):
    """z_i = x_0 + ... + x_i along ``axis``;  dL/dx_i = g_i + ... + g_last: the gradient
    summed from the end."""

    node_name = "CumsumBackward0"

    def forward(self, x: np.ndarray, axis: int = 0) -> np.ndarray:
        self.axis = axis
        return np.cumsum(x, axis=axis, dtype=x.dtype)  # in x's dtype, as Sum

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return cumsum_from_end(grad, self.axis)


class Cumprod(Function):
    """z_i = x_0 * ... * x_i along ``axis``;  dL/dx_i = sum over j >= i of g_j times the
    product of x_0 .. x_j but x_i, which is P_i * S_i with P_i = x_0 * ... * x_(i-1) and
    S_i = g_i + x_(i+1) * S_(i+1) (S_last = g_last): no division, so zeros are fine."""

    node_name = "CumprodBackward0"

    @staticmethod
    def composite(x: Any, axis: int = 0) -> Any:
        """The running product, one multiplication at a time (for create_graph)."""
        from minitorch.tensor import stack  # the composite builds on Tensor operations

        running = []
        for piece in x.unbind(axis):
            running.append(piece if not running else running[-1] * piece)
        return stack(running, axis) if running else x

    def forward(self, x: np.ndarray, axis: int = 0) -> np.ndarray:
        self.x, self.axis = x, axis
        return np.cumprod(x, axis=axis, dtype=x.dtype)  # in x's dtype, as Sum

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x, g = np.moveaxis(self.x, self.axis, 0), np.moveaxis(grad, self.axis, 0)
        if not len(x):
            return grad
        later = np.empty(g.shape, dtype=np.result_type(g, x))  # S_i
        later[-1] = g[-1]
        for i in range(len(x) - 2, -1, -1):
            later[i] = g[i] + x[i + 1] * later[i + 1]
        before = np.ones_like(x)  # P_i
        np.cumprod(x[:-1], axis=0, out=before[1:])
        return np.moveaxis(before * later, 0, self.axis)


class Norm(Function):
    """The p-norm over ``axis``: z = (sum of |x|**p) ** (1 / p); for p = inf the largest |x|,
    for p = -inf the smallest, for p = 0 the count of non-zero values.

    dz/dx = sign(x) * |x|**(p - 1) / z**(p - 1): x / z for p = 2, sign(x) for p = 1, and 0
    where z = 0 (as in PyTorch, so a zero vector gets a zero gradient, not NaN); for p = +-inf
    sign(x) at the extreme positions, shared equally on a tie; p = 0 passes no gradient.
    """

    node_name = "LinalgVectorNormBackward0"

    def forward(self, x: np.ndarray, p: float = 2.0, axis: Axis = None, keepdims: bool = False
                ) -> np.ndarray:
        axes = _reduced_axes(x.ndim, axis)
        magnitude = np.abs(x)
        if p == 0:
            out = np.count_nonzero(x, axis=axes, keepdims=True).astype(x.dtype)
        elif p in (math.inf, -math.inf):
            if any(x.shape[a] == 0 for a in axes):
                raise ValueError(f"the {p}-norm of no values is undefined (axis {axis})")
            reduce = np.maximum.reduce if p > 0 else np.minimum.reduce
            out = reduce(magnitude, axis=axes, keepdims=True)
            extreme = magnitude == out
            self.share = extreme / np.add.reduce(extreme, axis=axes, keepdims=True)
        elif p == 1:
            out = np.add.reduce(magnitude, axis=axes, keepdims=True)
        elif p == 2:
            out = np.sqrt(np.add.reduce(x * x, axis=axes, keepdims=True))
        else:
            out = np.add.reduce(magnitude**p, axis=axes, keepdims=True) ** (1 / p)
        self.x, self.p, self.kept = x, p, out.shape
        self.sign, self.zero = np.sign(x), out == 0
        self.out = out if keepdims else np.squeeze(out, axes)
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        p, x, sign = self.p, self.x, self.sign
        grad = grad.reshape(self.kept)
        if p == 0:
            return None  # a count: no gradient reaches x (as in PyTorch)
        if p == 1:
            return grad * sign
        if p in (math.inf, -math.inf):
            return grad * (sign * self.share)
        norm = where(self.zero, 1, self.out.reshape(self.kept))  # 0 / 1 where z = 0
        if p == 2:
            return grad * x / norm
        return grad * sign * (x * sign) ** (p - 1) / norm ** (p - 1)


def _log_cumsum_exp(x: np.ndarray, axis: int, from_end: bool = False) -> np.ndarray:
    """log(x_0 e + ... + x_i e) at each i along ``axis`` (summed from the end with
    ``from_end``): NumPy's logaddexp, which never overflows, accumulated."""
    if not from_end:
        return np.logaddexp.accumulate(x, axis=axis)
    return np.flip(np.logaddexp.accumulate(np.flip(x, axis), axis=axis), axis)


class LogCumsumExp(Function):
    """z_i = log(e**x_0 + ... + e**x_i) along ``axis``;
    dL/dx_j = sum over i >= j of g_i e**(x_j - z_i).

    The sum is taken in log space, for the positive and the negative gradients apart (their
    logarithms exist): log(sum over i >= j of |g_i| e**-z_i) is a log-cumsum-exp from the
    end of log|g_i| - z_i, so nothing overflows however large x is.
    """

    node_name = "LogcumsumexpBackward0"

    @staticmethod
    def composite(x: Any, axis: int = 0) -> Any:
        """Each z_i as the logsumexp of x_0 .. x_i (for create_graph)."""
        from minitorch.tensor import stack  # the composite builds on Tensor operations

        length = x.shape[axis]
        return stack([x.narrow(axis, 0, i + 1).logsumexp(axis) for i in range(length)], axis)

    def forward(self, x: np.ndarray, axis: int = 0) -> np.ndarray:
        self.x, self.axis = x, axis
        self.out = _log_cumsum_exp(x, axis)
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        x, out = self.x, self.out
        total = np.zeros(np.broadcast_shapes(x.shape, grad.shape), dtype=x.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            for sign in (1, -1):
                part = np.where(sign * grad > 0, np.log(np.abs(grad)) - out, -np.inf)
                total += sign * np.exp(x + _log_cumsum_exp(part, self.axis, from_end=True))
        return total
