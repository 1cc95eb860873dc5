"""PyTorch's factories, tensor methods and top-level functions: values, dtypes and errors.
(Gradients of the differentiable ones are checked through tests/op_registry.py.)"""

import numpy as np
import pytest

import minitorch as mt

# ----- factories --------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "dtype"), [
    ([1, 2], np.int64), (3, np.int64), ([True, False], np.bool_), ([1.0, 2], np.float32),
    (2.5, np.float32), (np.array([1.0], np.float64), np.float64),
    (np.array([1, 2], np.uint8), np.uint8),
])
def test_tensor_follows_pytorch_dtypes(data, dtype):
    assert mt.tensor(data).dtype == dtype
    assert mt.tensor(data, dtype=np.float64).dtype == np.float64


def test_integer_tensors_index():
    C = mt.randn(27, 10)
    X = mt.tensor([[0, 5, 13], [1, 2, 3]])
    assert C[X].shape == (2, 3, 10)
    probs = mt.rand(4, 27)
    picked = probs[mt.arange(4), mt.tensor([1, 2, 3, 4])]
    np.testing.assert_array_equal(picked.numpy(), probs.numpy()[np.arange(4), [1, 2, 3, 4]])


@pytest.mark.parametrize(("args", "kwargs", "expected", "dtype"), [
    ((5,), {}, np.arange(5), np.int64),
    ((2, 8, 3), {}, np.arange(2, 8, 3), np.int64),
    ((5, 0, -2), {}, np.arange(5, 0, -2), np.int64),
    ((0.0, 1.0, 0.25), {}, np.arange(0.0, 1.0, 0.25), np.float32),
    ((3,), {"dtype": np.float64}, np.arange(3.0), np.float64),
    ((1, 2.5), {}, np.arange(1, 2.5), np.float32),
])
def test_arange(args, kwargs, expected, dtype):
    out = mt.arange(*args, **kwargs)
    assert out.dtype == dtype
    np.testing.assert_allclose(out.numpy(), expected)


@pytest.mark.parametrize(("args", "match"), [((0, 5, 0), "non-zero step"),
                                             ((5, 0), "never arrives with step 1")])
def test_arange_errors(args, match):
    with pytest.raises(ValueError, match=match):
        mt.arange(*args)


def test_linspace_eye_empty_full():
    np.testing.assert_allclose(mt.linspace(-3, 0, 4).numpy(), [-3, -2, -1, 0])
    assert mt.linspace(0, 10, 5).dtype == np.float32 and mt.linspace(0, 1, 0).shape == (0,)
    assert mt.linspace(0, 1, 3, dtype=np.float64).dtype == np.float64
    np.testing.assert_array_equal(mt.eye(2, 3).numpy(), [[1, 0, 0], [0, 1, 0]])
    assert mt.eye(3).shape == (3, 3) and mt.eye(2, dtype=np.int64).dtype == np.int64
    empty = mt.empty(2, 3)
    assert empty.shape == (2, 3) and empty.dtype == np.float32 and not empty.numpy().any()
    assert mt.empty((4,), dtype=np.int64).dtype == np.int64
    assert mt.full((2,), 3).dtype == np.int64 and mt.full((2,), True).dtype == np.bool_
    assert mt.full(2, 0.5).dtype == np.float32


def test_like_factories_keep_shape_and_dtype():
    ints = mt.tensor([[1, 2], [3, 4]])
    full = mt.full_like(ints, 7)
    assert full.dtype == np.int64 and full.tolist() == [[7, 7], [7, 7]]
    assert mt.full_like(ints, 2.5, dtype=np.float32).numpy().tolist() == [[2.5, 2.5]] * 2
    assert mt.zeros_like(ints, dtype=np.float64).dtype == np.float64
    assert mt.ones_like(ints).dtype == np.int64
    assert mt.rand_like(mt.zeros(2, 5)).shape == (2, 5)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: mt.eye(-1), ValueError, "n must be >= 0, got -1"),
    (lambda: mt.eye(2, -3), ValueError, "m must be >= 0"),
    (lambda: mt.eye(2.0), TypeError, "n must be an int"),
    (lambda: mt.linspace(0, 1, -1), ValueError, "steps must be >= 0"),
    (lambda: mt.arange(3, requires_grad=True), RuntimeError, "only tensors of floating point"),
])
def test_factory_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----- comparisons and logical reductions -------------------------------------------------


