"""Reductions: many values in, fewer out. ``axis`` is an int, a tuple of ints or None (all)."""

from __future__ import annotations

import math

import numpy as np

from minitorch.autograd import Function
from minitorch.ops.generic import ARRAYS, exp

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


def _kept_shape(shape: tuple[int, ...], axis: Axis) -> tuple[int, ...]:
    """The shape of a reduction over ``axis`` with keepdims=True."""
    axes = _reduced_axes(len(shape), axis)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    """z = sum of x over axis;  dz/dx = 1 at every summed position."""

    def forward(self, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        return np.add.reduce(x, axis, None, None, keepdims)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return _spread(grad, self.shape, self.axis, self.keepdims)


class Mean(Function):
    """z = sum of x over axis / n;  dz/dx = 1 / n at every averaged position."""

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

    def forward(self, x: np.ndarray, axis: Axis = None, keepdims: bool = False) -> np.ndarray:
        shift = np.maximum.reduce(x, axis=axis, keepdims=True)
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

    def forward(self, x: np.ndarray, axis: int = -1) -> np.ndarray:
        exp = np.exp(x - np.maximum.reduce(x, axis=axis, keepdims=True))
        self.out = exp / np.add.reduce(exp, axis=axis, keepdims=True)
        self.axis = axis
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out = self.out
        return out * (grad - (grad * out).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """z = x - logsumexp(x) along axis;  dz/dx applied to g is g - softmax(x) * sum(g)."""

    def forward(self, x: np.ndarray, axis: int = -1) -> np.ndarray:
        shifted = x - np.maximum.reduce(x, axis=axis, keepdims=True)
        out = shifted - np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
        self.out, self.axis = out, axis
        return out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad - exp(self.out) * grad.sum(axis=self.axis, keepdims=True)
