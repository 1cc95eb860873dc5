"""Operations that keep some values and drop or replace the others (triangles, masks), or
pick values by position (sorting, top-k): the gradient flows back only to what was kept."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.autograd import Function
from minitorch.ops.generic import index_add, where


class Triangle(Function):
    """z = x on and below diagonal k of the last two axes, 0 above (tril); with ``upper``,
    x on and above diagonal k, 0 below (triu). Diagonal k = 0 is the main one, k > 0 above.
    dz/dx = 1 where x was kept, 0 where it was zeroed: the gradient is masked the same way."""

    def forward(self, x: np.ndarray, diagonal: int = 0, upper: bool = False) -> np.ndarray:
        if x.ndim < 2:
            name = "triu" if upper else "tril"
            raise ValueError(f"{name} needs at least 2 dimensions, got shape {x.shape}")
        rows, cols = x.shape[-2:]
        lower = np.tri(rows, cols, k=diagonal - 1 if upper else diagonal, dtype=bool)
        self.keep = ~lower if upper else lower
        return np.where(self.keep, x, x.dtype.type(0))

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return where(self.keep, grad, 0)


class MaskedFill(Function):
    """z = value where mask else x (mask broadcast against x);  dz/dx = 0 where mask, else 1.
    ``value`` is a number and gets no gradient."""

    node_name = "MaskedFillBackward0"

    def forward(self, x: np.ndarray, mask: np.ndarray | None = None, value: float = 0.0
                ) -> np.ndarray:
        self.mask = mask
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return where(self.mask, 0, grad)


def along_dim_index(indices: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The integer-array index that picks ``indices`` along axis ``dim`` of an array: position
    (i, ..., j) of the result is x[i, ..., indices[i, ..., j], ..., j]."""
    index = []
    for axis, length in enumerate(indices.shape):
        if axis == dim:
            index.append(indices)
        else:
            shape = [1] * indices.ndim
            shape[axis] = length
            index.append(np.arange(length).reshape(shape))
    return tuple(index)


class TakeAlongDim(Function):
    """z = x picked at ``indices`` along axis ``dim`` (as ``np.take_along_axis``): the values
    that sort and topk select. dz/dx scatters each gradient back to the position it was
    picked from, adding up where a position is picked more than once."""

    def forward(self, x: np.ndarray, indices: np.ndarray | None = None, dim: int = 0
                ) -> np.ndarray:
        self.shape = x.shape
        self.index = along_dim_index(indices, dim)
        return x[self.index]

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return index_add(grad, self.shape, self.index)


class ScatterAdd(Function):
    """z = x with src added at ``indices`` along axis ``dim``: position (i, ..., j) of src is
    added to z at (i, ..., indices[i, ..., j], ..., j), adding up where positions repeat
    (src has the shape of ``indices``). dz/dx = 1; dz/dsrc = the gradient gathered back
    from the same positions."""

    node_name = "ScatterAddBackward0"

    def forward(self, x: np.ndarray, src: np.ndarray, indices: np.ndarray | None = None,
                dim: int = 0) -> np.ndarray:
        self.index = along_dim_index(indices, dim)
        out = x.copy()
        np.add.at(out, self.index, src)
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return grad, grad[self.index]


# The ufunc that combines the values landing on a position, for each reduction of
# scatter_reduce, and the value that a position not taking part starts from.
_COMBINE = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
            "amin": np.minimum}


def _starting_value(reduce: str, dtype: np.dtype) -> Any:
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "b":
        return reduce == "amin"
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    return np.iinfo(dtype).min if reduce == "amax" else np.iinfo(dtype).max


