"""Every op in the registry: forward against NumPy, backward against finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_registry import OPS, OpSpec

import minitorch as mt


def _call(spec: OpSpec, arrays: list[np.ndarray], options: dict, dtype) -> mt.Tensor:
    return spec.fn(*[mt.Tensor(a, dtype=dtype) for a in arrays], **options)


@pytest.mark.parametrize("spec", OPS, ids=repr)
@given(data=st.data())
def test_forward_matches_numpy(spec: OpSpec, data: st.DataObject) -> None:
    arrays, options = spec.draw(data)
    expected = spec.reference(*arrays, **options)
    out = _call(spec, arrays, options, np.float64)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    assert out.shape == np.shape(expected)
    out32 = _call(spec, arrays, options, np.float32)
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32.data, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("spec", OPS, ids=repr)
@given(data=st.data())
def test_backward_matches_finite_differences(spec: OpSpec, data: st.DataObject) -> None:
    arrays, options = spec.draw(data)
    assert mt.gradcheck(lambda *xs: spec.fn(*xs, **options), *arrays)


@pytest.mark.parametrize("spec", OPS, ids=repr)
@given(data=st.data())
def test_gradients_keep_float32(spec: OpSpec, data: st.DataObject) -> None:
    arrays, options = spec.draw(data)
    inputs = [mt.Tensor(a, requires_grad=True, dtype=np.float32) for a in arrays]
    out = spec.fn(*inputs, **options)
    out.backward(np.ones(out.shape, dtype=np.float32))
    for x in inputs:
        assert x.grad is not None and x.grad.dtype == np.float32 and x.grad.shape == x.shape


def _rows_with_specials(
    shape: tuple[int, ...], specials: list[float], data: st.DataObject, dtype: type = np.float32
) -> np.ndarray:
    seed = data.draw(st.integers(0, 2**32 - 1))
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    for value in specials:
        x[tuple(data.draw(st.integers(0, n - 1)) for n in shape)] = value
    return x


@given(
    lead=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    cols=st.sampled_from([1, 2, 5, 12, 27, 32, 33, 100]),
    specials=st.lists(st.sampled_from([np.nan, np.inf, -np.inf, -0.0]), max_size=3),
    transposed=st.booleans(),
    data=st.data(),
)
def test_softmax_shift_is_the_exact_maximum(
    lead: list[int], cols: int, specials: list[float], transposed: bool, data: st.DataObject
) -> None:
    """The shortcuts for many short rows (a transposed reduction, argmax) give
    maximum.reduce's result, NaN and inf included, for 2-D and N-D input of any layout."""
    from minitorch.ops.reductions import max_keepdims

    x = _rows_with_specials((*lead, cols), specials, data)
    if transposed and x.ndim == 2:
        x = np.asfortranarray(x)
    elif transposed:
        x = np.swapaxes(x, 0, -2)  # rows that are not contiguous
    expected = np.maximum.reduce(x, axis=-1, keepdims=True)
    for axis in (x.ndim - 1, -1):
        np.testing.assert_array_equal(max_keepdims(x, axis), expected)


@given(
    lead=st.lists(st.integers(1, 64), min_size=1, max_size=2),
    cols=st.sampled_from([1, 2, 10, 27, 300, 1024, 1025]),
    specials=st.lists(st.sampled_from([np.nan, np.inf, -np.inf]), max_size=3),
    dtype=st.sampled_from([np.float32, np.float64, np.float16, np.int64]),
    data=st.data(),
)
def test_sums_of_short_rows_agree_with_numpy(
    lead: list[int], cols: int, specials: list[float], dtype: type, data: st.DataObject
) -> None:
    """The product with ones that sums short float rows gives add.reduce's sums to the last
    digits, with NaN and inf where add.reduce has them; other dtypes and longer rows are
    add.reduce itself."""
    from minitorch.ops.reductions import sum_along

    kind = np.dtype(dtype).kind
    x = _rows_with_specials((*lead, cols), specials if kind == "f" else [], data,
                            dtype if kind == "f" else np.float64)
    x = x if kind == "f" else (x * 10).astype(dtype)
    with np.errstate(invalid="ignore"):  # inf - inf
        expected = np.add.reduce(x, axis=-1, keepdims=True)
        results = [sum_along(x, axis) for axis in (x.ndim - 1, -1)]
        results.append(sum_along(x, -1, keepdims=False)[..., None])
    digits = {np.float16: 1e-2, np.float32: 1e-5, np.float64: 1e-12, np.int64: 0.0}[dtype]
    scale = np.abs(np.where(np.isfinite(x), x, 0)).sum(dtype=np.float64)
    for result in results:
        assert result.dtype == expected.dtype and result.shape == expected.shape
        np.testing.assert_allclose(result, expected, rtol=digits, atol=digits * scale)
