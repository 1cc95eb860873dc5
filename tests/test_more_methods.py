"""PyTorch's smaller Tensor methods without torch: aliases, in-place forms (comparisons keep
the tensor's dtype), conversions, queries, shape helpers, and the random fillers checked
against their distributions with a fixed seed. tests/test_more_methods_torch.py compares
them with PyTorch; tests/op_registry.py checks the gradients of the differentiable ones."""

import math

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.nn import functional as F


def test_aliases_are_the_same_methods():
    t = mt.Tensor
    assert (t.greater, t.greater_equal, t.less, t.less_equal, t.not_equal) == (
        t.gt, t.ge, t.lt, t.le, t.ne)
    assert (t.multiply_, t.subtract_, t.divide_, t.true_divide_) == (t.mul_, t.sub_, t.div_,
                                                                     t.div_)
    assert mt.greater is mt.gt and mt.not_equal is mt.ne


def test_comparisons_in_place_keep_the_dtype():
    x = mt.tensor([1.0, 2.0, 3.0])
    assert x.lt_(2.5) is x and x.dtype == mt.float32 and x.tolist() == [1.0, 1.0, 0.0]
    n = mt.tensor([1, 5, 3])
    assert n.ge_(mt.tensor([1, 6, 2])).tolist() == [1, 0, 1] and n.dtype == mt.int64
    b = mt.tensor([True, False])
    assert b.logical_xor_(mt.tensor([True, True])).tolist() == [False, True]
    assert b.logical_not_().tolist() == [True, False]


def test_in_place_forms_write_into_the_tensor():
    x = mt.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.cumsum_(1) is x and x.tolist() == [[1.0, 3.0], [3.0, 7.0]]
    x.tril_().clamp_max_(5).clamp_min_(2)
    assert x.tolist() == [[2.0, 2.0], [3.0, 5.0]]
    x.fmod_(2).lerp_(mt.ones(2, 2), 0.5)
    assert x.tolist() == [[0.5, 0.5], [1.0, 1.0]]
    y = mt.tensor([2.0, 3.0], dtype=mt.float64).float_power_(2)
    assert y.tolist() == [4.0, 9.0]
    z = mt.zeros(3).scatter_add_(0, mt.tensor([0, 0, 2]), mt.tensor([1.0, 2.0, 3.0]))
    assert z.tolist() == [3.0, 0.0, 3.0]


def test_in_place_gradients_follow_the_new_values():
    a = mt.tensor([1.0, -2.0, 3.0], requires_grad=True)
    b = a * 1
    b.clamp_min_(0.0).cumprod_(0)
    b.sum().backward()
    assert a.grad.tolist() == [1.0, 0.0, 0.0]
    c = a * 1
    c.gt_(0)
    assert c.requires_grad and c.tolist() == [1.0, 0.0, 1.0]


@pytest.mark.parametrize("fill", [
    lambda t: t.eq_(0), lambda t: t.tril_(), lambda t: t.random_(),
    lambda t: t.exponential_(), lambda t: t.geometric_(0.5), lambda t: t.log_normal_(),
    lambda t: t.cauchy_(), lambda t: t.fill_diagonal_(1.0),
])
def test_in_place_refused_on_a_leaf_that_requires_grad(fill):
    with pytest.raises(RuntimeError, match="leaf"):
        fill(mt.zeros(2, 2, requires_grad=True))
    with mt.no_grad():  # allowed, as in PyTorch
        fill(mt.zeros(2, 2, requires_grad=True))


def test_conversions_and_queries():
    x = mt.tensor([-1.5, 300.0])
    assert x.byte().dtype == mt.uint8 and x.char().dtype == mt.int8
    assert x.short().dtype == mt.int16 and x.short().tolist() == [-1, 300]
    assert x.is_cpu and x.get_device() == -1 and mt.get_device(x) == -1
    assert x.is_signed() and not x.byte().is_signed() and not mt.is_signed(x.bool())
    assert x.is_same_size(mt.zeros(2)) and not mt.is_same_size(x, mt.zeros(1, 2))
    assert mt.tensor([[2]]).is_nonzero() and not mt.is_nonzero(mt.tensor(0.0))
    with pytest.raises(RuntimeError, match="more than one value"):
        x.is_nonzero()


def test_shape_helpers():
    x = mt.arange(6).reshape(2, 3)
    assert x.reshape_as(mt.zeros(3, 2)).shape == (3, 2)
    assert x.tile(2).shape == (2, 6) and mt.tile(x, (2, 1, 1)).shape == (2, 2, 3)
    assert x.fliplr().tolist() == [[2, 1, 0], [5, 4, 3]]
    assert mt.flipud(x).tolist() == [[3, 4, 5], [0, 1, 2]]
    assert x.select(1, -1).tolist() == [2, 5] and mt.select(x, 0, 1).tolist() == [3, 4, 5]
    assert mt.msort(mt.tensor([[3, 1], [1, 2]])).tolist() == [[1, 1], [3, 2]]
    first, second = x.split_with_sizes([1, 2], dim=1)
    assert first.shape == (2, 1) and second.shape == (2, 2)
    assert x.sum_to_size(1, 3).tolist() == [[3, 5, 7]] and x.sum_to_size(2, 1).shape == (2, 1)
    with pytest.raises(IndexError, match="out of range"):
        x.select(0, 2)
    with pytest.raises(RuntimeError, match="not expandable"):
        x.sum_to_size(2)
    with pytest.raises(RuntimeError, match="sum exactly to 3"):
        x.split_with_sizes([1, 1], 1)


