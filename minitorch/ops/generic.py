"""Functions for backward formulas: each takes NumPy arrays or Tensors and returns the same
kind, so one formula serves both the first-order pass (arrays, plain NumPy speed) and
``create_graph`` (Tensors, every step recorded). See :mod:`minitorch.autograd`.

Operators, indexing, ``.T``, ``.reshape``, ``.swapaxes`` and ``.sum(axis=, keepdims=)`` already
work on both; these cover the rest. The array branch of each is the NumPy code a formula on
arrays alone would use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.autograd import add_at_index

ARRAYS = (np.ndarray, np.generic)  # what a formula's values are in the first-order pass
_PLAIN = (np.ndarray, np.generic, int, float)  # what is not a Tensor in a formula


def _either(ufunc: np.ufunc, method: str) -> Any:
    """The function that applies ``ufunc`` to arrays and the Tensor method ``method`` to
    Tensors."""

    def apply(x: Any) -> Any:
        return ufunc(x) if isinstance(x, ARRAYS) else getattr(x, method)()

    apply.__name__ = apply.__qualname__ = method
    return apply


exp = _either(np.exp, "exp")
log = _either(np.log, "log")
sin = _either(np.sin, "sin")
cos = _either(np.cos, "cos")
sinh = _either(np.sinh, "sinh")
cosh = _either(np.cosh, "cosh")


def sigmoid(x: Any) -> Any:
    """1 / (1 + e**-x), as (1 + tanh(x / 2)) / 2 on arrays, which never overflows."""
    return 0.5 + 0.5 * np.tanh(0.5 * x) if isinstance(x, ARRAYS) else x.sigmoid()


def polygamma(n: int, x: Any) -> Any:
    """The n-th derivative of digamma (n = 0: digamma itself), in x's dtype: SciPy's on
    arrays, the recorded op on Tensors (its gradient is polygamma(n + 1, x))."""
    if not isinstance(x, ARRAYS):
        from minitorch.ops.elementwise import Polygamma  # elementwise.py uses these helpers

        return Polygamma.apply(x, n=n)
    import scipy.special  # imported on first use: loading scipy takes a while

    with np.errstate(divide="ignore", invalid="ignore"):  # inf or NaN at the poles
        out = scipy.special.psi(x) if n == 0 else scipy.special.polygamma(n, x)
    return np.asarray(out, dtype=x.dtype)


def where(condition: np.ndarray, x: Any, y: Any) -> Any:
    """``x`` where the (constant, boolean) ``condition`` holds, else ``y``."""
    if isinstance(x, _PLAIN) and isinstance(y, _PLAIN):
        return np.where(condition, x, y)
    from minitorch.tensor import where as tensor_where  # tensor.py builds on this package

    return tensor_where(condition, x, y)


def permute(x: Any, axes: tuple[int, ...]) -> Any:
    """``x`` with its axes reordered: axis i of the result is axis ``axes[i]`` of ``x``."""
    return np.transpose(x, axes) if isinstance(x, ARRAYS) else x.permute(axes)


def index_add(x: Any, shape: tuple[int, ...], index: Any) -> Any:
    """Zeros of ``shape`` with ``x`` added at ``index`` (repeated positions add up): the
    gradient of ``t[index]``, and an op of its own on Tensors (whose gradient is ``[index]``
    again)."""
    if isinstance(x, ARRAYS):
        return add_at_index(x, shape, index)
    from minitorch.ops.shape import IndexAdd  # shape.py uses these helpers

    return IndexAdd.apply(x, shape=shape, index=index)


def copy(x: Any) -> Any:
    """A copy in new memory, which the formula may then change in place."""
    return x.copy() if isinstance(x, ARRAYS) else x.clone()


def cumsum_from_end(x: Any, axis: int) -> Any:
    """Position i holds x_i + ... + x_last along ``axis``: the gradient of a cumulative sum."""
    if isinstance(x, ARRAYS):
        return np.flip(np.cumsum(np.flip(x, axis), axis), axis)
    return x.flip(axis).cumsum(axis).flip(axis)


def einsum(equation: str, *operands: Any) -> Any:
    """``np.einsum`` of arrays, or the recorded einsum of Tensors (its gradients are einsums
    again). ``equation`` is explicit (it has ``->``) and has no ellipsis."""
    if all(isinstance(x, _PLAIN) for x in operands):
        return np.einsum(equation, *operands, optimize=True)
    from minitorch.ops.matmul import Einsum  # matmul.py uses these helpers
    from minitorch.tensor import as_tensor

    return Einsum.apply(*[as_tensor(x) for x in operands], equation=equation)
