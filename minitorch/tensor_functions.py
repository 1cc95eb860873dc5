"""Tensor methods as top-level functions, as PyTorch spells them: ``minitorch.exp(x)`` is
``x.exp()``, ``minitorch.sum(x, 1)`` is ``x.sum(1)``. Each only forwards to the method, so
the behaviour is defined (and documented) once, on :class:`~minitorch.tensor.Tensor`; the
last section holds the functions PyTorch has no method for (``hstack``, ``meshgrid``,
``searchsorted``, ...)."""

from __future__ import annotations

import builtins
import functools
import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.dtypes import int32, int64
from minitorch.factories import ones
from minitorch.random import Generator
from minitorch.tensor import (
    Histogram,
    MantissaExponent,
    MinMax,
    Tensor,
    ValuesIndices,
    as_tensor,
    cat,
    cross_product,
    stack,
    written_to,
)


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


absolute = abs


def positive(input: Tensor) -> Tensor:
    return as_tensor(input).positive()


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


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    return as_tensor(input).softmax(dim, dtype)


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    return as_tensor(input).log_softmax(dim, dtype)


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


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool | None = False
         ) -> ValuesIndices:
    return as_tensor(input).sort(dim, descending, stable=stable)


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


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, value: Any = None, *,
            reduce: str | None = None) -> Tensor:
    return as_tensor(input).scatter(dim, index, src, value, reduce=reduce)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return as_tensor(input).scatter_add(dim, index, src)


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    return as_tensor(input).scatter_reduce(dim, index, src, reduce, include_self=include_self)


def index_put(input: Tensor, indices: Sequence[Tensor], values: Tensor,
              accumulate: bool = False) -> Tensor:
    return as_tensor(input).index_put(indices, values, accumulate)


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    return as_tensor(input).put(index, source, accumulate)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    return as_tensor(input).masked_scatter(mask, source)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    return as_tensor(input).index_select(dim, index)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    return as_tensor(input).masked_select(mask)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    return as_tensor(input).nonzero(as_tuple=as_tuple)


def argwhere(input: Tensor) -> Tensor:
    return as_tensor(input).argwhere()


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


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    return as_tensor(input).rot90(k, dims)


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    return as_tensor(input).unflatten(dim, sizes)


def hsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    return as_tensor(input).hsplit(indices_or_sections)


def vsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    return as_tensor(input).vsplit(indices_or_sections)


def dsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    return as_tensor(input).dsplit(indices_or_sections)


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


# ----- linear algebra: PyTorch's older forms (minitorch.linalg has the current ones) ----------


def det(input: Tensor) -> Tensor:
    return as_tensor(input).det()


def logdet(input: Tensor) -> Tensor:
    return as_tensor(input).logdet()


def slogdet(input: Tensor) -> Any:
    return as_tensor(input).slogdet()


def inverse(input: Tensor) -> Tensor:
    return as_tensor(input).inverse()


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    return as_tensor(input).pinverse(rcond)


def matrix_power(input: Tensor, n: int) -> Tensor:
    return as_tensor(input).matrix_power(n)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    return as_tensor(input).cholesky(upper)


def qr(input: Tensor, some: bool = True) -> Any:
    return as_tensor(input).qr(some)


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:
    return as_tensor(input).svd(some, compute_uv)


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


# ----- trigonometric, hyperbolic, exponential and related functions ---------------------------


def sin(input: Tensor) -> Tensor:
    return as_tensor(input).sin()


def cos(input: Tensor) -> Tensor:
    return as_tensor(input).cos()


def tan(input: Tensor) -> Tensor:
    return as_tensor(input).tan()


def asin(input: Tensor) -> Tensor:
    return as_tensor(input).asin()


def acos(input: Tensor) -> Tensor:
    return as_tensor(input).acos()


def atan(input: Tensor) -> Tensor:
    return as_tensor(input).atan()


def sinh(input: Tensor) -> Tensor:
    return as_tensor(input).sinh()


def cosh(input: Tensor) -> Tensor:
    return as_tensor(input).cosh()


def asinh(input: Tensor) -> Tensor:
    return as_tensor(input).asinh()


def acosh(input: Tensor) -> Tensor:
    return as_tensor(input).acosh()