def test_small_ops():
    a, b = mt.tensor([3.0, 0.0]), mt.tensor([0.0, 4.0])
    assert a.dist(b).item() == 5.0 and mt.dist(a, b, 1).item() == 7.0
    assert mt.vdot(a, b + 1).item() == 3.0
    assert mt.isposinf(mt.tensor([math.inf, -math.inf])).tolist() == [True, False]
    assert mt.tensor([math.inf, -math.inf]).isneginf().tolist() == [False, True]
    assert mt.logaddexp2(mt.tensor(1.0), mt.tensor(1.0)).item() == pytest.approx(2.0)
    assert mt.diagflat(mt.tensor([[1, 2]])).tolist() == [[1, 0], [0, 2]]
    embedded = mt.tensor([[1.0, 2.0]]).diag_embed(1)
    assert embedded.tolist() == [[[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]]]
    assert mt.hardshrink(mt.tensor([-1.0, 0.3, 0.75])).tolist() == [-1.0, 0.0, 0.75]
    assert F.softshrink(mt.tensor([-1.0, 0.3, 1.5]), 1.0).tolist() == [0.0, 0.0, 0.5]
    assert repr(nn.Hardshrink(0.2)) == "Hardshrink(0.2)" and repr(nn.Softshrink()) == \
        "Softshrink(0.5)"


def test_nanmedian_skips_nans():
    x = mt.tensor([[math.nan, 1.0, 5.0, 3.0], [math.nan] * 4])
    values, indices = x.nanmedian(1)
    assert values[0].item() == 3.0 and indices[0].item() == 3 and math.isnan(values[1].item())
    assert x.nanmedian().item() == 3.0 and math.isnan(x.median().item())


