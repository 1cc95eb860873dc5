"""Helpers for the training loop."""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from minitorch.dtypes import get_default_dtype
from minitorch.nn import init
from minitorch.nn.module import Module
from minitorch.tensor import Tensor


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients of ``parameters`` in place so that their combined norm (all
    gradients seen as one vector) is at most ``max_norm``; returns the norm before clipping
    as a 0-d Tensor of the gradients' dtype, as PyTorch does (``norm.item()`` is the number).

    ``norm_type`` is p of the p-norm (``math.inf`` or ``'inf'`` for the largest absolute
    value). Parameters without a gradient are skipped; with none the norm is 0. Each gradient
    is multiplied by min(max_norm / (norm + 1e-6), 1). A NaN or infinite norm makes every
    gradient NaN (or 0 where finite, for an infinite one), as in PyTorch, unless
    ``error_if_nonfinite`` is True: then it raises RuntimeError. ``foreach`` is accepted and
    changes nothing.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p._grad._data for p in parameters if p._grad is not None]
    max_norm, norm_type = float(max_norm), float(norm_type)
    if max_norm < 0:
        raise ValueError(f"max_norm must be >= 0, got {max_norm}")
    if not grads:
        return Tensor._make(np.asarray(0.0, dtype=get_default_dtype()), False)
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    elif norm_type > 0:
        total = sum(float(np.sum(np.abs(g, dtype=np.float64) ** norm_type)) for g in grads)
        total **= 1.0 / norm_type
    else:
        raise ValueError(f"norm_type must be positive or math.inf, got {norm_type}")
    # The norm and the factor in the gradients' precision, as PyTorch computes them.
    total_norm = np.asarray(total, dtype=np.result_type(*grads))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    scale = max_norm / (total_norm + 1e-6)
    if not scale >= 1.0:  # also NaN, which PyTorch's min(scale, 1) lets through
        with np.errstate(invalid="ignore"):  # inf * 0 is NaN, as PyTorch's, without a warning
            for g in grads:
                g *= scale
    return Tensor._make(total_norm, False)


def skip_init(module_cls: type[Module], *args: Any, **kwargs: Any) -> Module:
    """``torch.nn.utils.skip_init``: ``module_cls(*args, **kwargs)`` without the default
    initialisation of its parameters, for code that initialises them itself
    (``nn.init.orthogonal_(m.weight)``). As in PyTorch, the module must take a ``device``
    argument, and the values its parameters start with are unspecified; here every
    :mod:`minitorch.nn.init` function called while it is being made leaves its tensor as it
    was allocated (PyTorch makes the module on its "meta" device instead, which also skips
    ``torch.randn`` and the like in a custom module's ``__init__``)."""
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    with init.skipped():
        return module_cls(*args, **kwargs)