def atanh(input: Tensor) -> Tensor:
    return as_tensor(input).atanh()


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def expm1(input: Tensor) -> Tensor:
    return as_tensor(input).expm1()


def log1p(input: Tensor) -> Tensor:
    return as_tensor(input).log1p()


def exp2(input: Tensor) -> Tensor:
    return as_tensor(input).exp2()


def erfc(input: Tensor) -> Tensor:
    return as_tensor(input).erfc()


def reciprocal(input: Tensor) -> Tensor:
    return as_tensor(input).reciprocal()


def deg2rad(input: Tensor) -> Tensor:
    return as_tensor(input).deg2rad()


def rad2deg(input: Tensor) -> Tensor:
    return as_tensor(input).rad2deg()


def neg(input: Tensor) -> Tensor:
    return as_tensor(input).neg()


negative = neg


def sgn(input: Tensor) -> Tensor:
    return as_tensor(input).sgn()


def isnan(input: Tensor) -> Tensor:
    return as_tensor(input).isnan()


def isinf(input: Tensor) -> Tensor:
    return as_tensor(input).isinf()


def isfinite(input: Tensor) -> Tensor:
    return as_tensor(input).isfinite()


def signbit(input: Tensor) -> Tensor:
    return as_tensor(input).signbit()


def atan2(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).atan2(other)


arctan2 = atan2


def hypot(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).hypot(other)


def logaddexp(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).logaddexp(other)


def copysign(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).copysign(other)


def fmax(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).fmax(other)


