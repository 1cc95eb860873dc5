"""Functions that make new tensors."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.random import generator
from minitorch.tensor import DEFAULT_DTYPE, Tensor, _shape_argument


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (same rules as ``Tensor(...)``)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._make(array, False).requires_grad_(requires_grad)


def zeros(*shape: Any, dtype: Any = DEFAULT_DTYPE, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(_shape_argument(shape), dtype=dtype), requires_grad)


def ones(*shape: Any, dtype: Any = DEFAULT_DTYPE, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(_shape_argument(shape), dtype=dtype), requires_grad)


def full(shape: Any, fill_value: float, dtype: Any = DEFAULT_DTYPE,
         requires_grad: bool = False) -> Tensor:
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _new(np.full(shape, fill_value, dtype=dtype), requires_grad)


def zeros_like(other: Tensor, requires_grad: bool = False) -> Tensor:
    return zeros(other.shape, dtype=other.dtype, requires_grad=requires_grad)


def ones_like(other: Tensor, requires_grad: bool = False) -> Tensor:
    return ones(other.shape, dtype=other.dtype, requires_grad=requires_grad)


def rand(*shape: Any, dtype: Any = DEFAULT_DTYPE, requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1), drawn from minitorch's seeded generator."""
    return _new(generator().random(_shape_argument(shape)).astype(dtype), requires_grad)


def randn(*shape: Any, dtype: Any = DEFAULT_DTYPE, requires_grad: bool = False) -> Tensor:
    """Standard normal samples, drawn from minitorch's seeded generator."""
    return _new(generator().standard_normal(_shape_argument(shape)).astype(dtype), requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop); int64 when every argument is an integer, else
    float32, unless ``dtype`` says otherwise."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, stop or 0, step))
        dtype = np.int64 if integral else DEFAULT_DTYPE
    return _new(values.astype(dtype), requires_grad)
