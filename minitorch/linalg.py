"""``minitorch.linalg``: the linear-algebra functions PyTorch keeps under ``torch.linalg``."""

from __future__ import annotations

from typing import Any

from minitorch.tensor import Tensor, as_tensor


def vector_norm(x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The ``ord``-norm of the values over ``dim`` (all of them by default); see
    :meth:`minitorch.Tensor.norm`."""
    return as_tensor(x).norm(ord, dim, keepdim, dtype)
