"""``torch.autograd.function``: the :class:`Function` base, its ``ctx`` class and the
:func:`once_differentiable` decorator for a ``backward`` that cannot itself be differentiated
(one written in NumPy, say)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from minitorch.autograd import Function, FunctionCtx, is_grad_enabled, no_grad
from minitorch.tensor import Tensor

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Decorates the ``backward`` of a Function written in PyTorch's style: it runs with
    recording off, so it may use anything (NumPy, in-place writes), and under
    ``create_graph`` the gradients it returns raise when differentiated again, as PyTorch's
    do, instead of silently having a wrong (zero) derivative."""

    @functools.wraps(backward)
    def wrapper(ctx: Any, *grad_outputs: Any) -> Any:
        with no_grad():
            grads = backward(ctx, *grad_outputs)
        recorded = [g for g in grad_outputs if isinstance(g, Tensor) and g.requires_grad]
        if not (recorded and is_grad_enabled()):
            return grads
        single = not isinstance(grads, tuple)
        marked = tuple(_DifferentiatedTwice.apply(g, *recorded) if isinstance(g, Tensor) else g
                       for g in ((grads,) if single else grads))
        return marked[0] if single else marked

    return wrapper


class _DifferentiatedTwice(Function):
    """z = x, a gradient from a ``once_differentiable`` backward, recorded as depending on the
    incoming gradients that require grad, so that differentiating it reaches this node, which
    raises."""

    node_name = "Error"  # PyTorch's torch::autograd::Error

    def forward(self, x: np.ndarray, *incoming: np.ndarray) -> np.ndarray:
        return x

    def backward(self, grad: Any) -> Any:
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )
