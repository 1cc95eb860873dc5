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


# ----- gathering and scattering ---------------------------------------------------------------


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    return as_tensor(input).gather(dim, index)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    return as_tensor(input).take_along_dim(indices, dim)


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, value: Any = None
            ) -> Tensor:
    return as_tensor(input).scatter(dim, index, src, value)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return as_tensor(input).scatter_add(dim, index, src)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    return as_tensor(input).index_select(dim, index)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    return as_tensor(input).masked_select(mask)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    return as_tensor(input).nonzero(as_tuple=as_tuple)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    return as_tensor(input).narrow(dim, start, length)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    return as_tensor(input).unbind(dim)


# ----- shape ----------------------------------------------------------------------------------


def flip(input: Tensor, dims: Sequence[int]) -> Tensor:
    return as_tensor(input).flip(dims)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    return as_tensor(input).roll(shifts, dims)


def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Each value of ``input`` repeated ``repeats`` times; with ``input`` alone (counts), the
    positions 0, 1, ... each repeated its count of times."""
    if repeats is None:
        counts = as_tensor(input)
        return as_tensor(list(range(len(counts)))).repeat_interleave(counts)
    return as_tensor(input).repeat_interleave(repeats, dim, output_size=output_size)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    return as_tensor(input).squeeze(dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return as_tensor(input).unsqueeze(dim)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    return as_tensor(input).diag(diagonal)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return as_tensor(input).diagonal(offset, dim1, dim2)


def trace(input: Tensor) -> Tensor:
    return as_tensor(input).trace()


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    return as_tensor(input).outer(vec2)


ger = outer


# ----- element-wise math ----------------------------------------------------------------------


def square(input: Tensor) -> Tensor:
    return as_tensor(input).square()


def rsqrt(input: Tensor) -> Tensor:
    return as_tensor(input).rsqrt()


def sign(input: Tensor) -> Tensor:
    return as_tensor(input).sign()


def floor(input: Tensor) -> Tensor:
    return as_tensor(input).floor()


def ceil(input: Tensor) -> Tensor:
    return as_tensor(input).ceil()


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    return as_tensor(input).round(decimals)


def trunc(input: Tensor) -> Tensor:
    return as_tensor(input).trunc()


fix = trunc


def frac(input: Tensor) -> Tensor:
    return as_tensor(input).frac()


def fmod(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).fmod(other)


def remainder(input: Any, other: Any) -> Tensor:
    return as_tensor(input).remainder(other)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    return as_tensor(input).lerp(end, weight)


def clamp_min(input: Tensor, min: float) -> Tensor:
    return as_tensor(input).clamp_min(min)


def clamp_max(input: Tensor, max: float) -> Tensor:
    return as_tensor(input).clamp_max(max)


def logical_and(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).logical_and(other)


def logical_or(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).logical_or(other)


def logical_xor(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).logical_xor(other)


def logical_not(input: Tensor) -> Tensor:
    return as_tensor(input).logical_not()


# ----- products, cumulative reductions, norms ---------------------------------------------------


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
         ) -> Tensor:
    return as_tensor(input).prod(dim, keepdim, dtype=dtype)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return as_tensor(input).cumsum(dim, dtype=dtype)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return as_tensor(input).cumprod(dim, dtype=dtype)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    return as_tensor(input).norm(p, dim, keepdim, dtype)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    return as_tensor(input).bmm(mat2)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    return as_tensor(input).mm(mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    return as_tensor(input).mv(vec)


def dot(input: Tensor, other: Tensor) -> Tensor:
    return as_tensor(input).dot(other)


# ----- sorting and counting ---------------------------------------------------------------------


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
            ) -> Tensor:
    return as_tensor(input).argsort(dim, descending, stable)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    return as_tensor(input).median(dim, keepdim)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    return as_tensor(input).unique(sorted, return_inverse, return_counts, dim)


def bincount(input: Tensor, weights: Any = None, minlength: int = 0) -> Tensor:
    return as_tensor(input).bincount(weights, minlength)
