"""Check analytic gradients against central finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minitorch.autograd import enable_grad, grad, no_grad
from minitorch.tensor import Tensor, cat


class GradcheckError(AssertionError):
    """The analytic gradient of some input element disagrees with the numerical one."""


def gradcheck(
    fn: Callable[..., Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Compare ``fn``'s backward pass with central differences, in float64.

    The inputs are given one by one (``gradcheck(fn, x, w)``) or, as in PyTorch, as one tuple
    (``gradcheck(fn, (x, w))``). The checked ones are the Tensors that require grad, as in
    PyTorch, or, when none does, every floating input (a Tensor or an array). Each is copied
    to float64 and perturbed element by element: d/dx_i of sum(fn(...) * w) is estimated as
    (f(x_i + eps) - f(x_i - eps)) / (2 eps), for a fixed random weighting ``w`` of the
    outputs, and compared with the gradient that ``backward`` computes. The other inputs
    (constants, indices, masks) are passed through unchanged.

    Returns True; on a mismatch raises :class:`GradcheckError`, naming the worst element with
    its analytic and numerical values, or returns False when ``raise_exception`` is False.
    """
    originals, checked = _inputs_to_check(inputs, "gradcheck")
    arrays = [np.array(x._data if isinstance(x, Tensor) else x) for x in originals]
    for i in checked:  # C order: perturbing the flat view below must change the input
        arrays[i] = np.array(arrays[i], dtype=np.float64, order="C")

    def call(values: list[np.ndarray], requires_grad: bool) -> tuple[Tensor, list[Any]]:
        args: list[Any] = list(originals)
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
                if not raise_exception:
                    return False
                worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
                raise GradcheckError(
                    f"gradient mismatch for input {i} at index {tuple(int(k) for k in worst)}: "
                    f"analytic {float(analytic[worst]):.6g}, "
                    f"numerical {float(numerical[worst]):.6g} (atol={atol}, rtol={rtol})"
                )
    return True


def _inputs_to_check(inputs: tuple, name: str) -> tuple[list[Any], list[int]]:
    """The inputs, given one by one or as PyTorch's one tuple, and the positions of those to
    check: the Tensors that require grad, or when none does, every floating input."""
    if len(inputs) == 1 and isinstance(inputs[0], tuple):
        inputs = inputs[0]
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        checked = [i for i, x in enumerate(inputs)
                   if np.asarray(x._data if isinstance(x, Tensor) else x).dtype.kind == "f"]
    if not checked:
        raise ValueError(f"{name} needs at least one floating-point input")
    return list(inputs), checked


def gradgradcheck(
    fn: Callable[..., Tensor],
    *inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check second derivatives: :func:`gradcheck` of the gradient that ``create_graph=True``
    computes, in float64.

    The inputs are given as to :func:`gradcheck`, and the same ones are checked. The checked
    function maps them and ``grad_outputs`` v (random, of the output's shape, unless given)
    to the gradient of sum(fn(...) * v) with respect to each checked input, flattened and
    joined into one vector; its own gradient, computed by differentiating that recorded
    backward pass, is compared with central differences of it.
    So both the Hessian-vector products and the dependence on v are checked.

    Returns True, or raises :class:`GradcheckError` (returns False when ``raise_exception``
    is False).
    """
    values, floating = _inputs_to_check(inputs, "gradgradcheck")
    for i in floating:  # float64 leaves: gradcheck checks these, and only these
        data = values[i]._data if isinstance(values[i], Tensor) else values[i]
        values[i] = Tensor(data, requires_grad=True, dtype=np.float64)
    with no_grad():
        out_shape = fn(*values).shape
    if grad_outputs is None:
        v = np.random.default_rng(seed + 1).uniform(-1.0, 1.0, size=out_shape)
    else:
        v = np.array(grad_outputs._data if isinstance(grad_outputs, Tensor) else grad_outputs,
                     dtype=np.float64)

    def first_derivatives(*args: Any) -> Tensor:
        *values, v_value = args
        with enable_grad():
            values = list(values)
            for i in floating:  # a fresh leaf where gradcheck gave a constant
                if not values[i].requires_grad:
                    values[i] = Tensor._make(values[i]._data, True)
            out = fn(*values)
            if not out.requires_grad:
                raise ValueError("gradgradcheck: fn's output does not depend on its inputs")
            wanted = [values[i] for i in floating]
            grads = grad(out, wanted, v_value, create_graph=True, allow_unused=True)
            flat = [(g if g is not None else Tensor._make(np.zeros(w.shape), False)).reshape(-1)
                    for g, w in zip(grads, wanted)]
            return cat(flat)

    return gradcheck(first_derivatives, *values, Tensor(v, requires_grad=True), eps=eps,
                     atol=atol, rtol=rtol, raise_exception=raise_exception, seed=seed)
