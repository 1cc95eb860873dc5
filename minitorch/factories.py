"""Functions that make new tensors, with PyTorch's names, signatures and dtype rules: float
factories give float32 unless ``dtype`` says otherwise; integer ones (``randint``,
``randperm``, ``arange`` of ints) give int64.

Every random factory draws from the default generator, or from the
:class:`~minitorch.random.Generator` passed as ``generator=``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch import devices, dtypes
from minitorch import random as mt_random
from minitorch.tensor import Tensor, _shape_argument


def _new(array: np.ndarray, requires_grad: bool, device: Any) -> Tensor:
    if device is not None:
        devices.device(device)  # only checks: the CPU is the one device
    return Tensor._make(array, False).requires_grad_(requires_grad)


def _dtype(dtype: Any, default: np.dtype | None = None) -> np.dtype:
    """``dtype`` as a NumPy dtype; when None, ``default`` or else the default floating dtype."""
    if dtype is not None:
        return np.dtype(dtype)
    return dtypes.get_default_dtype() if default is None else default


def _float_dtype(dtype: Any, name: str) -> np.dtype:
    """``dtype`` (the default one when None), checked to be floating: random floats need
    one."""
    dtype = _dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{name} makes floating-point tensors, got dtype {dtype}")
    return dtype


def _check_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


# ----- from data ------------------------------------------------------------------------------


def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
           ) -> Tensor:
    """A new tensor holding a copy of ``data``, with ``torch.tensor``'s dtype rules (Python
    ints give int64, bools bool, floats float32; arrays keep their dtype)."""
    return Tensor._from_data(data, dtype, device, requires_grad)


# ----- filled with a constant -----------------------------------------------------------------


def zeros(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(_shape_argument(size), dtype=_dtype(dtype)), requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    return _new(np.ones(_shape_argument(size), dtype=_dtype(dtype)), requires_grad, device)


def empty(*size: Any, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor whose values are to be overwritten. PyTorch leaves them uninitialised;
    minitorch fills zeros, so that no garbage (or NaN) can ever be read from it."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad, device=device)


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; its dtype follows the value (int64
    for an int, bool for a bool, float32 for a float) unless ``dtype`` is given."""
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    fill_dtype = dtypes.infer(fill_value, np.asarray(fill_value))
    return _new(np.full(size, fill_value, dtype=_dtype(dtype, fill_dtype)), requires_grad, device)


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    return zeros(input.shape, dtype=_dtype(dtype, input.dtype),
                 requires_grad=requires_grad, device=device)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    return ones(input.shape, dtype=_dtype(dtype, input.dtype),
                requires_grad=requires_grad, device=device)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros of ``input``'s shape and dtype, as :func:`empty` gives."""
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None,
              device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``input``'s shape (and dtype, unless ``dtype``) filled with ``fill_value``."""
    return full(input.shape, fill_value, dtype=_dtype(dtype, input.dtype),
                requires_grad=requires_grad, device=device)


def eye(n: int, m: int | None = None, *, dtype: Any = None,
        device: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (n x n when ``m`` is left out)."""
    rows = _check_count(n, "eye: n")
    cols = rows if m is None else _check_count(m, "eye: m")
    return _new(np.eye(rows, cols, dtype=_dtype(dtype)), requires_grad, device)


# ----- ranges ---------------------------------------------------------------------------------


def arange(start: float = 0, end: float | None = None, step: float = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` by ``step``; ``arange(n)`` counts
    from 0 to n - 1. All-integer arguments give int64, any float gives float32; a 0-d
    tensor counts as the number it holds, as in PyTorch."""
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange needs a non-zero step")
    if (end - start) * step < 0:
        raise ValueError(
            f"arange from {start} to {end} never arrives with step {step} (wrong sign)"
        )
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    dtype = _dtype(dtype, dtypes.DEFAULT_INT if integral else None)
    return _new(np.arange(start, end, step).astype(dtype), requires_grad, device)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    count = _check_count(steps, "linspace: steps")
    return _new(np.linspace(start, end, count).astype(_dtype(dtype)), requires_grad, device)


# ----- random ---------------------------------------------------------------------------------


def rand(*size: Any, generator: mt_random.Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from the uniform distribution on [0, 1)."""
    values = mt_random.numpy_generator(generator).random(_shape_argument(size))
    return _new(values.astype(_float_dtype(dtype, "rand")), requires_grad, device)


def randn(*size: Any, generator: mt_random.Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from the standard normal distribution."""
    values = mt_random.numpy_generator(generator).standard_normal(_shape_argument(size))
    return _new(values.astype(_float_dtype(dtype, "randn")), requires_grad, device)


def rand_like(input: Tensor, *, generator: mt_random.Generator | None = None,
              dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``rand`` in ``input``'s shape and dtype (unless ``dtype``)."""
    return rand(input.shape, generator=generator, dtype=_dtype(dtype, input.dtype),
                requires_grad=requires_grad, device=device)


def randn_like(input: Tensor, *, generator: mt_random.Generator | None = None,
               dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``randn`` in ``input``'s shape and dtype (unless ``dtype``)."""
    return randn(input.shape, generator=generator,
                 dtype=_dtype(dtype, input.dtype), requires_grad=requires_grad, device=device)


def randint(low: int = 0, high: Any = None, size: Any = None, *,
            generator: mt_random.Generator | None = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high), in a tensor of ``size`` (int64).

    As in PyTorch, ``low`` may be left out: ``randint(high, size)``,
    ``randint(low, high, size)`` and ``randint(high=10, size=(3,))`` all work.
    """
    if size is None and high is not None and not isinstance(high, (int, np.integer)):
        low, high, size = 0, low, high  # randint(high, size)
    elif high is None:
        low, high = 0, low  # randint(high, size=...)
    if size is None:
        raise TypeError("randint needs a size, e.g. randint(0, 10, (3,))")
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"randint: {name} must be an int, got {type(value).__name__}")
    if not low < high:
        raise ValueError(f"randint needs low < high, got low={low}, high={high}")
    size = (size,) if isinstance(size, (int, np.integer)) else tuple(size)
    values = mt_random.numpy_generator(generator).integers(low, high, size, dtype=np.int64)
    return _new(values.astype(_dtype(dtype, dtypes.DEFAULT_INT)), requires_grad, device)


def randperm(n: int, *, generator: mt_random.Generator | None = None,
             dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0, 1, ..., n - 1 (int64)."""
    count = _check_count(n, "randperm: n")
    values = mt_random.numpy_generator(generator).permutation(count)
    return _new(values.astype(_dtype(dtype, dtypes.DEFAULT_INT)), requires_grad, device)
