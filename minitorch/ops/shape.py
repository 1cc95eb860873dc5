"""Operations that move values without changing them: the gradient moves back the same way."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.autograd import Function, ScatteredGrad, add_at_index
from minitorch.ops.generic import copy, index_add, permute


class View(Function):
    """An operation whose result may be a view of its first input's memory (reshape,
    indexing, a permutation): such a result shares the input's record of in-place changes,
    as views do in PyTorch, so a write through either makes backward raise where a saved
    value went stale."""

    @classmethod
    def apply(cls, *inputs: Any, **options: Any) -> Any:
        out = super().apply(*inputs, **options)
        if np.may_share_memory(out._data, inputs[0]._data):
            out._modified_at = inputs[0]._change_record()
        return out


class Reshape(View):
    """z = x viewed with a new shape;  the gradient is reshaped back."""

    node_name = "ViewBackward0"

    def forward(self, x: np.ndarray, shape: tuple[int, ...] = ()) -> np.ndarray:
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad.reshape(self.shape)


class Permute(View):
    """z = x with its axes reordered;  the gradient is permuted by the inverse order."""

    node_name = "PermuteBackward0"

    def forward(self, x: np.ndarray, axes: tuple[int, ...] | None = None) -> np.ndarray:
        axes = tuple(reversed(range(x.ndim))) if axes is None else axes
        if sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
            raise ValueError(f"permutation {axes} does not match a tensor with {x.ndim} dims")
        self.inverse = tuple(np.argsort([a % x.ndim for a in axes]))
        return np.transpose(x, axes)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return permute(grad, self.inverse)


class Clone(Function):
    """z = a copy of x in new memory;  dz/dx = 1."""

    node_name = "CloneBackward0"

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.copy()

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


class Expand(View):
    """z = x broadcast to a larger shape;  the engine sums the gradient back to x's shape."""

    node_name = "ExpandBackward0"

    def forward(self, x: np.ndarray, shape: tuple[int, ...] = ()) -> np.ndarray:
        return np.broadcast_to(x, shape)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


class GetItem(View):
    """z = x[index];  the gradient is scattered back, adding up where an index repeats."""

    def forward(self, x: np.ndarray, index: Any = None) -> np.ndarray:
        self.shape, self.index = x.shape, index
        try:
            out = x[index]
            if type(out) is not np.ndarray:  # one element: a 0-d view instead of a NumPy
                # scalar, so that writing into it writes into x, as a PyTorch view does
                out = x[(*index, ...) if type(index) is tuple else (index, ...)]
            return out
        except IndexError as error:
            raise IndexError(f"index {index!r} into a tensor of shape {x.shape}: {error}") from None

    def backward(self, grad: np.ndarray) -> np.ndarray | ScatteredGrad:
        if type(grad) is np.ndarray:  # first order: the engine adds it where it lands
            return ScatteredGrad(grad, self.shape, self.index)
        return index_add(grad, self.shape, self.index)


class IndexAdd(Function):
    """z = zeros of a shape with v added at index (repeated positions add up): the gradient
    of GetItem as an operation of its own, so it can be differentiated again;
    dz/dv = the gradient at index."""

    def forward(self, v: np.ndarray, shape: tuple[int, ...] = (), index: Any = None) -> np.ndarray:
        self.index = index
        return add_at_index(v, shape, index)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad[self.index]


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
        grad_x = copy(grad)
        grad_x[self.index] = 0
        return grad_x, grad[self.index]


class Unfold(View):
    """z = the windows of ``size`` values, ``step`` apart, along ``axis`` of x: that axis
    becomes the count of windows, (length - size) // step + 1, and a new last axis runs along
    each window. z is a read-only view of x's memory (nothing is copied).

    dL/dx: the gradient of each window added back onto the positions it covers, overlapping
    windows adding up; one strided addition per position within a window.
    """

    node_name = "UnfoldBackward0"

    @staticmethod
    def composite(x: Any, axis: int = 0, size: int = 1, step: int = 1) -> Any:
        """The windows picked by position (for create_graph)."""
        starts = np.arange(0, x.shape[axis] - size + 1, step)
        picked = x[(slice(None),) * axis + (starts[:, None] + np.arange(size),)]
        return picked.movedim(axis + 1, -1)

    def forward(self, x: np.ndarray, axis: int = 0, size: int = 1, step: int = 1
                ) -> np.ndarray:
        self.shape, self.axis, self.step = x.shape, axis, step
        windows = np.lib.stride_tricks.sliding_window_view(x, size, axis=axis)
        return windows[(slice(None),) * axis + (slice(None, None, step),)]

    def backward(self, grad: np.ndarray) -> np.ndarray:
        out = np.zeros(self.shape, dtype=grad.dtype)
        lead, step = (slice(None),) * self.axis, self.step
        last = step * (grad.shape[self.axis] - 1)  # where the last window starts
        for k in range(grad.shape[-1]):  # position k of every window at once
            out[(*lead, slice(k, k + last + 1, step))] += grad[..., k]
        return out


