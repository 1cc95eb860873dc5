"""Tensor construction, attributes, factories, numerical stability and error messages."""

import numpy as np
import pytest

import minitorch as mt
from minitorch import Tensor


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        ([1.0, 2.0], np.float32),
        ([1, 2], np.int64),
        ([True, False], np.bool_),
        (3.5, np.float32),
        (7, np.int64),
        ([1, 2.5], np.float32),
        (np.array([1, 2], dtype=np.int64), np.int64),
        (np.array([1, 2], dtype=np.int32), np.int32),
        (np.array([1, 2], dtype=np.uint8), np.uint8),
        (np.array([1.0], dtype=np.float64), np.float64),
        (np.array([1.0], dtype=np.float32), np.float32),
        (np.float64(2.0), np.float64),
    ],
)
def test_default_dtypes(data, dtype):
    assert mt.tensor(data).dtype == dtype


def test_explicit_dtype_wins():
    assert Tensor([1, 2], dtype=np.int64).dtype == np.int64
    assert Tensor([1.5], dtype=np.float64).dtype == np.float64


def test_construction_copies_and_from_numpy_shares():
    array = np.zeros(3, dtype=np.float32)
    t = Tensor(array, requires_grad=True)
    t.data -= 1.0  # what an optimizer step does
    np.testing.assert_array_equal(array, [0.0, 0.0, 0.0])
    shared = mt.from_numpy(array)
    shared.data += 1.0
    np.testing.assert_array_equal(array, [1.0, 1.0, 1.0])


def test_pandas_dataframe_input():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    t = Tensor(frame.iloc[0:2])
    assert t.shape == (2, 2) and t.dtype == np.float64
    t.data[0, 0] = 99.0
    assert frame.iloc[0, 0] == 1.0


@pytest.mark.parametrize("bad", ["abc", ["a", "b"], [None, 1.0], {"a": 1}, [1 + 2j]])
def test_non_numeric_data_raises_type_error(bad):
    with pytest.raises(TypeError, match="numeric|cannot make a Tensor"):
        Tensor(bad)


def test_ragged_data_raises_type_error():
    with pytest.raises(TypeError, match="cannot make a Tensor from list"):
        Tensor([[1.0, 2.0], [3.0]])


def test_attributes():
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.float64
    assert t.size() == (2, 3) and t.size(0) == 2 and t.size(-1) == 3 and t.numel() == 6
    assert t.dim() == 2 and t.nelement() == 6
    assert t.T.shape == (3, 2) and t.is_leaf and t.grad is None
    assert Tensor(4.0).item() == 4.0 and isinstance(Tensor(4.0).item(), float)
    assert t.detach().numpy() is t._data and t.data._data is t._data
    assert len(t) == 2 and [row.shape for row in t] == [(3,), (3,)]
    with pytest.raises(ValueError, match=r"one element, got shape \(2, 3\)"):
        t.item()


