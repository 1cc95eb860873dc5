"""Data types and PyTorch's rules for choosing them.

A dtype is a ``numpy.dtype``, so ``minitorch.float32 == np.float32`` and any NumPy spelling
works wherever a dtype is asked for. The rules follow PyTorch:

* data without a dtype: Python floats (and lists of them) give float32, Python ints int64,
  Python bools bool; NumPy arrays keep their dtype;
* arithmetic between two tensors: a floating tensor wins over an integer one and an integer
  tensor over a bool one, whatever their sizes; within one kind the wider type wins, except
  that a 0-d tensor does not widen a tensor with dimensions (``x32 * tensor(2.0, float64)`` is
  float32), and a Python number never widens a tensor of its kind.
"""

from __future__ import annotations

import builtins
import functools
from typing import Any

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001  (PyTorch's name)

dtype = np.dtype  # the type of every dtype: isinstance(x.dtype, minitorch.dtype)


class UnsupportedDtype:
    """A PyTorch dtype that NumPy, and so minitorch, has no counterpart of: ``bfloat16``.

    It can be named, compared and printed, so that scripts which list the dtypes they might
    use (nanoGPT's ``{'float32': torch.float32, 'bfloat16': torch.bfloat16, ...}[dtype]``)
    run; asking for a tensor of it raises TypeError, saying why. Everything that takes a
    dtype reads it through ``np.dtype(...)``, which asks this object's ``dtype`` attribute:
    that is where the error is raised.
    """

    __slots__ = ("name", "itemsize")
    is_floating_point = True
    is_complex = False
    is_signed = True

    def __init__(self, name: str, itemsize: builtins.int) -> None:
        self.name = name
        self.itemsize = itemsize

    @property
    def dtype(self) -> np.dtype:
        raise TypeError(
            f"minitorch has no {self.name} tensors: NumPy, which holds them, has no "
            f"{self.name} type; use float32 (or float16)"
        )

    def __repr__(self) -> str:
        return self.name

    def __reduce__(self) -> str:
        return self.name  # copy and pickle keep the one object


bfloat16 = UnsupportedDtype("bfloat16", 2)

DEFAULT_INT = int64
_default_float = float32  # the default floating dtype: see set_default_dtype
_PYTHON_SEQUENCES = (list, tuple)
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < integer < floating


def is_typed(data: Any) -> bool:
    """Whether ``data`` carries its own dtype (arrays, tensors, pandas), unlike Python numbers
    and lists."""
    return hasattr(data, "dtype") or hasattr(data, "dtypes")


def infer(data: Any, array: np.ndarray) -> np.dtype:
    """The dtype of a tensor made from ``data`` (already converted to ``array``)."""
    if is_typed(data):
        return array.dtype
    if isinstance(data, _PYTHON_SEQUENCES):
        found = _elements_dtype(data)
        if found is not None:
            return found
    kind = array.dtype.kind
    if kind == "f":
        return _default_float
    if kind in "iu":
        return DEFAULT_INT
    return array.dtype


def _elements_dtype(data: Any) -> np.dtype | None:
    """The dtype torch.tensor gives nested lists: each element's own (a Python float the
    default floating dtype, an int int64, a NumPy scalar, array or tensor its dtype), all
    promoted together; None for no elements. NumPy would make float64 of Python floats.
    Looked up by the elements' types, a list at a time: a loop over the values is slow."""
    found = None
    pending = [data]
    while pending:
        values = pending.pop()
        for kind in set(map(type, values)):
            if issubclass(kind, _PYTHON_SEQUENCES):
                pending.extend(v for v in values if type(v) is kind)
                continue
            if issubclass(kind, np.generic):  # first: np.float64 is also a Python float
                found_here = [np.dtype(kind)]
            elif issubclass(kind, builtins.bool):
                found_here = [bool]
            elif issubclass(kind, builtins.int):
                found_here = [DEFAULT_INT]
            elif issubclass(kind, builtins.float):
                found_here = [_default_float]
            else:  # arrays and tensors carry a dtype each; NumPy has refused anything else
                found_here = [np.dtype(v.dtype) for v in values
                              if type(v) is kind and hasattr(v, "dtype")]
            for dtype in found_here:
                found = dtype if found is None else promote_types(found, dtype)
    return found


def scalar_dtype(value: Any, tensor_dtype: np.dtype) -> np.dtype:
    """The dtype a Python number takes next to a tensor of ``tensor_dtype``: the tensor's own,
    unless the number is of a higher kind (``int_tensor * 0.5`` is float32)."""
    kind = "f" if isinstance(value, (builtins.float, np.floating)) else (
        "b" if isinstance(value, (builtins.bool, np.bool_)) else "i"
    )
    if _CATEGORY[kind] <= _CATEGORY[tensor_dtype.kind]:
        return tensor_dtype
    return _default_float if kind == "f" else DEFAULT_INT


def promote_types(type1: np.dtype, type2: np.dtype) -> np.dtype:
    """The dtype that both convert to: the higher kind wins (bool < integer < floating),
    within a kind the wider type."""
    category_1, category_2 = _CATEGORY[type1.kind], _CATEGORY[type2.kind]
    if category_1 != category_2:
        return type1 if category_1 > category_2 else type2
    return np.promote_types(type1, type2)


def result_type(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """The dtype of arithmetic between tensors holding ``a`` and ``b`` (PyTorch's promotion:
    a 0-d tensor does not widen a tensor with dimensions of its own kind)."""
    if _CATEGORY[a.dtype.kind] == _CATEGORY[b.dtype.kind] and (a.ndim == 0) != (b.ndim == 0):
        return b.dtype if a.ndim == 0 else a.dtype
    return promote_types(a.dtype, b.dtype)


def get_default_dtype() -> np.dtype:
    """The dtype of floating tensors made without one: from Python floats, by the factories
    (``zeros``, ``randn``, ...) and for layers' parameters. float32 unless changed."""
    return _default_float


def set_default_dtype(d: Any) -> None:
    """Make ``d`` (float16, float32 or float64) the default floating dtype, as
    ``torch.set_default_dtype``: e.g. float64 for precise gradient checks."""
    global _default_float
    dtype = np.dtype(d)
    if dtype.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got "
                        f"{dtype}")
    _default_float = dtype


def can_cast(from_: np.dtype, to: np.dtype) -> builtins.bool:
    """Whether PyTorch's type promotion may convert ``from_`` to ``to``: not floating to
    integer, and not a number to bool (NumPy's "same_kind" rule)."""
    return builtins.bool(np.can_cast(np.dtype(from_), np.dtype(to), casting="same_kind"))


def finfo(type: Any = None) -> np.finfo:
    """The limits of a floating dtype (default float32): ``eps``, ``max``, ``min``,
    ``tiny``, ``smallest_normal``, ``resolution``, ``bits``."""
    dtype = _default_float if type is None else np.dtype(type)
    if dtype.kind != "f":
        raise TypeError(f"finfo expects a floating point dtype, got {dtype}")
    return np.finfo(dtype)


def iinfo(type: Any) -> np.iinfo:
    """The limits of an integer dtype: ``min``, ``max``, ``bits``."""
    dtype = np.dtype(type)
    if dtype.kind not in "iu":
        raise TypeError(f"iinfo expects an integer dtype, got {dtype}")
    return np.iinfo(dtype)


def common_type(*arrays: np.ndarray) -> np.dtype:
    """The dtype of an operation on several tensors holding ``arrays`` (``addcmul``): the
    tensors with dimensions decide, and 0-d ones only when they are of a higher kind, as for
    two in :func:`result_type`."""
    dimensioned = [a.dtype for a in arrays if a.ndim]
    zero_dim = [a.dtype for a in arrays if not a.ndim]
    if not dimensioned or not zero_dim:
        return functools.reduce(promote_types, dimensioned or zero_dim)
    high, low = (functools.reduce(promote_types, d) for d in (dimensioned, zero_dim))
    return high if _CATEGORY[high.kind] >= _CATEGORY[low.kind] else promote_types(high, low)


def is_floating_point(dtype: np.dtype) -> builtins.bool:
    return dtype.kind == "f"


def torch_name(dtype: np.dtype) -> str:
    """PyTorch's legacy type string, as ``Tensor.type()`` returns it."""
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
             "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
    return f"torch.{names.get(dtype.name, dtype.name)}Tensor"
