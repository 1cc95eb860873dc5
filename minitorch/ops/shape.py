"""Operations that move values without changing them: the gradient moves back the same way."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.autograd import Function


class Reshape(Function):
    """z = x viewed with a new shape;  the gradient is reshaped back."""

    def forward(self, x: np.ndarray, shape: tuple[int, ...] = ()) -> np.ndarray:
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad.reshape(self.shape)


class Permute(Function):
    """z = x with its axes reordered;  the gradient is permuted by the inverse order."""

    def forward(self, x: np.ndarray, axes: tuple[int, ...] | None = None) -> np.ndarray:
        axes = tuple(reversed(range(x.ndim))) if axes is None else axes
        if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
            raise ValueError(f"permutation {axes} does not match a tensor with {x.ndim} dims")
        self.inverse = tuple(np.argsort([a % x.ndim for a in axes]))
        return np.transpose(x, axes)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return np.transpose(grad, self.inverse)


class Clone(Function):
    """z = a copy of x in new memory;  dz/dx = 1."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.copy()

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


class Expand(Function):
    """z = x broadcast to a larger shape;  the engine sums the gradient back to x's shape."""

    def forward(self, x: np.ndarray, shape: tuple[int, ...] = ()) -> np.ndarray:
        return np.broadcast_to(x, shape)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


def _is_basic_index(index: Any) -> bool:
    """True for indices made only of ints, slices, None and Ellipsis: each element of the
    result then comes from a distinct element of the input."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts
    )


class GetItem(Function):
    """z = x[index];  the gradient is scattered back, adding up where an index repeats."""

    def forward(self, x: np.ndarray, index: Any = None) -> np.ndarray:
        self.shape, self.dtype, self.index = x.shape, x.dtype, index
        try:
            return x[index]
        except IndexError as error:
            raise IndexError(f"index {index!r} into a tensor of shape {x.shape}: {error}") from None

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out = np.zeros(self.shape, dtype=self.dtype)
        if _is_basic_index(self.index):
            out[self.index] = grad
        else:
            np.add.at(out, self.index, grad)
        return out


class SetItem(Function):
    """z = x with z[index] = v (``x[index] = v`` recorded for autodiff);
    dz/dx = 1 except at the overwritten positions, where it is 0;  dz/dv = the gradient at
    those positions (the engine sums it back over any broadcast of v)."""

    def forward(self, x: np.ndarray, v: np.ndarray, index: Any = None) -> np.ndarray:
        self.index = index
        out = x.copy()
        try:
            out[index] = v
        except IndexError as error:
            raise IndexError(f"index {index!r} into a tensor of shape {x.shape}: {error}") from None
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        grad_x = grad.copy()
        grad_x[self.index] = 0
        return grad_x, grad[self.index]


class Concatenate(Function):
    """z = the inputs joined along an existing axis;  the gradient is split back."""

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        self.axis = axis
        self.boundaries = np.cumsum([a.shape[axis] for a in arrays[:-1]])
        return np.concatenate(arrays, axis=axis)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.split(grad, self.boundaries, axis=self.axis))


class Stack(Function):
    """z = the inputs joined along a new axis;  the gradient is taken apart along it."""

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        out = np.stack(arrays, axis=axis)
        self.axis = axis % out.ndim
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.moveaxis(grad, self.axis, 0))