def test_comparison_methods_give_bool_tensors():
    a, b = mt.tensor([1.0, 2.0, 3.0]), mt.tensor([3.0, 2.0, 1.0])
    for name, expected in [("eq", [0, 1, 0]), ("ne", [1, 0, 1]), ("lt", [1, 0, 0]),
                           ("le", [1, 1, 0]), ("gt", [0, 0, 1]), ("ge", [0, 1, 1])]:
        out = getattr(a, name)(b)
        assert out.dtype == np.bool_ and out.tolist() == [bool(v) for v in expected], name
        assert getattr(mt, name)(a, b).tolist() == out.tolist()
    assert a.eq(2.0).tolist() == [False, True, False]


def test_all_and_any():
    x = mt.tensor([[1.0, 0.0], [2.0, 3.0]])
    assert x.all().dtype == np.bool_ and x.all().shape == () and not bool(x.all())
    assert bool(x.any()) and bool((x >= 0).all())
    assert x.all(dim=1).tolist() == [False, True] and x.any(0).tolist() == [True, True]
    assert x.all(1, keepdim=True).shape == (2, 1) and x.all(dim=(0, 1)).shape == ()
    assert mt.all(x > -1).item() is True and mt.any(x > 5).item() is False
    assert mt.tensor(5.0).all(dim=0).item() is True  # a 0-d tensor accepts dim 0 and -1
    if x.all():
        pytest.fail("a tensor holding a zero is not all true")
    with pytest.raises(IndexError, match=r"range of \[-2, 1\], but got 2"):
        x.all(2)


def test_allclose():
    a = mt.tensor([1.0, 2.0])
    assert mt.allclose(a, mt.tensor([1.0, 2.0 + 1e-9])) is True
    assert a.allclose([1.0, 2.1]) is False and a.allclose([1.0, 2.1], atol=0.2)
    nan = mt.tensor([np.nan])
    assert not mt.allclose(nan, nan) and mt.allclose(nan, nan, equal_nan=True)


# ----- shape helpers ----------------------------------------------------------------------


def test_t_view_as_contiguous():
    m = mt.rand(2, 3)
    assert m.t().shape == (3, 2) and mt.t(m).shape == (3, 2)
    assert mt.rand(4).t().shape == (4,) and mt.tensor(1.0).t().shape == ()
    with pytest.raises(RuntimeError, match=r"at most 2 dimensions, got shape \(2, 2, 2\)"):
        mt.rand(2, 2, 2).t()
    assert mt.arange(6).view_as(m).shape == (2, 3)
    assert m.contiguous() is m


def test_split_and_chunk():
    x = mt.arange(10).reshape(2, 5)
    assert [p.tolist() for p in x.split(2, dim=1)] == [[[0, 1], [5, 6]], [[2, 3], [7, 8]],
                                                       [[4], [9]]]
    assert [p.shape for p in x.split([1, 4], 1)] == [(2, 1), (2, 4)]
    assert [p.shape for p in x.split([0, 2])] == [(0, 5), (2, 5)]
    assert [p.shape for p in mt.split(x, 1)] == [(1, 5), (1, 5)]
    assert [p.shape for p in x.chunk(3, dim=-1)] == [(2, 2), (2, 2), (2, 1)]
    assert len(mt.arange(6).chunk(4)) == 3  # as in PyTorch: pieces of ceil(6 / 4) = 2
    assert len(mt.chunk(mt.arange(5), 10)) == 5


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda x: x.split(0), ValueError, "split_size > 0, got 0"),
    (lambda x: x.split([2, 2]), ValueError, r"\[2, 2\] must be >= 0 and add up to 5"),
    (lambda x: x.split([6, -1]), ValueError, "must be >= 0"),
    (lambda x: x.split(1, dim=1), IndexError, "range of .-1, 0., but got 1"),
    (lambda x: x.chunk(0), ValueError, "chunks > 0, got 0"),
    (lambda x: x.chunk(2, dim=-2), IndexError, "range of .-1, 0., but got -2"),
])
def test_split_and_chunk_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(mt.arange(5))