class Concatenate(Function):
    """z = the inputs joined along an existing axis;  the gradient is split back."""

    node_name = "CatBackward0"

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        out = np.concatenate(arrays, axis=axis)
        self.axis = axis % out.ndim
        self.edges = np.cumsum([0] + [a.shape[axis] for a in arrays]).tolist()
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        before = (slice(None),) * self.axis
        return tuple(grad[(*before, slice(start, stop))]
                     for start, stop in zip(self.edges, self.edges[1:]))


class Stack(Function):
    """z = the inputs joined along a new axis;  the gradient is taken apart along it."""

    node_name = "StackBackward0"

    def forward(self, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        out = np.stack(arrays, axis=axis)
        self.axis = axis % out.ndim
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        before = (slice(None),) * self.axis
        return tuple(grad[(*before, i)] for i in range(grad.shape[self.axis]))


# PyTorch's padding modes and the np.pad modes that pick the same values.
PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
             "circular": "wrap"}


class Pad(Function):
    """z = x with ``widths[axis]`` = (before, after) values added along each axis: the
    constant ``value``, or in the other modes copies of x's own values. Along an axis of
    length n, position i of z then holds x at source[i] = np.pad(arange(n), (before, after),
    mode)[i]: mirrored about the edge ('reflect', less than n on each side), the edge
    repeated ('replicate'), or wrapped around from the other end ('circular', at most n).

    dL/dx, one padded axis at a time: the gradient of the inside, plus the gradient of each
    border position added onto its source (none for a constant). A corner is a copy of a
    copy, so its gradient travels back along both axes.
    """

    @staticmethod
    def composite(x: Any, widths: tuple[tuple[int, int], ...] = (), mode: str = "constant",
                  value: float = 0.0) -> Any:
        """x added into zeros (plus the constant around it), or x gathered at the sources."""
        from minitorch.tensor import Tensor  # the composite builds on Tensor operations

        shape = tuple(n + before + after for n, (before, after) in zip(x.shape, widths))
        if mode == "constant":
            inside = tuple(slice(before, before + n) for n, (before, _) in zip(x.shape, widths))
            padded = IndexAdd.apply(x, shape=shape, index=inside)
            if not value:
                return padded
            border = np.full(shape, value, dtype=x.dtype)
            border[inside] = 0
            return padded + Tensor._make(border, False)
        return x[np.ix_(*(_sources(n, width, mode) for n, width in zip(x.shape, widths)))]

    def forward(self, x: np.ndarray, widths: tuple[tuple[int, int], ...] = (),
                mode: str = "constant", value: float = 0.0) -> np.ndarray:
        for length, (before, after) in zip(x.shape, widths, strict=True):
            limit = {"reflect": length - 1, "circular": length}.get(mode)
            if limit is not None and (before or after) and max(before, after) > limit:
                raise ValueError(
                    f"pad mode {mode!r} pads an axis of length {length} by at most {limit} on "
                    f"each side, got ({before}, {after})"
                )
            if mode == "replicate" and (before or after) and not length:
                raise ValueError("pad mode 'replicate' cannot pad an axis of length 0")
        self.widths, self.mode = widths, mode
        if mode == "constant":
            return np.pad(x, widths, constant_values=value)
        return np.pad(x, widths, mode=PAD_MODES[mode])

    def backward(self, grad: np.ndarray) -> np.ndarray:
        inside = tuple(slice(before, n - after) for n, (before, after) in
                       zip(grad.shape, self.widths))
        if self.mode == "constant":
            return grad[inside]
        grad = grad.copy()  # the border's gradients are added onto their sources in place
        for axis, (before, after) in enumerate(self.widths):
            length = grad.shape[axis] - before - after
            sources = before + _sources(length, (before, after), self.mode)  # in z's positions
            lead = (slice(None),) * axis
            for i in (*range(before), *range(before + length, len(sources))):
                grad[(*lead, sources[i])] += grad[(*lead, i)]
        return grad[inside]


def _sources(length: int, width: tuple[int, int], mode: str) -> np.ndarray:
    """Where each position along a padded axis takes its value from (see :class:`Pad`)."""
    return np.pad(np.arange(length), width, mode=PAD_MODES[mode])
