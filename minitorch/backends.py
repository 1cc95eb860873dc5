"""The execution settings PyTorch scripts make, and what each means here.

Training scripts ask for accelerators (``torch.backends.mps.is_available()``), tune cuDNN
(``torch.backends.cudnn.benchmark = True``), ask for reproducibility
(``torch.use_deterministic_algorithms(True)``), allow faster float32 products
(``torch.set_float32_matmul_precision("high")``) or compile the model
(``model = torch.compile(model)``). minitorch runs NumPy on the CPU, deterministically and
in full float32 precision, with no compiler: each setting is accepted and checked as PyTorch
checks it, and changes nothing, so such scripts run unchanged with the same results.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from minitorch.devices import mps  # noqa: F401  (torch.backends.mps)


class _CudnnSettings:
    """``torch.backends.cudnn``: there is no cuDNN; its switches can be set and read."""

    enabled = True
    benchmark = False
    deterministic = False
    allow_tf32 = True

    @staticmethod
    def is_available() -> bool:
        return False


class _MatmulSettings:
    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True


class _CudaSettings:
    """``torch.backends.cuda``: there is no CUDA; its switches can be set and read."""

    matmul = _MatmulSettings()

    @staticmethod
    def is_built() -> bool:
        return False


cudnn = _CudnnSettings()
cuda = _CudaSettings()

_deterministic = False
_matmul_precision = "highest"
MATMUL_PRECISIONS = ("highest", "high", "medium")


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms. Every minitorch operation already is one: the same
    inputs and seed give the same results, so this only records the wish."""
    global _deterministic
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms expects a bool, got {type(mode).__name__}")
    _deterministic = mode


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic


def set_float32_matmul_precision(precision: str) -> None:
    """Allow (``"high"``, ``"medium"``) lower-precision float32 products, as on GPUs with
    TF32. NumPy's products are always full float32 ("highest"), which every setting allows.
    Another value is ignored with a warning, as in PyTorch."""
    global _matmul_precision
    if precision not in MATMUL_PRECISIONS:
        warnings.warn(f"{precision} is not one of {', '.join(map(repr, MATMUL_PRECISIONS))}; "
                      "set_float32_matmul_precision has no effect", UserWarning, stacklevel=2)
        return
    _matmul_precision = precision


def get_float32_matmul_precision() -> str:
    return _matmul_precision


def compile(model: Any = None, *, fullgraph: bool = False, dynamic: bool | None = None,
            backend: str | Callable | None = None, mode: str | None = None,
            options: dict | None = None, disable: bool = False) -> Any:
    """``torch.compile``: minitorch has no compiler, so the model (a Module or a function)
    is returned as it is and computes exactly what it did. Used as ``@compile`` or
    ``@compile(...)`` on a function, it leaves the function alone in the same way."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if model is None:
        return lambda function: function
    if not callable(model):
        raise TypeError(f"compile expects a Module or a function, got {type(model).__name__}")
    return model