def scatter_reduced(x: np.ndarray, src: np.ndarray, index: tuple[np.ndarray, ...], reduce: str,
                    include_self: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x with the values of src combined in at ``index`` by ``reduce`` (see ScatterReduce);
    also where some value landed and, per position, how many values were combined."""
    landed = np.zeros(x.shape, dtype=bool)
    landed[index] = True
    out = x.copy()
    if not include_self:
        out[landed] = _starting_value(reduce, x.dtype)
    _COMBINE[reduce].at(out, index, src)
    counts = np.full(x.shape, int(include_self), dtype=np.int64)
    np.add.at(counts, index, 1)
    if reduce == "mean":
        divisor = np.maximum(counts, 1)  # a position nothing landed on keeps its value
        if out.dtype.kind == "f":
            out /= divisor.astype(out.dtype)
        else:
            out //= divisor  # PyTorch rounds an integer mean down
    return out, landed, counts


class ScatterReduce(Function):
    """z = x with the values of src combined in at ``indices`` along axis ``dim``: position
    (i, ..., j) of src lands on (i, ..., indices[i, ..., j], ..., j), and each position of z
    is the ``reduce`` ("sum", "mean", "amax" or "amin") of the values landing on it, x's own
    value among them when ``include_self`` (a position nothing lands on keeps x's value).

    Each of these is a weighted sum of the values combined: weights 1 (sum), 1/count (mean),
    or, for amax/amin, 1/ties on the values equal to the result and 0 on the others. So
    dL/dx = g * w_x and dL/dsrc = g gathered back from where each value landed, times w_src,
    with the weights as constants (as in PyTorch, x's value counts among the ties even when
    it is not included, and then gets no gradient). Written once for arrays and tensors.
    """

    node_name = "ScatterReduceBackward0"

    def forward(self, x: np.ndarray, src: np.ndarray, indices: np.ndarray | None = None,
                dim: int = 0, reduce: str = "sum", include_self: bool = True) -> np.ndarray:
        self.index = along_dim_index(indices, dim)
        out, landed, counts = scatter_reduced(x, src, self.index, reduce, include_self)
        # Under other names than the inputs': the weights are constants of the formula.
        self.values, self.sources, self.result = x, src, out
        self.reduce, self.landed, self.counts, self.include_self = reduce, landed, counts, \
            include_self
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        weight_x, weight_src = self.weights()
        return grad * weight_x, grad[self.index] * weight_src

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        dtype = self.values.dtype
        keep = np.ones(self.values.shape, dtype=dtype)
        if not self.include_self:
            keep[self.landed] = 0
        if self.reduce == "sum":
            return keep, np.ones(self.index[0].shape, dtype=dtype)
        if self.reduce == "mean":
            share = 1 / np.maximum(self.counts, 1).astype(dtype)
            return keep * share, share[self.index]
        x_wins = self.values == self.result
        src_wins = self.sources == self.result[self.index]
        ties = x_wins.astype(dtype)
        np.add.at(ties, self.index, src_wins.astype(dtype))
        with np.errstate(divide="ignore"):  # a NaN result ties with nothing
            share = 1 / ties
        return keep * x_wins * share, src_wins * share[self.index]


class ScatterProd(Function):
    """z = x with the values of src multiplied in at ``indices`` along axis ``dim`` (see
    ScatterReduce), x's own value among them when ``include_self``.

    dL/dx = g * the product of the values of src landing on its position; dL/dsrc = g * the
    product of the other values at its position, as in PyTorch: z divided by the value, or,
    for the only zero landing on a position, the product with it taken out (0/0 otherwise).
    """

    node_name = "ScatterReduceBackward0"

    @staticmethod
    def composite(x: Any, src: Any, indices: np.ndarray | None = None, dim: int = 0,
                  include_self: bool = True) -> Any:
        """The values multiplied in a round at a time, each round taking at most one value
        for each position (for create_graph)."""
        from minitorch.ops.shape import SetItem
        from minitorch.tensor import Tensor  # the composite builds on Tensor operations

        index = along_dim_index(indices, dim)
        targets = np.ravel_multi_index(tuple(np.broadcast_to(i, indices.shape) for i in index),
                                       x.shape).reshape(-1)
        order = np.argsort(targets, kind="stable")
        ranks = np.empty_like(order)
        ranks[order] = np.arange(len(order)) - np.searchsorted(targets[order], targets[order])
        out = x
        if not include_self:
            landed = np.zeros(x.shape, dtype=bool)
            landed[index] = True
            out = where(landed, 1, x)
        values, ones = src.reshape(-1), Tensor._make(np.ones(x.shape, dtype=x.dtype), False)
        for rank in range(int(ranks.max(initial=-1)) + 1):
            chosen = ranks == rank
            at = np.unravel_index(targets[chosen], x.shape)
            out = out * SetItem.apply(ones, values[chosen], index=at)
        return out

    def forward(self, x: np.ndarray, src: np.ndarray, indices: np.ndarray | None = None,
                dim: int = 0, include_self: bool = True) -> np.ndarray:
        self.index, self.include_self = along_dim_index(indices, dim), include_self
        self.out, self.landed, _ = scatter_reduced(x, src, self.index, "prod", include_self)
        self.x, self.src = x, src
        return self.out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, src, index, include_self = self.x, self.src, self.index, self.include_self
        landing, _, _ = scatter_reduced(np.ones_like(x), src, index, "prod", True)
        grad_x = grad * landing  # x's factor: the product of the values landing beside it
        if not include_self:
            grad_x[self.landed] = 0
        src_zero = src == 0
        zeros_landing = np.zeros(x.shape, dtype=np.int64)
        np.add.at(zeros_landing, index, src_zero)
        single_zero = src_zero & (zeros_landing[index] == 1)
        without_src_zero, _, _ = scatter_reduced(x, np.where(single_zero, 1, src), index,
                                                 "prod", include_self)
        grad_src = np.where(single_zero, (grad * without_src_zero)[index],
                            (grad * self.out)[index] / np.where(src_zero, 1, src))
        return grad_x, grad_src
