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
from minitorch.autograd import Function
from minitorch.tensor import Tensor, _shape_argument


def _new(array: np.ndarray, requires_grad: bool, device: Any) -> Tensor:
    if device is not None:
        devices.on_cpu(device)  # only checks: the CPU is the one device
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


# ----- PyTorch's legacy typed constructors ------------------------------------------------


class _LegacyTensorType(type):
    """The type of ``FloatTensor`` and the other legacy constructors: ``isinstance(x,
    FloatTensor)`` asks whether ``x`` is a Tensor of that dtype, as in PyTorch."""

    dtype: np.dtype | None

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and instance.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'minitorch.{cls.__name__}'>"


class _LegacyTensor(metaclass=_LegacyTensorType):
    """``FloatTensor(data)`` copies ``data`` into a tensor of the class's dtype,
    ``FloatTensor(2, 3)`` makes one of those sizes (zeros; PyTorch leaves it uninitialised),
    ``FloatTensor()`` an empty one, and ``FloatTensor(t)`` of a Tensor ``t`` of that dtype
    shares its memory. The result is a plain Tensor."""

    dtype = None

    def __new__(cls, *data: Any, device: Any = None) -> Tensor:  # type: ignore[misc]
        if len(data) == 1 and isinstance(data[0], Tensor):
            if data[0].dtype != cls.dtype:
                raise TypeError(f"{cls.__name__}(tensor) needs a tensor of dtype {cls.dtype}, "
                                f"got {data[0].dtype}")
            return data[0].detach()
        if len(data) == 1 and isinstance(data[0], (bool, float, np.bool_, np.floating)):
            raise TypeError(f"{cls.__name__}(data): data must be a sequence or integer sizes, "
                            f"got {type(data[0]).__name__}")
        return Tensor(*data, dtype=cls.dtype, device=device)


def _legacy_type(name: str, dtype: np.dtype) -> type:
    return _LegacyTensorType(name, (_LegacyTensor,), {"dtype": dtype, "__module__": __name__})


FloatTensor = _legacy_type("FloatTensor", dtypes.float32)
DoubleTensor = _legacy_type("DoubleTensor", dtypes.float64)
HalfTensor = _legacy_type("HalfTensor", dtypes.float16)
ByteTensor = _legacy_type("ByteTensor", dtypes.uint8)
CharTensor = _legacy_type("CharTensor", dtypes.int8)
ShortTensor = _legacy_type("ShortTensor", dtypes.int16)
IntTensor = _legacy_type("IntTensor", dtypes.int32)
LongTensor = _legacy_type("LongTensor", dtypes.int64)
BoolTensor = _legacy_type("BoolTensor", dtypes.bool)


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


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end`` whose exponents are evenly
    spaced, both ends included."""
    count = _check_count(steps, "logspace: steps")
    values = np.logspace(start, end, count, base=base)
    return _new(values.astype(_dtype(dtype)), requires_grad, device)


# ----- random ---------------------------------------------------------------------------------


def rand(*size: Any, generator: mt_random.Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from the uniform distribution on [0, 1)."""
    values = mt_random.chosen(generator).uniform(_shape_argument(size), _float_dtype(dtype, "rand"))
    return _new(values, requires_grad, device)


def randn(*size: Any, generator: mt_random.Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from the standard normal distribution."""
    values = mt_random.chosen(generator).normal(_shape_argument(size), _float_dtype(dtype, "randn"))
    return _new(values, requires_grad, device)


class Normal(Function):
    """z ~ N(mean, std), drawn element-wise over the broadcast shape of ``mean`` and ``std``.
    As in PyTorch, the gradients to ``mean`` and ``std`` are zero: the draw is not
    reparametrised."""

    node_name = "NormalBackward3"

    def forward(self, mean: np.ndarray, std: np.ndarray,
                generator: mt_random.Generator | None = None) -> np.ndarray:
        if std.size and not np.all(std >= 0):
            raise RuntimeError(f"normal expects std >= 0.0, but found std {np.min(std)}")
        self.shapes = mean.shape, std.shape
        dtype = mean.dtype if mean.dtype.kind == "f" else std.dtype
        # as PyTorch: standard normal samples, scaled and shifted
        shape = np.broadcast_shapes(mean.shape, std.shape)
        return (mt_random.chosen(generator).normal(shape, dtype) * std + mean).astype(dtype)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.shapes[0], grad.dtype), np.zeros(self.shapes[1], grad.dtype)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *,
           generator: mt_random.Generator | None = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from normal distributions, as ``torch.normal``'s overloads:
    ``normal(mean, std)`` with a Tensor ``mean`` and/or ``std`` (a float for the other) draws
    one sample per element of their broadcast shape, in the Tensor's dtype (``mean``'s when
    both are Tensors); ``normal(mean, std, size)`` with two floats draws a tensor of ``size``
    (float32 unless ``dtype``). ``std`` must be >= 0."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        if size is not None:
            raise TypeError(
                "normal takes size only with a float mean and std, got a Tensor mean or std "
                f"and size={size}"
            )
        tensor_dtype = (mean if isinstance(mean, Tensor) else std).dtype
        if tensor_dtype.kind != "f":
            raise TypeError(f"normal needs a floating-point mean and std, got {tensor_dtype}")
        # A float mean or std takes the Tensor's dtype; Normal keeps mean's.
        mean, std = (v if isinstance(v, Tensor) else Tensor._make(np.asarray(v, tensor_dtype),
                                                                   False) for v in (mean, std))
        return Normal.apply(mean, std, generator=generator)
    if size is None:
        raise TypeError(
            "normal with a float mean and std needs a size, e.g. normal(0.0, 1.0, (2, 3)); "
            "or pass a Tensor mean or std"
        )
    if not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    values = mt_random.chosen(generator).normal(_shape_argument((size,)),
                                                _float_dtype(dtype, "normal"), mean, std)
    return _new(values, requires_grad, device)


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
    values = mt_random.chosen(generator).integers(low, high, size)
    return _new(values.astype(_dtype(dtype, dtypes.DEFAULT_INT)), requires_grad, device)


def randperm(n: int, *, generator: mt_random.Generator | None = None,
             dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0, 1, ..., n - 1 (int64)."""
    count = _check_count(n, "randperm: n")
    values = mt_random.chosen(generator).permutation(count)
    return _new(values.astype(_dtype(dtype, dtypes.DEFAULT_INT)), requires_grad, device)
