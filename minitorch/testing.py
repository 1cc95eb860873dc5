"""``minitorch.testing.assert_close``, PyTorch's assertion for tests: two tensors (or numbers,
or sequences and mappings of them) are equal in shape and dtype and close in value.

Close means |actual - expected| <= atol + rtol * |expected| for every element, with
tolerances chosen by dtype unless given: float16 1e-3 and 1e-5, float32 1.3e-6 and 1e-5,
float64 1e-7 and 1e-7, exact for integers and bools.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from minitorch.tensor import Tensor

# dtype -> (rtol, atol), PyTorch's defaults
TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
}


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False, msg: str | None = None) -> None:
    """Raise AssertionError, saying where and by how much, unless ``actual`` and ``expected``
    are close (see the module's docstring). ``check_dtype=False`` compares values only, with
    the looser tolerances of the two dtypes; ``equal_nan`` counts NaN as equal to NaN."""
    if (rtol is None) != (atol is None):
        given = f"rtol={rtol}" if atol is None else f"atol={atol}"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"only {given}")
    _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, path="")


def _compare(actual: Any, expected: Any, rtol: float | None, atol: float | None,
             equal_nan: bool, check_dtype: bool, msg: str | None, path: str) -> None:
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if actual.keys() != expected.keys():
            raise AssertionError(f"The keys of the mappings do not match{path}: "
                                 f"{sorted(actual)} != {sorted(expected)}")
        for key in actual:
            _compare(actual[key], expected[key], rtol, atol, equal_nan, check_dtype, msg,
                     f"{path}[{key!r}]")
        return
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise AssertionError(f"The lengths of the sequences do not match{path}: "
                                 f"{len(actual)} != {len(expected)}")
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _compare(a, e, rtol, atol, equal_nan, check_dtype, msg, f"{path}[{index}]")
        return
    both_tensors = isinstance(actual, Tensor) and isinstance(expected, Tensor)
    both_numbers = all(isinstance(v, (int, float, bool, np.number, np.bool_))
                       and not isinstance(v, Tensor) for v in (actual, expected))
    if not (both_tensors or both_numbers):
        raise TypeError(f"assert_close compares tensors with tensors and numbers with numbers, "
                        f"got {type(actual).__name__} and {type(expected).__name__}{path}")
    a = actual.detach().numpy() if both_tensors else np.asarray(actual)
    e = expected.detach().numpy() if both_tensors else np.asarray(expected)
    where = f" at {path}" if path else ""
    if a.shape != e.shape:
        raise AssertionError(msg or f"The values for attribute 'shape' do not match{where}: "
                             f"{a.shape} != {e.shape}.")
    if check_dtype and both_tensors and a.dtype != e.dtype:
        raise AssertionError(msg or f"The values for attribute 'dtype' do not match{where}: "
                             f"{a.dtype} != {e.dtype}.")
    if rtol is None:
        rtol, atol = max(TOLERANCES.get(a.dtype, (0.0, 0.0)), TOLERANCES.get(e.dtype, (0.0, 0.0)))
    _check_values(a, e, rtol, atol, equal_nan, msg, where)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _check_values(a: np.ndarray, e: np.ndarray, rtol: float, atol: float, equal_nan: bool,
                  msg: str | None, where: str) -> None:
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    difference = np.abs(a64 - e64)
    close = difference <= atol + rtol * np.abs(e64)
    close |= a64 == e64  # equal infinities
    if equal_nan:
        close |= np.isnan(a64) & np.isnan(e64)
    if close.all():
        return
    if msg is not None:
        raise AssertionError(msg)
    bad = ~close
    relative = difference / np.where(e64 == 0, np.inf, np.abs(e64))
    worst_abs = _index_of_largest(np.where(bad, difference, -1.0))
    worst_rel = _index_of_largest(np.where(bad, relative, -1.0))
    count = int(bad.sum())
    raise AssertionError(
        f"{'Tensor-likes' if a.ndim else 'Scalars'} are not close{where}!\n\n"
        f"Mismatched elements: {count} / {a.size} ({100.0 * count / a.size:.1f}%)\n"
        f"Greatest absolute difference: {difference[worst_abs]} at index {worst_abs} "
        f"(up to {atol} allowed)\n"
        f"Greatest relative difference: {relative[worst_rel]} at index {worst_rel} "
        f"(up to {rtol} allowed)"
    )


def _index_of_largest(values: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(np.nanargmax(values), values.shape))
