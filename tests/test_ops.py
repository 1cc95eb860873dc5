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


@given(
    rows=st.integers(1, 40),
    cols=st.integers(1, 12),
    specials=st.lists(st.sampled_from([np.nan, np.inf, -np.inf, -0.0]), max_size=3),
    data=st.data(),
)
def test_softmax_shift_is_the_exact_maximum(
    rows: int, cols: int, specials: list[float], data: st.DataObject
) -> None:
    """The argmax shortcut for short rows gives maximum.reduce's result, NaN and inf included."""
    from minitorch.ops.reductions import max_keepdims

    seed = data.draw(st.integers(0, 2**32 - 1))
    x = np.random.default_rng(seed).standard_normal((rows, cols)).astype(np.float32)
    for value in specials:
        x[data.draw(st.integers(0, rows - 1)), data.draw(st.integers(0, cols - 1))] = value
    expected = np.maximum.reduce(x, axis=1, keepdims=True)
    for axis in (1, -1):
        np.testing.assert_array_equal(max_keepdims(x, axis), expected)