# ----- masking and triangles --------------------------------------------------------------


def test_masked_fill_as_in_attention():
    scores = mt.rand(3, 3, requires_grad=True)
    mask = mt.tril(mt.ones(3, 3)) == 0
    weights = scores.masked_fill(mask, float("-inf")).softmax(-1)
    np.testing.assert_allclose(weights.detach().numpy()[0], [1.0, 0.0, 0.0])
    weights.sum().backward()
    assert scores.grad.shape == (3, 3)
    grown = mt.zeros(4).masked_fill(mt.ones(2, 4) > 0, 1.0)  # the mask may broadcast x
    assert grown.shape == (2, 4) and grown.numpy().all()
    assert mt.masked_fill(mt.zeros(2), mt.tensor([True, False]), mt.tensor(5.0)).tolist() == [
        5.0, 0.0]


def test_masked_fill_errors():
    with pytest.raises(TypeError, match="bool mask, got dtype int64"):
        mt.zeros(3).masked_fill(mt.tensor([1, 0, 0]), 1.0)
    with pytest.raises(ValueError, match=r"0-d tensor as value, got shape \(2,\)"):
        mt.zeros(2).masked_fill(mt.tensor([True, False]), mt.tensor([1.0, 2.0]))


def test_tril_triu():
    x = mt.arange(1.0, 10.0).reshape(3, 3)
    assert mt.tril(x).tolist() == [[1, 0, 0], [4, 5, 0], [7, 8, 9]]
    assert x.triu(1).tolist() == [[0, 2, 3], [0, 0, 6], [0, 0, 0]]
    assert x.tril(-1).tolist() == [[0, 0, 0], [4, 0, 0], [7, 8, 0]]
    assert mt.tril(mt.ones(2, 3, 3)).numpy().sum() == 12
    assert mt.tril(mt.ones(2, 2, dtype=np.int64)).dtype == np.int64
    with pytest.raises(ValueError, match=r"tril needs at least 2 dimensions, got shape \(3,\)"):
        mt.tril(mt.ones(3))


# ----- sorting ----------------------------------------------------------------------------


def test_sort_returns_values_and_int64_indices():
    x = mt.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    values, indices = x.sort()
    assert values.tolist() == [[1, 2, 3], [0, 4, 5]] and indices.dtype == np.int64
    assert indices.tolist() == [[1, 2, 0], [0, 2, 1]]
    result = mt.sort(x, dim=0, descending=True)
    assert result.values.tolist() == [[3, 5, 4], [0, 1, 2]]
    assert result.indices.tolist() == [[0, 1, 1], [1, 0, 0]]


def test_sort_keeps_ties_in_order_and_puts_nan_last():
    ties = mt.tensor([2.0, 1.0, 2.0, 1.0])
    assert ties.sort().indices.tolist() == [1, 3, 0, 2]
    assert ties.sort(descending=True).indices.tolist() == [0, 2, 1, 3]
    with_nan = mt.tensor([1.0, np.nan, 0.0])
    assert with_nan.sort().indices.tolist() == [2, 0, 1]
    assert with_nan.sort(descending=True).indices.tolist() == [1, 0, 2]