def fmin(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).fmin(other)


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, 0 where input is 0; either may be a number."""
    return as_tensor(input).xlogy(other)


def float_power(input: Any, exponent: Any) -> Tensor:
    return as_tensor(input).float_power(exponent)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    return as_tensor(input).logit(eps)


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    return as_tensor(input).nan_to_num(nan, posinf, neginf)


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


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    return as_tensor(input).dot(tensor)


# ----- sorting and counting ---------------------------------------------------------------------


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
            ) -> Tensor:
    return as_tensor(input).argsort(dim, descending, stable)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    return as_tensor(input).median(dim, keepdim)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    return as_tensor(input).nanmedian(dim, keepdim)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def clamp_min_(input: Tensor, min: float) -> Tensor:
    return input.clamp_min_(min)


def clamp_max_(input: Tensor, max: float) -> Tensor:
    return input.clamp_max_(max)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    return as_tensor(input).tile(dims)


def fliplr(input: Tensor) -> Tensor:
    return as_tensor(input).fliplr()


def flipud(input: Tensor) -> Tensor:
    return as_tensor(input).flipud()


def select(input: Tensor, dim: int, index: int) -> Tensor:
    return as_tensor(input).select(dim, index)


def msort(input: Tensor) -> Tensor:
    return as_tensor(input).msort()


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    return as_tensor(input).dist(other, p)


def vdot(input: Tensor, other: Tensor) -> Tensor:
    return as_tensor(input).vdot(other)


def is_signed(input: Tensor) -> bool:
    return input.is_signed()


def is_same_size(input: Tensor, other: Tensor) -> bool:
    return input.is_same_size(other)


def is_nonzero(input: Tensor) -> bool:
    return input.is_nonzero()


def get_device(input: Tensor) -> int:
    return input.get_device()


def isposinf(input: Tensor) -> Tensor:
    return as_tensor(input).isposinf()


def isneginf(input: Tensor) -> Tensor:
    return as_tensor(input).isneginf()


def logaddexp2(input: Tensor, other: Any) -> Tensor:
    return as_tensor(input).logaddexp2(other)


def split_with_sizes(input: Tensor, split_sizes: Sequence[int], dim: int = 0
                     ) -> tuple[Tensor, ...]:
    return as_tensor(input).split_with_sizes(split_sizes, dim)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    return as_tensor(input).diag_embed(offset, dim1, dim2)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    return as_tensor(input).diagflat(offset)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    return as_tensor(input).index_copy(dim, index, source)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    return as_tensor(input).renorm(p, dim, maxnorm)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    return as_tensor(input).hardshrink(lambd)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    return as_tensor(input).unique(sorted, return_inverse, return_counts, dim)


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim: int | None = None) -> Any:
    return as_tensor(input).unique_consecutive(return_inverse, return_counts, dim)


def bincount(input: Tensor, weights: Any = None, minlength: int = 0) -> Tensor:
    return as_tensor(input).bincount(weights, minlength)


# ----- method forms: arithmetic, shape, selection and running reductions ------------------------


def add(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    return written_to(out, as_tensor(input).add(other, alpha=alpha))


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    return written_to(out, as_tensor(input).sub(other, alpha=alpha))


subtract = sub


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    return written_to(out, as_tensor(input).mul(other))


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None,
        out: Tensor | None = None) -> Tensor:
    return written_to(out, as_tensor(input).div(other, rounding_mode=rounding_mode))


divide = div


def true_divide(input: Any, other: Any) -> Tensor:
    return as_tensor(input).true_divide(other)


def floor_divide(input: Any, other: Any) -> Tensor:
    return as_tensor(input).floor_divide(other)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return as_tensor(input).transpose(dim0, dim1)


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    return as_tensor(input).swapaxes(axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return as_tensor(input).swapdims(dim0, dim1)


def permute(input: Tensor, dims: Sequence[int]) -> Tensor:
    return as_tensor(input).permute(dims)


def reshape(input: Tensor, shape: Sequence[int]) -> Tensor:
    return as_tensor(input).reshape(shape)


def clone(input: Tensor) -> Tensor:
    return as_tensor(input).clone()


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    return as_tensor(input).movedim(source, destination)


moveaxis = movedim


def ravel(input: Tensor) -> Tensor:
    return as_tensor(input).ravel()


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    return as_tensor(input).tensor_split(indices_or_sections, dim)


def take(input: Tensor, index: Tensor) -> Tensor:
    return as_tensor(input).take(index)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None
         ) -> Tensor:
    return as_tensor(input).diff(n, dim, prepend, append)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    return as_tensor(input).count_nonzero(dim)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
           ) -> Tensor:
    return as_tensor(input).nansum(dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
            ) -> Tensor:
    return as_tensor(input).nanmean(dim, keepdim, dtype=dtype)


def cummax(input: Tensor, dim: int) -> ValuesIndices:
    return as_tensor(input).cummax(dim)


def cummin(input: Tensor, dim: int) -> ValuesIndices:
    return as_tensor(input).cummin(dim)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    return as_tensor(input).kthvalue(k, dim, keepdim)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
    return as_tensor(input).mode(dim, keepdim)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1
              ) -> Tensor:
    return as_tensor(input).index_add(dim, index, source, alpha=alpha)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    return as_tensor(input).index_fill(dim, index, value)


def bernoulli(input: Tensor, *, generator: Generator | None = None) -> Tensor:
    return as_tensor(input).bernoulli(generator=generator)


# ----- products with an added term, other products ---------------------------------------------


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return as_tensor(input).addcmul(tensor1, tensor2, value=value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return as_tensor(input).addcdiv(tensor1, tensor2, value=value)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
            ) -> Tensor:
    return as_tensor(input).baddbmm(batch1, batch2, beta=beta, alpha=alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
           ) -> Tensor:
    return as_tensor(input).addbmm(batch1, batch2, beta=beta, alpha=alpha)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    return as_tensor(input).addmv(mat, vec, beta=beta, alpha=alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    return as_tensor(input).addr(vec1, vec2, beta=beta, alpha=alpha)


def kron(input: Tensor, other: Tensor) -> Tensor:
    return as_tensor(input).kron(other)


def inner(input: Tensor, other: Tensor) -> Tensor:
    return as_tensor(input).inner(other)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    return cross_product(input, other, dim, "cross")


# ----- statistics -------------------------------------------------------------------------------


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    return as_tensor(input).logcumsumexp(dim)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> MinMax:
    return as_tensor(input).aminmax(dim=dim, keepdim=keepdim)


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    return as_tensor(input).cov(correction=correction, fweights=fweights, aweights=aweights)


def corrcoef(input: Tensor) -> Tensor:
    return as_tensor(input).corrcoef()


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    return as_tensor(input).quantile(q, dim, keepdim, interpolation=interpolation)


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    return as_tensor(input).nanquantile(q, dim, keepdim, interpolation=interpolation)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    return as_tensor(input).histc(bins, min, max)


# ----- element-wise functions of integers and floats --------------------------------------------


def bitwise_and(input: Any, other: Any) -> Tensor:
    return as_tensor(input).bitwise_and(other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    return as_tensor(input).bitwise_or(other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    return as_tensor(input).bitwise_xor(other)


def bitwise_not(input: Tensor) -> Tensor:
    return as_tensor(input).bitwise_not()


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    return as_tensor(input).bitwise_left_shift(other)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    return as_tensor(input).bitwise_right_shift(other)


def gcd(input: Tensor, other: Tensor) -> Tensor:
    return as_tensor(input).gcd(other)


def lcm(input: Tensor, other: Tensor) -> Tensor:
    return as_tensor(input).lcm(other)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    return as_tensor(input).heaviside(values)


def sinc(input: Tensor) -> Tensor:
    return as_tensor(input).sinc()


def frexp(input: Tensor) -> MantissaExponent:
    return as_tensor(input).frexp()


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    return as_tensor(input).ldexp(other)


def lgamma(input: Tensor) -> Tensor:
    return as_tensor(input).lgamma()


def digamma(input: Tensor) -> Tensor:
    return as_tensor(input).digamma()


def polygamma(n: int, input: Tensor) -> Tensor:
    return as_tensor(input).polygamma(n)


def erfinv(input: Tensor) -> Tensor:
    return as_tensor(input).erfinv()


# ----- functions without a method form ----------------------------------------------------------


def _at_least(tensors: Sequence[Any], ndim: int) -> list[Tensor]:
    """Each tensor with leading (or, for 3-D, PyTorch's) dimensions of length 1 added to
    reach ``ndim`` dimensions."""
    shaped = []
    for tensor in map(as_tensor, tensors):
        if tensor.ndim < ndim:
            # a vector becomes a row (1, n), and in 3-D the middle of (1, n, 1)
            shape = {0: (1,) * ndim, 1: (1, tensor.numel(), 1)[:ndim],
                     2: tensor.shape + (1,)}[tensor.ndim]
            tensor = tensor.reshape(shape)
        shaped.append(tensor)
    return shaped


def _tensors_given(tensors: tuple, name: str) -> tuple[Tensor, ...]:
    """The tensors of a function that takes them one by one (``f(a, b)``) or, for atleast_*,
    as one list (``f([a, b])``); anything else raises, as in PyTorch."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for position, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{name}(): expected Tensor as element {position}, but got "
                            f"{type(tensor).__name__}")
    return tensors


