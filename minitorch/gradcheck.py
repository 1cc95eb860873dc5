"""Check analytic gradients against central finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minitorch.autograd import no_grad
from minitorch.tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic gradient of some input element disagrees with the numerical one."""


def gradcheck(
    fn: Callable[..., Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Compare ``fn``'s backward pass with central differences, in float64.

    Every floating input is copied to float64 and perturbed element by element:
    d/dx_i of sum(fn(...) * w) is estimated as (f(x_i + eps) - f(x_i - eps)) / (2 eps), for a
    fixed random weighting ``w`` of the outputs, and compared with the gradient that
    ``backward`` computes. Non-float inputs (indices, masks) are passed through unchanged.

    Returns True, or raises :class:`GradcheckError` naming the worst element with its
    analytic and numerical values.
    """
    arrays = [np.array(x._data if isinstance(x, Tensor) else x) for x in inputs]
    checked = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    if not checked:
        raise ValueError("gradcheck needs at least one floating-point input")
    for i in checked:
        arrays[i] = arrays[i].astype(np.float64)

    def call(values: list[np.ndarray], requires_grad: bool) -> tuple[Tensor, list[Any]]:
        args: list[Any] = list(values)
        for i in checked:
            args[i] = Tensor(values[i], requires_grad=requires_grad, dtype=np.float64)
        return fn(*args), args

    output, args = call(arrays, requires_grad=True)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(output).__name__}")
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=output.shape)
    if output.requires_grad:
        output.backward(weights)

    with no_grad():
        for i in checked:
            grad = args[i]._grad
            analytic = grad._data if grad is not None else np.zeros_like(arrays[i])
            numerical = np.zeros_like(arrays[i])
            flat = arrays[i].reshape(-1)
            for j in range(flat.size):
                original = flat[j]
                flat[j] = original + eps
                plus = float(np.sum(call(arrays, False)[0]._data * weights))
                flat[j] = original - eps
                minus = float(np.sum(call(arrays, False)[0]._data * weights))
                flat[j] = original
                numerical.reshape(-1)[j] = (plus - minus) / (2 * eps)
            excess = np.abs(analytic - numerical) - (atol + rtol * np.abs(numerical))
            excess = np.where(np.isfinite(excess), excess, np.inf)  # NaN counts as the worst
            if excess.size and np.max(excess) > 0:
                worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
                raise GradcheckError(
                    f"gradient mismatch for input {i} at index {tuple(int(k) for k in worst)}: "
                    f"analytic {float(analytic[worst]):.6g}, "
                    f"numerical {float(numerical[worst]):.6g} (atol={atol}, rtol={rtol})"
                )
    return True