def test_sort_gradient_goes_back_to_the_sorted_positions():
    x = mt.tensor([3.0, 1.0, 2.0], requires_grad=True)
    (x.sort().values * mt.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def test_topk():
    x = mt.tensor([[1.0, 9.0, 3.0, 7.0], [4.0, 2.0, 8.0, 6.0]], requires_grad=True)
    values, indices = x.topk(2)
    assert values.tolist() == [[9, 7], [8, 6]] and indices.tolist() == [[1, 3], [2, 3]]
    smallest = mt.topk(x, 1, dim=0, largest=False)
    assert smallest.values.tolist() == [[1, 2, 3, 6]] and smallest.indices.dtype == np.int64
    values.sum().backward()
    assert x.grad.tolist() == [[0, 1, 0, 1], [0, 0, 1, 1]]
    assert x.topk(0).values.shape == (2, 0)
    scalar = mt.tensor(5.0).topk(1)
    assert scalar.values.item() == 5.0 and scalar.indices.item() == 0


@pytest.mark.parametrize(("k", "dim"), [(5, -1), (-1, -1), (3, 0)])
def test_topk_k_out_of_range(k, dim):
    with pytest.raises(ValueError, match=f"topk needs 0 <= k <= {4 if dim == -1 else 2}"):
        mt.zeros(2, 4).topk(k, dim)


def test_sort_dim_out_of_range():
    with pytest.raises(IndexError, match="dimension out of range"):
        mt.zeros(3).sort(1)


# ----- histogram --------------------------------------------------------------------------


def test_histogram_matches_numpy():
    values = np.random.default_rng(0).normal(size=200).astype(np.float32)
    hist, edges = mt.histogram(mt.tensor(values), 7)
    expected, expected_edges = np.histogram(values, 7)
    np.testing.assert_array_equal(hist.numpy(), expected)
    np.testing.assert_allclose(edges.numpy(), expected_edges, rtol=1e-6)
    assert hist.dtype == np.float32 and edges.dtype == np.float32
    weights = np.abs(values)
    result = mt.tensor(values).histogram(
        mt.tensor([-3.0, 0.0, 1.0, 3.0]), weight=mt.tensor(weights), density=True)
    expected, _ = np.histogram(values, [-3.0, 0.0, 1.0, 3.0], weights=weights, density=True)
    np.testing.assert_allclose(result.hist.numpy(), expected, rtol=1e-6)
    ranged = mt.histogram(mt.tensor([0.5, 1.5, 9.0]), 2, range=(0.0, 2.0))
    assert ranged.hist.tolist() == [1.0, 1.0] and ranged.bin_edges.tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "tanh", "erf", "sigmoid", "log10",
                                  "log2"])
@pytest.mark.parametrize("values", [[1, 2, 4], [True, True]])
def test_floating_functions_of_integers_give_float32(name, values):
    x = mt.tensor(values)
    out = getattr(x, name)()
    assert out.dtype == np.float32  # PyTorch's default float dtype, not NumPy's float64
    expected = getattr(x.float(), name)()
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_floating_functions_of_integers_match_torch():
    torch = pytest.importorskip("torch")
    for name in ["exp", "log", "sqrt", "tanh", "sigmoid", "log10", "log2"]:
        ours, theirs = getattr(mt.arange(1, 5), name)(), getattr(torch.arange(1, 5), name)()
        assert str(theirs.dtype) == f"torch.{ours.dtype}", name
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, err_msg=name)


