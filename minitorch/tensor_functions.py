"""Tensor methods as top-level functions, as PyTorch spells them: ``minitorch.exp(x)`` is
``x.exp()``, ``minitorch.sum(x, 1)`` is ``x.sum(1)``. Each only forwards to the method, so
the behaviour is defined (and documented) once, on :class:`~minitorch.tensor.Tensor`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minitorch.random import Generator
from minitorch.tensor import Histogram, Tensor, ValuesIndices, as_tensor


def exp(input: Tensor) -> Tensor:
    return as_tensor(input).exp()


def log(input: Tensor) -> Tensor:
    return as_tensor(input).log()


def log2(input: Tensor) -> Tensor:
    return as_tensor(input).log2()


def log10(input: Tensor) -> Tensor:
    return as_tensor(input).log10()


def sqrt(input: Tensor) -> Tensor:
    return as_tensor(input).sqrt()


def tanh(input: Tensor) -> Tensor:
    return as_tensor(input).tanh()


def erf(input: Tensor) -> Tensor:
    return as_tensor(input).erf()


def abs(input: Tensor) -> Tensor:
    return as_tensor(input).abs()


def sigmoid(input: Tensor) -> Tensor:
    return as_tensor(input).sigmoid()


def relu(input: Tensor) -> Tensor:
    return as_tensor(input).relu()


def clamp(input: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    return as_tensor(input).clamp(min, max)


clip = clamp


def pow(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent``; one of them may be a number."""
    base = input if isinstance(exponent, Tensor) else as_tensor(input)
    return base ** exponent


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    return as_tensor(input).sum(dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    return as_tensor(input).mean(dim, keepdim, dtype=dtype)


def std(input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: float | None = None) -> Tensor:
    return as_tensor(input).std(dim, unbiased, keepdim, correction=correction)


def var(input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: float | None = None) -> Tensor:
    return as_tensor(input).var(dim, unbiased, keepdim, correction=correction)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return as_tensor(input).logsumexp(dim, keepdim)


def amax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return as_tensor(input).amax(dim, keepdim)


def amin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return as_tensor(input).amin(dim, keepdim)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The largest value; ``(values, indices)`` along ``dim``; with a tensor as the second
    argument, the element-wise maximum (all as ``Tensor.max``)."""
    return as_tensor(input).max(dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return as_tensor(input).min(dim, keepdim)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return as_tensor(input).argmax(dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return as_tensor(input).argmin(dim, keepdim)


def softmax(input: Tensor, dim: int) -> Tensor:
    return as_tensor(input).softmax(dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    return as_tensor(input).log_softmax(dim)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return as_tensor(input).flatten(start_dim, end_dim)


def t(input: Tensor) -> Tensor:
    return as_tensor(input).t()


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return as_tensor(input).all(dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return as_tensor(input).any(dim, keepdim)


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    return as_tensor(input).allclose(other, rtol, atol, equal_nan)


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    return as_tensor(input).isclose(other, rtol, atol, equal_nan)


def equal(input: Tensor, other: Tensor) -> bool:
    return as_tensor(input).equal(as_tensor(other))


def eq(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).eq(other)


def ne(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).ne(other)


def lt(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).lt(other)


def le(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).le(other)


def gt(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).gt(other)


def ge(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).ge(other)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    return as_tensor(input).tril(diagonal)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    return as_tensor(input).triu(diagonal)


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    return as_tensor(input).masked_fill(mask, value)


def split(tensor: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0
          ) -> tuple[Tensor, ...]:
    return as_tensor(tensor).split(split_size_or_sections, dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    return as_tensor(input).chunk(chunks, dim)


def sort(input: Tensor, dim: int = -1, descending: bool = False) -> ValuesIndices:
    return as_tensor(input).sort(dim, descending)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
         ) -> ValuesIndices:
    return as_tensor(input).topk(k, dim, largest, sorted)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> Tensor:
    return as_tensor(input).multinomial(num_samples, replacement, generator=generator)


def histogram(input: Tensor, bins: Any = 100, *, range: tuple[float, float] | None = None,
              weight: Tensor | None = None, density: bool = False) -> Histogram:
    return as_tensor(input).histogram(bins, range=range, weight=weight, density=density)