def test_repr_is_readable():
    assert repr(Tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(Tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert "grad_fn=<MulBackward0>" in repr(Tensor([1.0], requires_grad=True) * 2.0)
    assert "dtype=float64" in repr(Tensor(np.zeros(2)))


@pytest.mark.parametrize(("values", "expected"), [
    (3.14159265, "tensor(3.1416)"),
    (0.25, "tensor(0.2500)"),
    ([[1.5, 2.25], [3.0, 4.0]], "tensor([[1.5000, 2.2500],\n        [3.0000, 4.0000]])"),
    ([0.5, 1e-5], "tensor([5.0000e-01, 1.0000e-05])"),
    ([1e9, 1.0], "tensor([1.0000e+09, 1.0000e+00])"),
    ([1.0, 2.0], "tensor([1., 2.])"),
    ([float("nan"), 1.5], "tensor([   nan, 1.5000])"),
])
def test_repr_writes_floats_as_pytorch_does(values, expected):
    assert repr(mt.tensor(values)) == expected  # what PyTorch prints for the same values


@pytest.mark.parametrize(("values", "expected"), [
    ([True, True], "tensor([True, True])"),
    ([True, False], "tensor([ True, False])"),
    ([[True], [False]], "tensor([[ True],\n        [False]])"),
    (True, "tensor(True)"),
])
def test_repr_writes_bools_as_pytorch_does(values, expected):
    assert repr(mt.tensor(values)) == expected  # True is padded only beside a False


def test_repr_of_a_loss_as_pytorch_prints_it():
    torch = pytest.importorskip("torch")
    for values in ([3.348236, 0.1, 2.0], [[0.001, 12.5]], [7.0], [123456789.0, 2.5]):
        assert repr(mt.tensor(values)) == repr(torch.tensor(values)), values


def test_repr_fills_lines_as_pytorch_does():
    # PyTorch puts floor((80 - 7 - depth) / (width + 2)) values on a line: 9 of 0.xxxx,
    # 18 of two-digit integers
    assert repr(mt.arange(1, 28)).splitlines() == [
        "tensor([ 1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17, 18,",
        "        19, 20, 21, 22, 23, 24, 25, 26, 27])"]
    rows = repr(mt.full((2, 10), 0.5)).splitlines()
    assert [line.count("0.5000") for line in rows] == [9, 1, 9, 1]
    # an extra that would overflow the last line goes on a line of its own
    wide = repr(mt.arange(70000, 70009, dtype=mt.int32))
    assert wide.endswith(",\n       dtype=int32)") and max(map(len, wide.splitlines())) <= 80


def test_repr_lays_out_values_as_pytorch_does():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    for depth in (1, 2, 3):
        for n in (5, 9, 13, 17, 27, 41):
            shape = (2,) * (depth - 1) + (n,)
            for values in (rng.integers(-9, 9, shape), rng.random(shape).astype(np.float32),
                           rng.standard_normal(shape).astype(np.float32) * 1e5,
                           rng.integers(0, 2, shape).astype(bool), rng.random(shape) * 100,
                           rng.integers(0, 30000, shape).astype(np.int16)):
                ours = repr(mt.from_numpy(values))
                theirs = repr(torch.from_numpy(values))
                if "dtype" not in theirs:  # their dtype names are 6 characters longer
                    assert ours == theirs
    for shape in ((2000,), (40, 40), (3, 400), (2, 3, 300)):  # summarised with "..."
        values = rng.standard_normal(shape).astype(np.float32)
        assert repr(mt.from_numpy(values)) == repr(torch.from_numpy(values))
        integers = rng.integers(-500, 500, shape)
        assert repr(mt.from_numpy(integers)) == repr(torch.from_numpy(integers))


def test_factories():
    assert mt.zeros(2, 3).shape == (2, 3) and mt.zeros((2, 3)).dtype == np.float32
    np.testing.assert_array_equal(mt.ones(2).data, [1.0, 1.0])
    np.testing.assert_array_equal(mt.full((2,), 7.0).data, [7.0, 7.0])
    np.testing.assert_array_equal(mt.arange(3).data, [0, 1, 2])
    assert mt.arange(3).dtype == np.int64 and mt.arange(3.0).dtype == np.float32
    np.testing.assert_array_equal(mt.arange(1, 2, 0.5).data, [1.0, 1.5])
    like = mt.zeros_like(Tensor(np.ones((2, 2))))
    assert like.shape == (2, 2) and like.dtype == np.float64
    assert mt.ones_like(Tensor([1.0])).data[0] == 1.0
    assert mt.tensor([1.0, 2], requires_grad=True).requires_grad
    assert mt.randn(3, 4, requires_grad=True).requires_grad
    assert mt.rand(100).data.min() >= 0 and mt.rand(100).data.max() < 1


def test_manual_seed_makes_random_reproducible():
    mt.manual_seed(7)
    first = mt.randn(5).data, mt.rand(3).data
    mt.manual_seed(7)
    second = mt.randn(5).data, mt.rand(3).data
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_python_numbers_keep_tensor_dtype():
    t = Tensor([1.0, 2.0])
    for out in (t + 1, 2 * t, t / 3.0, 1.0 - t, t**2, 2.0**t, t.maximum(0.5)):
        assert out.dtype == np.float32


def test_ndarray_on_the_left_defers_to_tensor():
    out = np.ones(2, dtype=np.float32) + Tensor([1.0, 2.0], requires_grad=True)
    assert isinstance(out, Tensor) and out.requires_grad


def test_shape_mismatch_names_op_and_shapes():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"MatMul of shapes \(2, 3\), \(4, 5\)"):
        a @ b
    with pytest.raises(ValueError, match=r"Add of shapes \(2, 3\), \(4, 5\)"):
        a + b
    with pytest.raises(ValueError, match=r"Mul of shapes \(2, 3\), \(4,\)"):
        a * Tensor(np.ones(4))
    with pytest.raises(ValueError, match="0-d"):
        Tensor(2.0) @ Tensor([1.0])
    with pytest.raises(ValueError, match=r"Reshape of shapes \(2, 3\)"):
        a.reshape(4, 2)


def test_index_out_of_range_raises_index_error():
    t = Tensor([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match=r"index 5 into a tensor of shape \(3,\)"):
        t[5]
    with pytest.raises(IndexError, match="out of bounds"):
        t[np.array([0, 3])]


def test_reduction_axis_out_of_range():
    with pytest.raises(IndexError, match=r"range of \[-2, 1\], but got 2"):
        Tensor(np.ones((2, 2))).sum(axis=2)
    with pytest.raises(IndexError, match=r"range of \[-2, 1\], but got -3"):
        Tensor(np.ones((2, 2))).mean(dim=-3)


def test_stable_formulations_do_not_overflow():
    big = Tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        log_probs = big.log_softmax(axis=1)
        np.testing.assert_allclose(log_probs.data, [[0.0, -1000.0, -2000.0]])
        np.testing.assert_allclose(big.softmax(axis=1).data, [[1.0, 0.0, 0.0]], atol=1e-30)
        np.testing.assert_allclose(big.logsumexp(axis=1).data, [1000.0])
        sig = Tensor([-1000.0, 0.0, 1000.0]).sigmoid()
        np.testing.assert_array_equal(sig.data, [0.0, 0.5, 1.0])
        log_probs.sum().backward()
    assert np.all(np.isfinite(big.grad))


def test_var_and_std_are_unbiased_by_default_as_in_pytorch():
    x = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 9.0]])
    np.testing.assert_allclose(Tensor(x).var(1).data, x.var(axis=1, ddof=1))
    np.testing.assert_allclose(Tensor(x).var(dim=1, unbiased=False).data, x.var(axis=1))
    np.testing.assert_allclose(Tensor(x).var(1, correction=0).data, x.var(axis=1))
    np.testing.assert_allclose(Tensor(x).std().data, x.std(ddof=1))
    np.testing.assert_allclose(Tensor(x).std(axis=0, ddof=0).data, x.std(axis=0))
    with pytest.warns(UserWarning, match=r"std\(\): degrees of freedom is <= 0"):
        assert np.isnan(Tensor([1.0]).std().item())


