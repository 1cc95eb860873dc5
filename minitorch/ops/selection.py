"""Operations that keep some values and drop or replace the others (triangles, masks), or
pick values by position (sorting, top-k): the gradient flows back only to what was kept."""

from __future__ import annotations

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

    def forward(self, x: np.ndarray, src: np.ndarray, indices: np.ndarray | None = None,
                dim: int = 0) -> np.ndarray:
        self.index = along_dim_index(indices, dim)
        out = x.copy()
        np.add.at(out, self.index, src)
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return grad, grad[self.index]
