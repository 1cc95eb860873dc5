"""The execution settings PyTorch scripts make (minitorch.backends), the dtype utilities
(finfo, iinfo, promote_types, result_type, can_cast) and minitorch.testing.assert_close."""

import numpy as np
import pytest

import minitorch
from minitorch.testing import assert_close


def test_accelerator_queries_and_switches_run_unchanged():
    assert not minitorch.backends.mps.is_available()
    assert not minitorch.backends.cudnn.is_available()
    assert not minitorch.backends.cuda.is_built()
    minitorch.backends.cudnn.benchmark = True
    minitorch.backends.cudnn.deterministic = True
    assert minitorch.backends.cudnn.benchmark and minitorch.backends.cudnn.deterministic


def test_deterministic_and_matmul_precision_settings():
    minitorch.use_deterministic_algorithms(True)
    assert minitorch.are_deterministic_algorithms_enabled()
    minitorch.use_deterministic_algorithms(False)
    with pytest.raises(TypeError, match="expects a bool"):
        minitorch.use_deterministic_algorithms(1)
    minitorch.set_float32_matmul_precision("high")
    assert minitorch.get_float32_matmul_precision() == "high"
    with pytest.warns(UserWarning, match="has no effect"):
        minitorch.set_float32_matmul_precision("low")
    assert minitorch.get_float32_matmul_precision() == "high"
    minitorch.set_float32_matmul_precision("highest")


def test_compile_returns_the_model_unchanged():
    model = minitorch.nn.Linear(2, 2)
    assert minitorch.compile(model) is model
    assert minitorch.compile(mode="max-autotune")(len) is len  # as a decorator
    with pytest.raises(TypeError, match="a Module or a function"):
        minitorch.compile(3)


def test_dtype_utilities():
    assert minitorch.finfo(minitorch.float32).eps == np.finfo(np.float32).eps
    assert minitorch.finfo().bits == 32  # the default dtype
    assert minitorch.iinfo(minitorch.int64).max == 2**63 - 1
    with pytest.raises(TypeError, match="floating point dtype"):
        minitorch.finfo(minitorch.int32)
    with pytest.raises(TypeError, match="integer dtype"):
        minitorch.iinfo(minitorch.float32)
    assert minitorch.promote_types(minitorch.int64, minitorch.float32) == minitorch.float32
    assert minitorch.can_cast(minitorch.float64, minitorch.float32)
    assert not minitorch.can_cast(minitorch.float32, minitorch.int32)
    assert isinstance(minitorch.ones(1).dtype, minitorch.dtype)
    ints = minitorch.tensor([1, 2])
    assert minitorch.result_type(ints, 1.0) == minitorch.float32
    assert minitorch.result_type(ints, 5) == minitorch.int64
    assert minitorch.result_type(2, 3.0) == minitorch.float32
    assert minitorch.is_tensor(ints) and not minitorch.is_tensor([1, 2])
    assert minitorch.is_floating_point(minitorch.ones(1)) and minitorch.numel(ints) == 2


def test_assert_close_passes_within_the_dtype_tolerance():
    assert_close(minitorch.tensor([1.0, 2.0]), minitorch.tensor([1.0, 2.000001]))
    assert_close({"a": [minitorch.tensor(1.0)]}, {"a": [minitorch.tensor(1.0)]})
    assert_close(1.0, 1.0 + 1e-9)
    nan = minitorch.tensor([float("nan")])
    assert_close(nan, nan, equal_nan=True)
    assert_close(minitorch.tensor([1.0]), minitorch.tensor([1.0], dtype=minitorch.float64),
                 check_dtype=False)


def test_assert_close_says_where_and_by_how_much():
    with pytest.raises(AssertionError, match=r"Mismatched elements: 1 / 3 \(33.3%\)\n"
                                             r"Greatest absolute difference: .* at index \(1,\)"):
        assert_close(minitorch.tensor([1.0, 2.0, 3.0]), minitorch.tensor([1.0, 2.1, 3.0]))
    with pytest.raises(AssertionError, match="'dtype' do not match: float32 != float64"):
        assert_close(minitorch.tensor([1.0]), minitorch.tensor([1.0], dtype=minitorch.float64))
    with pytest.raises(AssertionError, match="'shape' do not match"):
        assert_close(minitorch.ones(2), minitorch.ones(3))
    with pytest.raises(AssertionError, match="custom"):
        assert_close(minitorch.ones(2), minitorch.zeros(2), msg="custom")
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol'"):
        assert_close(minitorch.ones(1), minitorch.ones(1), rtol=1e-3)
    with pytest.raises(TypeError, match="tensors with tensors"):
        assert_close(minitorch.ones(1), 1.0)


def test_assert_close_agrees_with_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for dtype, noise in ((np.float32, 1e-6), (np.float32, 1e-4), (np.float64, 1e-8)):
        a = rng.standard_normal(50).astype(dtype)
        b = (a * (1 + noise * rng.standard_normal(50))).astype(dtype)
        outcomes = []
        for check, wrap in ((torch.testing.assert_close, torch.tensor),
                            (assert_close, minitorch.tensor)):
            try:
                check(wrap(a), wrap(b))
                outcomes.append(True)
            except AssertionError:
                outcomes.append(False)
        assert outcomes[0] == outcomes[1], (dtype, noise)


def test_set_default_dtype_changes_every_default():
    assert minitorch.get_default_dtype() == minitorch.float32
    minitorch.set_default_dtype(minitorch.float64)
    try:
        assert minitorch.tensor(1.5).dtype == minitorch.float64
        assert minitorch.Tensor([1, 2]).dtype == minitorch.float64
        assert minitorch.zeros(2).dtype == minitorch.randn(2).dtype == minitorch.float64
        assert minitorch.arange(0.0, 1.0, 0.5).dtype == minitorch.float64
        assert (minitorch.tensor([1, 2]) * 0.5).dtype == minitorch.float64
        assert minitorch.tensor([1, 2]).exp().dtype == minitorch.float64
        assert {p.dtype for p in minitorch.nn.Linear(2, 2).parameters()} == {minitorch.float64}
        assert repr(minitorch.tensor([1.0])) == "tensor([1.])"
        assert "dtype=float32" in repr(minitorch.tensor([1.0], dtype=minitorch.float32))
        with pytest.raises(TypeError, match="only floating-point types"):
            minitorch.set_default_dtype(minitorch.int64)
    finally:
        minitorch.set_default_dtype(minitorch.float32)
    assert minitorch.tensor(1.5).dtype == minitorch.float32