def test_fill_diagonal_index_copy_renorm():
    x = mt.zeros(5, 2).fill_diagonal_(1.0, wrap=True)
    assert x.tolist() == [[1, 0], [0, 1], [0, 0], [1, 0], [0, 1]]
    source = mt.tensor([[1.0, 2.0]], requires_grad=True)
    base = mt.zeros(3, 2, requires_grad=True)
    out = mt.index_copy(base, 0, mt.tensor([1]), source)
    assert out.tolist() == [[0, 0], [1, 2], [0, 0]]
    (out * mt.arange(6.0).reshape(3, 2)).sum().backward()
    assert source.grad.tolist() == [[2.0, 3.0]] and base.grad.tolist() == [[0, 1], [0, 0],
                                                                           [4, 5]]
    rows = mt.tensor([[3.0, 4.0], [0.3, 0.4]]).renorm(2, 0, 1.0)
    np.testing.assert_allclose(rows.numpy(), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    with pytest.raises(RuntimeError, match="equal"):
        mt.zeros(2, 3, 3).fill_diagonal_(1)


def _sample(fill, n=20000):
    return fill(mt.empty(n, dtype=mt.float64), mt.Generator().manual_seed(0)).numpy()


def test_random_fillers_follow_their_distributions():
    uniform = _sample(lambda t, g: t.random_(3, 7, generator=g))
    assert set(np.unique(uniform)) == {3, 4, 5, 6} and abs(uniform.mean() - 4.5) < 0.05
    assert set(np.unique(_sample(lambda t, g: t.random_(2, generator=g)))) == {0, 1}
    exponential = _sample(lambda t, g: t.exponential_(4.0, generator=g))
    assert exponential.min() >= 0 and abs(exponential.mean() - 0.25) < 0.01
    geometric = _sample(lambda t, g: t.geometric_(0.25, generator=g))
    assert geometric.min() == 1 and abs(geometric.mean() - 4.0) < 0.1
    log_normal = _sample(lambda t, g: t.log_normal_(0.5, 0.25, generator=g))
    assert abs(np.log(log_normal).mean() - 0.5) < 0.01
    assert abs(np.log(log_normal).std() - 0.25) < 0.01
    cauchy = _sample(lambda t, g: t.cauchy_(1.0, 2.0, generator=g))
    # median 1, quartiles at median -+ sigma
    np.testing.assert_allclose(np.quantile(cauchy, [0.25, 0.5, 0.75]), [-1, 1, 3], atol=0.1)


def test_random_fillers_repeat_with_the_seed_and_keep_the_dtype():
    draw = [mt.zeros(5, dtype=mt.int16).random_(generator=mt.Generator().manual_seed(1))
            for _ in range(2)]
    assert draw[0].tolist() == draw[1].tolist() and draw[0].dtype == mt.int16
    assert mt.zeros(4, dtype=mt.int32).geometric_(0.5).dtype == mt.int32


@pytest.mark.parametrize("fill, message", [
    (lambda t: t.random_(2, 2), "'from' to be less than 'to'"),
    (lambda t: t.exponential_(0.0), "lambda > 0.0"),
    (lambda t: t.geometric_(1.0), r"p to be in \(0, 1\)"),
    (lambda t: t.log_normal_(0.0, 0.0), "std > 0.0"),
    (lambda t: t.cauchy_(0.0, -1.0), "sigma > 0.0"),
    (lambda t: t.long().exponential_(), "floating point"),
    (lambda t: t.float_power_(2), "float64"),
])
def test_random_fillers_and_float_power_check_their_arguments(fill, message):
    with pytest.raises(RuntimeError, match=message):
        fill(mt.zeros(3))


def test_view_as_a_dtype_shares_memory_and_is_not_differentiable():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    bits = x.view(mt.int32)
    assert bits.tolist() == [1065353216, 1073741824] and not bits.requires_grad
    assert not x.view(mt.float32).requires_grad
    assert mt.zeros(2, 4).view(mt.float64).shape == (2, 2)
    assert mt.zeros(2, 3).view(dtype=mt.int16).shape == (2, 6)
    assert mt.zeros(6).view(-1, 2).shape == (3, 2)  # a shape still reshapes
    data = mt.zeros(2)
    data.view(mt.int32)[0] = 1
    assert data[0].item() > 0  # the smallest denormal, written through the view
    with pytest.raises(RuntimeError, match="12 bytes to be a multiple of 8"):
        mt.zeros(2, 3).view(mt.float64)
    with pytest.raises(TypeError, match="a shape or a dtype"):
        mt.zeros(2).view(2, dtype=mt.int32)


def test_legacy_typed_constructors():
    assert mt.FloatTensor([1, 2]).dtype == mt.float32 and mt.FloatTensor(2, 3).shape == (2, 3)
    assert mt.LongTensor([1.7, -2.5]).tolist() == [1, -2]
    assert mt.DoubleTensor([1]).dtype == mt.float64 and mt.IntTensor(2).dtype == mt.int32
    assert mt.BoolTensor([1, 0]).tolist() == [True, False] and mt.FloatTensor().shape == (0,)
    assert isinstance(mt.zeros(2), mt.FloatTensor) and not isinstance(mt.zeros(2), mt.LongTensor)
    assert type(mt.FloatTensor([1.0])) is mt.Tensor
    with pytest.raises(TypeError, match="needs a tensor of dtype float32, got int64"):
        mt.FloatTensor(mt.zeros(2, dtype=mt.int64))


def test_shape_is_a_size_with_numel():
    x = mt.zeros(2, 3)
    assert x.shape == (2, 3) and isinstance(x.shape, tuple) and repr(x.shape) == "(2, 3)"
    assert x.shape.numel() == 6 and x.size().numel() == 6 and isinstance(x.size(), mt.Size)


def test_small_pytorch_spellings():
    x = mt.tensor([[3.0, 4.0], [1.0, 0.0]])
    assert x.norm(p=None, dim=1).tolist() == [5.0, 1.0]
    assert [t.tolist() for t in mt.where(x > 0.5)] == [[0, 0, 1], [0, 1, 0]]
    assert [t.tolist() for t in x.split(split_size=1)] == [[[3.0, 4.0]], [[1.0, 0.0]]]
    assert x.sort(stable=True).indices.tolist() == mt.sort(x, stable=True).indices.tolist()
    assert x.H.tolist() == [[3.0, 1.0], [4.0, 0.0]]
    assert mt.zeros(2, 0).argmax(0).shape == (0,) and mt.zeros(2, 0).argmax(0).dtype == mt.int64
    with pytest.raises(IndexError, match="dimension 1 has no values"):
        mt.zeros(2, 0).argmax(1)
    half = x.to(mt.float16)
    assert half.softmax(1, dtype=mt.float32).dtype == mt.float32
    assert mt.log_softmax(half, 1, mt.float64).dtype == mt.float64
    y = mt.tensor([5.0, -5.0])
    assert y.div_(2, rounding_mode="floor") is y and y.tolist() == [2.0, -3.0]
    w = mt.ones(2, requires_grad=True)
    assert w.numpy(force=True).tolist() == [1.0, 1.0]
    assert mt.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    glu = nn.GLU()(mt.tensor([0.0, 0.0, 0.0, 100.0]))
    assert glu.tolist() == [0.0, 0.0]


def test_a_one_element_tensor_fills_a_single_position():
    x = mt.tensor([1.0, 2.0])
    x[0] = mt.tensor([7.0])
    x[1] = mt.tensor([[8.0]])
    assert x.tolist() == [7.0, 8.0]
    value = mt.tensor([3.0], requires_grad=True)
    y = mt.zeros(3) * 1
    y[1] = value
    (y * mt.tensor([1.0, 5.0, 1.0])).sum().backward()
    assert value.grad.tolist() == [5.0]