def test_shape_helpers():
    t = Tensor(np.zeros((2, 1, 3)))
    assert t.squeeze().shape == (2, 3) and t.squeeze(1).shape == (2, 3)
    assert t.unsqueeze(0).shape == (1, 2, 1, 3)
    assert t.flatten().shape == (6,) and t.flatten(1).shape == (2, 3)
    assert t.transpose(0, 2).shape == (3, 1, 2) and t.transpose().shape == (3, 1, 2)
    assert t.permute(2, 0, 1).shape == (3, 2, 1) and t.expand(4, 2, 5, 3).shape == (4, 2, 5, 3)
    assert t.view(-1, 3).shape == (2, 3)
    assert t.squeeze(0).shape == (2, 1, 3)  # as in PyTorch: a dim longer than 1 stays


def test_casting_is_differentiable():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_where_accepts_numbers_and_tensors():
    x = Tensor([-1.0, 2.0], requires_grad=True)
    out = mt.where(x > 0, x, 0.0)
    assert out.dtype == np.float32
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])


def test_concatenate_and_stack_need_inputs():
    with pytest.raises(ValueError, match="at least one"):
        mt.concatenate([])
    with pytest.raises(ValueError, match="at least one"):
        mt.stack([])


@pytest.mark.parametrize("call", [
    lambda: mt.ones(2, 3) + mt.ones(4),
    lambda: mt.ones(2, 3) @ mt.ones(2, 3),
    lambda: mt.ones(2, 3).reshape(4),
    lambda: mt.cat([mt.ones(2, 3), mt.ones(2, 2)]),
])
def test_operands_that_do_not_fit_raise_runtime_error_as_pytorch_and_value_error(call):
    with pytest.raises(RuntimeError, match="of shapes") as caught:
        call()
    assert isinstance(caught.value, ValueError)  # what NumPy raises, for code that expects it


def test_out_argument_writes_the_result_into_the_given_tensor():
    x = mt.ones(2, 3)
    result = mt.empty(2, 3)
    assert mt.add(x, x, out=result) is result and result.tolist() == [[2.0] * 3] * 2
    for call, expected in [
        (lambda out: mt.sub(x, x, alpha=2, out=out), -1.0),
        (lambda out: mt.mul(x, x * 3, out=out), 3.0),
        (lambda out: mt.div(x, x * 4, out=out), 0.25),
    ]:
        out = mt.zeros(2, 3)
        call(out)
        assert out.tolist() == [[expected] * 3] * 2
    product = mt.empty(0)  # resized to the result's shape, silently when it was empty
    mt.matmul(x, x.T, out=product)
    assert product.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    joined = mt.zeros(4, 3)
    assert mt.cat([x, x * 2], out=joined).tolist()[3] == [2.0] * 3
    assert mt.stack([x, x], out=mt.empty(0)).shape == (2, 2, 3)
    with pytest.warns(UserWarning, match="resized"):
        mt.add(x, x, out=mt.zeros(5))
    with pytest.raises(RuntimeError, match="can't be cast"):
        mt.add(x, x, out=mt.zeros(2, 3, dtype=mt.int64))
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        mt.add(mt.ones(2, requires_grad=True), 1, out=mt.zeros(2))