def test_histogram_has_100_bins_by_default():
    values = np.random.default_rng(1).normal(size=500).astype(np.float32)
    hy, hx = mt.histogram(mt.tensor(values), density=True)  # as makemore part 3 draws them
    expected, expected_edges = np.histogram(values, 100, density=True)
    assert hy.shape == (100,) and hx.shape == (101,)
    np.testing.assert_allclose(hy.numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(hx.numpy(), expected_edges, rtol=1e-6)
    assert mt.tensor(values).histogram().hist.sum().item() == 500


def test_histogram_matches_torch():
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(2).normal(size=300).astype(np.float32)
    ours, theirs = mt.histogram(mt.tensor(values), density=True), torch.histogram(
        torch.tensor(values), density=True)
    np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours.bin_edges.numpy(), theirs.bin_edges.numpy(), atol=1e-6)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: mt.histogram(mt.tensor([1, 2]), 3), TypeError, "floating-point tensor"),
    (lambda: mt.histogram(mt.tensor([1.0]), 0), ValueError, "bins > 0, got 0"),
    (lambda: mt.histogram(mt.tensor([1.0]), 2, range=(3.0, 1.0)), ValueError, "min <= max"),
])
def test_histogram_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----- top-level functions ----------------------------------------------------------------


def test_top_level_functions_are_the_methods():
    x = mt.tensor([[0.5, 2.0, 1.0], [3.0, 0.25, 4.0]])
    for name in ["exp", "log", "log2", "log10", "sqrt", "tanh", "flatten"]:
        np.testing.assert_array_equal(getattr(mt, name)(x).numpy(),
                                      getattr(x, name)().numpy(), err_msg=name)
    np.testing.assert_array_equal(mt.sum(x, 1).numpy(), x.sum(1).numpy())
    np.testing.assert_array_equal(mt.mean(x).numpy(), x.mean().numpy())
    np.testing.assert_array_equal(mt.argmax(x, 1).numpy(), [1, 2])
    np.testing.assert_array_equal(mt.softmax(x, 1).numpy(), x.softmax(1).numpy())
    assert mt.max(x).item() == 4.0 and mt.min(x).item() == 0.25
    assert mt.max(x, 1).indices.tolist() == [1, 2] and mt.min(x, dim=0).values.tolist() == [
        0.5, 0.25, 1.0]
    assert mt.sum(mt.tensor([1, 2]), dtype=mt.float64).dtype == np.float64
    np.testing.assert_array_equal(mt.max(x, mt.full_like(x, 1.0)).numpy(),
                                  np.maximum(x.numpy(), 1.0))


def test_integer_scalar_tensor_is_an_index():
    classes = ["a", "b", "c"]
    assert classes[mt.tensor([0.1, 0.9, 0.0]).argmax(0)] == "b"
    assert classes[mt.tensor([2])] == "c" and range(5)[mt.tensor(3)] == 3
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        classes[mt.tensor(1.0)]
    with pytest.raises(TypeError, match=r"shape \(2,\)"):
        classes[mt.tensor([1, 2])]


def test_more_top_level_functions_are_the_methods():
    x = mt.tensor([[0.5, -2.0, 1.0], [3.0, 0.25, -4.0]])
    for name in ["abs", "sigmoid", "relu"]:
        np.testing.assert_array_equal(getattr(mt, name)(x).numpy(), getattr(x, name)().numpy())
    np.testing.assert_array_equal(mt.clamp(x, min=0.0, max=1.0).numpy(), x.clamp(0.0, 1.0).numpy())
    np.testing.assert_array_equal(mt.clip(x, max=0.0).numpy(), x.clamp(max=0.0).numpy())
    np.testing.assert_array_equal(mt.log_softmax(x, 1).numpy(), x.log_softmax(1).numpy())
    assert mt.std(x, 0, keepdim=True).tolist() == x.std(0, keepdim=True).tolist()
    assert mt.var(x, 1, correction=0).tolist() == x.var(1, correction=0).tolist()
    assert mt.var(x, 1, False).tolist() == x.var(1, unbiased=False).tolist()
    np.testing.assert_array_equal(mt.logsumexp(x, 1).numpy(), x.logsumexp(1).numpy())
    assert mt.amax(x, 0).tolist() == [3.0, 0.25, 1.0] and mt.amin(x).item() == -4.0
    assert mt.argmin(x, 1).tolist() == [1, 2]
    assert mt.pow(x, 2).tolist() == (x * x).tolist() == x.pow(2).tolist()
    assert mt.pow(2, mt.tensor([1.0, 3.0])).tolist() == [2.0, 8.0]
    w = mt.tensor([1.5, 2.0], requires_grad=True)
    mt.pow(w, 3).sum().backward()  # the ** operator, so differentiable
    assert w.grad.tolist() == [3 * 1.5**2, 3 * 2.0**2]


