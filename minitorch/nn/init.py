"""Weight initialisation, in place on a tensor's data (no graph is recorded).

Every function fills the tensor in place with values drawn from the default generator (so
``minitorch.manual_seed`` makes it reproducible) or from the ``generator`` it is given, keeps
its shape and dtype, and returns the tensor.

Fan-in and fan-out follow PyTorch's layouts: a weight is (out_features, in_features) as in
``Linear`` (``y = x @ W.T``), or (out_channels, in_channels, *kernel_size) as in ``Conv2d``,
so fan_in = shape[1] * kernel area and fan_out = shape[0] * kernel area (the kernel area is
1 for a 2-D weight).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np

from minitorch.random import Generator, chosen
from minitorch.tensor import Tensor

_GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0)}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which to scale a weight's standard deviation so that the activation
    ``nonlinearity`` keeps the variance of signals stable: 1 for linear and sigmoid, 5/3 for
    tanh, sqrt(2) for relu, sqrt(2 / (1 + slope**2)) for leaky_relu (slope ``param``,
    default 0.01)."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope * slope))
    if nonlinearity not in _GAINS:
        known = sorted([*_GAINS, "leaky_relu"])
        raise ValueError(f"nonlinearity must be one of {known}, got {nonlinearity!r}")
    return _GAINS[nonlinearity]


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape`` (out, in, *kernel_size): see the module
    docstring."""
    if len(shape) < 2:
        raise ValueError(
            f"fan-in and fan-out need a weight with at least 2 dimensions, got shape {shape}"
        )
    kernel_area = math.prod(shape[2:])
    return shape[1] * kernel_area, shape[0] * kernel_area


# True while :func:`minitorch.nn.utils.skip_init` builds a module: the functions below then
# leave the tensor as it is (and draw nothing from the generator).
_skipping = contextvars.ContextVar("skipping_init", default=False)
_Init = TypeVar("_Init", bound=Callable[..., Any])


@contextlib.contextmanager
def skipped() -> Iterator[None]:
    """Inside the block every initialisation function returns its tensor unchanged."""
    token = _skipping.set(True)
    try:
        yield
    finally:
        _skipping.reset(token)


def _skippable(function: _Init) -> _Init:
    @functools.wraps(function)
    def initialise(tensor: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if _skipping.get():
            _check_tensor(tensor)
            return tensor
        return function(tensor, *args, **kwargs)

    return initialise  # type: ignore[return-value]


def _check_tensor(tensor: object) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init functions fill a Tensor in place, got {type(tensor).__name__}")


def _fill(tensor: Tensor, values: np.ndarray | float) -> Tensor:
    _check_tensor(tensor)
    tensor._data[...] = values  # in place: the array keeps its identity, shape and dtype
    tensor._mark_modified()
    return tensor


@_skippable
def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Generator | None = None) -> Tensor:
    """Fill with samples from U(a, b)."""
    _check_tensor(tensor)
    if not a <= b:
        raise ValueError(f"uniform_ needs a <= b, got a={a}, b={b}")
    return _fill(tensor, chosen(generator).uniform(tensor.shape, tensor.dtype, a, b))


@_skippable
def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Generator | None = None) -> Tensor:
    """Fill with samples from N(mean, std**2)."""
    _check_tensor(tensor)
    if not std >= 0:
        raise ValueError(f"normal_ needs std >= 0, got {std}")
    return _fill(tensor, chosen(generator).normal(tensor.shape, tensor.dtype, mean, std))


@_skippable
def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0.0)


@_skippable
def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1.0)


@_skippable
def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill(tensor, val)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    _check_tensor(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fans(tensor.shape)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


@_skippable
def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He initialisation, uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan), which
    has std gain / sqrt(fan). ``a`` is the negative slope for ``nonlinearity="leaky_relu"``;
    ``mode="fan_in"`` keeps forward activations' variance, ``"fan_out"`` the gradients'."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return _fill(tensor, chosen(generator).uniform(tensor.shape, tensor.dtype, -bound, bound))


@_skippable
def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He initialisation, normal: N(0, std**2) with std = gain / sqrt(fan) (see
    ``kaiming_uniform_`` for the arguments)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return _fill(tensor, chosen(generator).normal(tensor.shape, tensor.dtype, 0.0, std))


def reset_layer_(weight: Tensor, bias: Tensor | None = None,
                 generator: Generator | None = None) -> None:
    """PyTorch's starting values for a Linear or convolution layer (its ``reset_parameters``):
    ``kaiming_uniform_(weight, a=sqrt(5))``, which is U(-b, b) with b = 1 / sqrt(fan_in), and
    the bias from the same U(-b, b). With the same seed, the layer starts from PyTorch's
    very numbers."""
    kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    if bias is not None:
        fan_in = fans(weight.shape)[0]
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound, generator=generator)


def _xavier_std(tensor: Tensor, gain: float) -> float:
    _check_tensor(tensor)
    fan_in, fan_out = fans(tensor.shape)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


@_skippable
def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: Generator | None = None) -> Tensor:
    """Glorot initialisation, uniform: U(-bound, bound) with
    bound = gain * sqrt(6 / (fan_in + fan_out))."""
    bound = math.sqrt(3.0) * _xavier_std(tensor, gain)
    return _fill(tensor, chosen(generator).uniform(tensor.shape, tensor.dtype, -bound, bound))


@_skippable
def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: Generator | None = None) -> Tensor:
    """Glorot initialisation, normal: N(0, std**2) with
    std = gain * sqrt(2 / (fan_in + fan_out))."""
    std = _xavier_std(tensor, gain)
    return _fill(tensor, chosen(generator).normal(tensor.shape, tensor.dtype, 0.0, std))


@_skippable
def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain``, as PyTorch does: the tensor seen
    as (shape[0], everything else) gets orthonormal rows or columns, whichever are fewer,
    from the QR decomposition of a standard normal draw (its signs fixed so that the result
    is uniformly distributed)."""
    _check_tensor(tensor)
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flattened = chosen(generator).normal((rows, cols), tensor.dtype)
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (q * gain).reshape(tensor.shape))
