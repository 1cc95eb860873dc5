"""Helpers for the training loop."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from minitorch.tensor import Tensor


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = True,
) -> float:
    """Scale the gradients of ``parameters`` in place so that their combined norm (all
    gradients seen as one vector) is at most ``max_norm``; returns the norm before clipping.

    ``norm_type`` is p of the p-norm (``math.inf`` for the largest absolute value).
    Parameters without a gradient are skipped. A NaN or infinite norm raises ValueError
    (it means the loss has diverged, and scaling would only spread the NaN), unless
    ``error_if_nonfinite`` is False.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p._grad._data for p in parameters if p._grad is not None]
    if max_norm < 0:
        raise ValueError(f"max_norm must be >= 0, got {max_norm}")
    if not grads:
        return 0.0
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    elif norm_type > 0:
        total = sum(float(np.sum(np.abs(g, dtype=np.float64) ** norm_type)) for g in grads)
        total **= 1.0 / norm_type
    else:
        raise ValueError(f"norm_type must be positive or math.inf, got {norm_type}")
    if not math.isfinite(total):
        if error_if_nonfinite:
            raise ValueError(
                f"the total gradient norm is {total}: some gradient holds NaN or infinity "
                "(pass error_if_nonfinite=False to clip anyway)"
            )
        return total
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for g in grads:
            g *= scale
    return total