def test_isclose_and_equal():
    a = mt.tensor([1.0, 2.0, float("nan")])
    b = mt.tensor([1.0 + 1e-7, 2.1, float("nan")])
    assert mt.isclose(a, b).tolist() == [True, False, False]
    assert a.isclose(b, equal_nan=True).tolist() == [True, False, True]
    assert a.isclose(b, atol=0.2).dtype == np.bool_ and a.isclose(2.0).tolist() == [
        False, True, False]
    assert mt.equal(mt.tensor([1, 2]), mt.tensor([1, 2])) is True
    assert mt.tensor([1, 2]).equal(mt.tensor([1, 3])) is False
    assert mt.equal(mt.tensor([1, 2]), mt.tensor([[1, 2]])) is False  # shapes differ


def test_more_top_level_functions_match_torch():
    torch = pytest.importorskip("torch")
    values = np.array([[0.5, -2.0, 1.0], [3.0, 0.25, -4.0]], np.float32)
    ours, theirs = mt.tensor(values), torch.tensor(values)
    calls = [
        lambda lib, x: lib.abs(x), lambda lib, x: lib.sigmoid(x), lambda lib, x: lib.relu(x),
        lambda lib, x: lib.clamp(x, min=-1.0), lambda lib, x: lib.log_softmax(x, dim=1),
        lambda lib, x: lib.std(x, 0), lambda lib, x: lib.var(x, 1, keepdim=True),
        lambda lib, x: lib.logsumexp(x, 1), lambda lib, x: lib.amax(x, 1),
        lambda lib, x: lib.argmin(x, 0), lambda lib, x: lib.pow(x, 2),
        lambda lib, x: lib.isclose(x, x + 1e-6),
    ]
    for call in calls:
        mine, reference = call(mt, ours), call(torch, theirs)
        assert str(reference.dtype) == f"torch.{mine.dtype}"
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-6)
    assert mt.equal(ours, ours) == torch.equal(theirs, theirs)


def test_top_level_functions_take_pytorchs_keyword_names():
    """PyTorch's tutorials call some functions by keyword, as
    ``torch.matmul(input=grad_y_pred, other=x)``: the names are PyTorch's."""
    a, b = mt.tensor([1.0, -2.0, 3.0]), mt.tensor([2.0, 1.0, -1.0])
    assert mt.matmul(input=a, other=b).item() == -3.0
    assert mt.dot(input=a, tensor=b).item() == -3.0
    assert a.dot(tensor=b).item() == -3.0
    assert mt.maximum(input=a, other=b).tolist() == [2.0, 1.0, 3.0]
    assert mt.minimum(input=a, other=b).tolist() == [1.0, -2.0, -1.0]
    assert mt.where(condition=a > 0, input=a, other=b).tolist() == [1.0, 1.0, 3.0]
    assert mt.as_tensor(data=[1, 2]).tolist() == [1, 2]
    assert mt.promote_types(type1=mt.int32, type2=mt.float32) == mt.float32


def test_the_default_device_is_the_cpu():
    mt.set_default_device("cpu")
    mt.set_default_device(mt.device("cpu"))
    mt.set_default_device(None)  # PyTorch's way back to the CPU
    assert mt.get_default_device() == mt.device("cpu")
    with pytest.raises(RuntimeError, match="minitorch runs on the CPU only"):
        mt.set_default_device("cuda")