def _at_least_form(tensors: tuple, ndim: int) -> Any:
    """atleast_Nd: one tensor gives a tensor, several (or a list) a tuple."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return _at_least(tensors, ndim)[0]
    return tuple(_at_least(_tensors_given(tensors, f"atleast_{ndim}d"), ndim))


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 dimension (a number becomes a vector of one)."""
    return _at_least_form(tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least 2 dimensions (a vector (n,) becomes a row (1, n))."""
    return _at_least_form(tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least 3 dimensions: (n,) becomes (1, n, 1), (m, n) (m, n, 1)."""
    return _at_least_form(tensors, 3)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (views, differentiable)."""
    for position, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"broadcast_tensors(): expected Tensor as element {position}, but "
                            f"got {type(tensor).__name__}")
    shapes = [tensor.shape for tensor in tensors]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(f"broadcast_tensors: the shapes {shapes} cannot be broadcast to a "
                           "single shape") from None
    return tuple(tensor.expand(shape) for tensor in tensors)


def block_diag(*tensors: Tensor) -> Tensor:
    """The matrix with the given matrices along its diagonal and zeros elsewhere (a number is
    a 1 x 1 matrix, a vector (n,) a row), in their common dtype. Differentiable."""
    blocks = []
    for position, tensor in enumerate(_tensors_given(tensors, "block_diag")):
        if tensor.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {position} has {tensor.ndim} dimensions")
        blocks.append(tensor.reshape(1, -1) if tensor.ndim < 2 else tensor)
    if not blocks:
        return Tensor._make(np.zeros((1, 0), dtype=dtypes.get_default_dtype()), False)
    dtype = functools.reduce(dtypes.promote_types, (block.dtype for block in blocks))
    width = builtins.sum(block.shape[1] for block in blocks)  # (sum is the tensor one)
    left, rows = 0, []
    for block in blocks:
        height, columns = block.shape
        rows.append(cat([Tensor._make(np.zeros((height, left), dtype=dtype), False),
                         block.astype(dtype),
                         Tensor._make(np.zeros((height, width - left - columns), dtype=dtype),
                                      False)], 1))
        left += columns
    return cat(rows, 0)


def _vector(tensor: Any) -> Tensor:
    if not isinstance(tensor, Tensor) or tensor.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(np.shape(tensor))}")
    return tensor


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one value from each vector, the last varying fastest, as the rows
    of a (count, len(tensors)) tensor; one vector is returned as it is. Differentiable."""
    vectors = [_vector(tensor) for tensor in tensors]
    if len(vectors) == 1:
        return vectors[0]
    return stack([grid.reshape(-1) for grid in meshgrid(*vectors, indexing="ij")], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The ``r``-element combinations of the values of a vector, in order, as the rows of a
    (count, r) tensor (as ``itertools.combinations``, or with repeats allowed
    ``combinations_with_replacement``). Differentiable."""
    vector = _vector(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:  # a new empty tensor, outside the graph, as PyTorch gives
        return Tensor._make(np.zeros(0, dtype=vector.dtype), False)
    choose = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    positions = np.array(list(choose(range(len(vector)), r)), dtype=np.int64).reshape(-1, r)
    return vector[positions]


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Whether each value of ``elements`` is one of ``test_elements`` (either may be a
    number): a bool tensor of ``elements``' shape; ``invert`` gives the opposite."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(f"isin() expects elements or test_elements to be a Tensor, got "
                        f"{type(elements).__name__} and {type(test_elements).__name__}")
    values, tests = (np.asarray(getattr(t, "_data", t)) for t in (elements, test_elements))
    if values.dtype == np.bool_ or tests.dtype == np.bool_:
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    found = np.isin(values, tests, assume_unique=assume_unique, invert=invert)
    return Tensor._make(np.asarray(found), False)


def hstack(tensors: Sequence[Any]) -> Tensor:
    """Join along the columns (along the only dimension for vectors)."""
    shaped = _at_least(tensors, 1)
    return cat(shaped, 0 if shaped[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Any]) -> Tensor:
    """Join as rows: vectors become rows of a matrix."""
    return cat(_at_least(tensors, 2), 0)


row_stack = vstack


def dstack(tensors: Sequence[Any]) -> Tensor:
    """Join along the third dimension."""
    return cat(_at_least(tensors, 3), 2)


def column_stack(tensors: Sequence[Any]) -> Tensor:
    """Join as columns: numbers and vectors become columns of a matrix."""
    return cat([t.reshape(-1, 1) if t.ndim < 2 else t for t in map(as_tensor, tensors)], 1)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from vectors: with ``indexing='ij'`` grid i varies along dimension i;
    with ``'xy'`` the first two dimensions are swapped (NumPy's default). Differentiable."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument; 'ij' is used.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'meshgrid: indexing must be one of "xy" or "ij", got {indexing!r}')
    vectors = [as_tensor(t) for t in tensors]
    # (any and all here are this module's tensor functions, not Python's)
    unfit = [v for v in vectors if v.ndim > 1 or v.dtype != vectors[0].dtype]
    if not vectors or unfit:
        raise RuntimeError("meshgrid expects one or more 0-D or 1-D tensors of the same dtype, "
                           f"got {[(v.shape, str(v.dtype)) for v in vectors]}")
    axes = list(range(len(vectors)))
    if indexing == "xy" and len(axes) > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(vectors)
    for axis, vector in zip(axes, vectors):
        shape[axis] = vector.numel()
    grids = []
    for axis, vector in zip(axes, vectors):
        lengths = [1] * len(vectors)
        lengths[axis] = -1
        grids.append(vector.reshape(lengths).expand(shape))
    return tuple(grids)


def _triangle_indices(row: int, col: int, offset: int, dtype: Any, lower: bool) -> Tensor:
    if row < 0 or col < 0:
        raise RuntimeError(f"row and col must be non-negative, got row={row}, col={col}")
    rows, cols = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return Tensor(np.stack([rows, cols]), dtype=dtype)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = int64) -> Tensor:
    """The (row, column) positions on and below diagonal ``offset`` of a row x col matrix,
    in row-major order, as a (2, N) tensor."""
    return _triangle_indices(row, col, offset, dtype, lower=True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = int64) -> Tensor:
    """The (row, column) positions on and above diagonal ``offset``, as a (2, N) tensor."""
    return _triangle_indices(row, col, offset, dtype, lower=False)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Any = None) -> Tensor:
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` (its last
    dimension, line by line for the leading ones) to keep it sorted: before equal values, or
    after them with ``right=True`` or ``side='right'``. int64 (int32 with ``out_int32``)."""
    if side is not None:
        if side not in ("left", "right") or (right and side == "left"):
            raise RuntimeError(f"searchsorted: side must be 'left' or 'right' and agree with "
                               f"right={right}, got side={side!r}")
        right = side == "right"
    sequence = as_tensor(sorted_sequence)._data
    if sorter is not None:
        sequence = np.take_along_axis(sequence, as_tensor(sorter)._data, -1)
    values = input._data if isinstance(input, Tensor) else np.asarray(input)
    if sequence.ndim > 1 and sequence.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(f"searchsorted: the leading dimensions of sorted_sequence "
                           f"{sequence.shape} and input {values.shape} must match")
    found = np.empty(values.shape, dtype=np.int64)
    lines = sequence.reshape(-1, sequence.shape[-1])
    targets = values.reshape(len(lines), -1) if sequence.ndim > 1 else values.reshape(1, -1)
    for line, target, out in zip(lines, targets, found.reshape(len(targets), -1)):
        out[:] = np.searchsorted(line, target, side="right" if right else "left")
    return Tensor(found, dtype=int32 if out_int32 else int64)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
              ) -> Tensor:
    """The bucket of each value of ``input`` among the sorted 1-D ``boundaries``: i with
    boundaries[i - 1] < x <= boundaries[i] (``<= x <`` with ``right=True``)."""
    if as_tensor(boundaries).ndim != 1:
        raise RuntimeError(f"bucketize: boundaries must be 1-D, got shape "
                           f"{as_tensor(boundaries).shape}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def numel(input: Tensor) -> int:
    return input.numel()


def result_type(tensor1: Any, tensor2: Any) -> np.dtype:
    """The dtype of arithmetic between ``tensor1`` and ``tensor2`` (tensors or Python
    numbers) under PyTorch's promotion rules (see :mod:`minitorch.dtypes`)."""
    if not isinstance(tensor1, Tensor):
        if not isinstance(tensor2, Tensor):  # two numbers: as two 0-d tensors of them
            return dtypes.promote_types(as_tensor(tensor1).dtype, as_tensor(tensor2).dtype)
        tensor1, tensor2 = tensor2, tensor1
    if isinstance(tensor2, Tensor):
        return dtypes.result_type(tensor1._data, tensor2._data)
    return dtypes.scalar_dtype(tensor2, tensor1.dtype)


def var_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None) -> tuple[Tensor, Tensor]:
    """(variance, mean) over ``dim``, as ``var`` and ``mean`` give them: a plain tuple, as in
    PyTorch."""
    x = as_tensor(input)
    return x.var(dim, unbiased, keepdim, correction=correction), x.mean(dim, keepdim)


def std_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: float | None = None) -> tuple[Tensor, Tensor]:
    """(standard deviation, mean) over ``dim``: a plain tuple, as in PyTorch."""
    x = as_tensor(input)
    return x.std(dim, unbiased, keepdim, correction=correction), x.mean(dim, keepdim)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The ``p``-norm distances between each row of ``x1`` (..., P, M) and each row of ``x2``
    (..., R, M): shape (..., P, R), the leading dimensions broadcast. p = 2 is the Euclidean
    distance, 1 the sum of absolute differences, inf the largest, 0 the count of differing
    coordinates.

    As in PyTorch, p = 2 with more than 25 rows on either side (or ``compute_mode=
    'use_mm_for_euclid_dist'``) uses |a - b|**2 = |a|**2 - 2 a.b + |b|**2, one matrix product
    instead of every difference, which is faster but less exact for close points; its
    distances are at least 1e-15, as PyTorch's. The gradient at zero distance is 0. Where
    several coordinates tie for the largest difference (p = inf) they share the gradient, as
    in ``norm``; PyTorch's cdist gives each of them all of it."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    for label, x in (("X1", x1), ("X2", x2)):
        if x.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {label} got: "
                               f"{x.dtype}")
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {label} got: "
                               f"{x.ndim}D")
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"cdist: X1 and X2 must have one dtype, got {x1.dtype} and "
                           f"{x2.dtype}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if not p >= 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got p={p}")
    modes = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
             "donot_use_mm_for_euclid_dist")
    if compute_mode not in modes:
        raise ValueError(f"{compute_mode!r} is not a valid value for compute_mode")
    large = x1.shape[-2] > 25 or x2.shape[-2] > 25
    if p == 2 and (compute_mode == modes[1] or (compute_mode == modes[0] and large)):
        squares = (x1 * x1).sum(-1, keepdim=True) - 2 * (x1 @ x2.transpose(-1, -2)) \
            + (x2 * x2).sum(-1, keepdim=True).transpose(-1, -2)
        return squares.clamp(min=1e-30).sqrt()
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, -1)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the vector ``x``: column j holds x ** (N - 1 - j) (x ** j
    with ``increasing``); N columns, len(x) by default. Integers and bools give int64."""
    x = as_tensor(x)
    if x.ndim != 1:
        raise RuntimeError(f"vander: x must be a one-dimensional tensor, got shape {x.shape}")
    columns = len(x) if N is None else N
    if columns < 0:
        raise RuntimeError(f"vander: N must be non-negative, got {N}")
    if x.dtype.kind in "biu":
        x = x.astype(int64)
    # The powers as running products of x, as PyTorch computes them (no 0 ** -1 in the
    # gradient at x = 0, as x ** j would have).
    repeated = x.unsqueeze(1).expand(len(x), columns - 1 if columns else 0)
    powers = cat([ones(len(x), 1, dtype=x.dtype), repeated], 1).cumprod(1)[:, :columns]
    return powers if increasing else powers.flip(1)


def _trapezoid_sums(y: Any, x: Any, dx: Any, dim: int, cumulative: bool) -> Tensor:
    """The areas under ``y`` along ``dim`` by the trapezoidal rule, at sample points ``x``
    or ``dx`` apart (1 by default): summed, or running with ``cumulative``."""
    if x is not None and dx is not None:
        raise TypeError("trapezoid takes the sample points x or their spacing dx, not both")
    y = as_tensor(y)
    if y.dtype.kind != "f":
        y = y.astype(dtypes.get_default_dtype())
    if y.ndim == 0:
        raise IndexError(f"trapezoid: dimension specified as {dim} but tensor has no "
                         "dimensions")
    length = y.size(dim)  # an IndexError for a dim out of range
    axis = dim % y.ndim
    before = (slice(None),) * axis
    pairs = y[before + (slice(1, None),)] + y[before + (slice(None, -1),)]
    if x is None:
        spacing = 1 if dx is None else dx
        areas = pairs * (spacing / 2)
    else:
        x = as_tensor(x)
        if x.ndim == 1:
            if len(x) != length:
                raise RuntimeError(f"trapezoid: There must be one `x` value for each sample "
                                   f"point: {len(x)} for {length} along dim {dim}")
            spacing = x.diff().reshape((-1,) + (1,) * (y.ndim - axis - 1))
        else:
            spacing = x.diff(dim=dim)
        areas = spacing * pairs / 2
    return areas.cumsum(axis) if cumulative else areas.sum(axis)


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1
              ) -> Tensor:
    """The integral of ``y`` along ``dim`` by the trapezoidal rule: the sum of
    (y[i] + y[i + 1]) / 2 * (x[i + 1] - x[i]), with samples ``x`` (a 1-D tensor along dim,
    or one that broadcasts with y) or ``dx`` apart (1 by default). Integers give the default
    floating dtype."""
    return _trapezoid_sums(y, x, dx, dim, cumulative=False)


trapz = trapezoid


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None,
                         dim: int = -1) -> Tensor:
    """The running sums of :func:`trapezoid`: one fewer along ``dim`` than ``y``."""
    return _trapezoid_sums(y, x, dx, dim, cumulative=True)
