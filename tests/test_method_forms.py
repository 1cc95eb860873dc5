"""PyTorch's method spellings without torch: the in-place forms of masked_fill, index_add,
index_fill and scatter (one in-place path: same object, memory written, leaf refused, stale
saved values detected), the arithmetic methods being the operators, memory layout, new_*,
bernoulli and detach_. tests/test_tensor_parity_torch.py compares values with PyTorch."""

import numpy as np
import pytest

import minitorch as mt

IN_PLACE = [
    ("masked_fill_", lambda t: t.masked_fill_(mt.tensor([True, False, True]), 9.0),
     [9.0, 2.0, 9.0]),
    ("index_add_", lambda t: t.index_add_(0, mt.tensor([2, 2]), mt.tensor([1.0, 3.0])),
     [1.0, 2.0, 7.0]),
    ("index_fill_", lambda t: t.index_fill_(0, mt.tensor([0, -1]), -1.0), [-1.0, 2.0, -1.0]),
    ("scatter_", lambda t: t.scatter_(0, mt.tensor([1]), mt.tensor([5.0, 6.0])),
     [1.0, 5.0, 3.0]),
    ("scatter_ value", lambda t: t.scatter_(0, mt.tensor([0, 2]), value=0.5), [0.5, 2.0, 0.5]),
]
IDS = [case[0] for case in IN_PLACE]


@pytest.mark.parametrize(("name", "op", "expected"), IN_PLACE, ids=IDS)
def test_in_place_methods_write_the_memory_and_return_the_tensor(name, op, expected):
    t = mt.tensor([1.0, 2.0, 3.0])
    memory = t._data
    assert op(t) is t
    assert t._data is memory and t.tolist() == expected and t.dtype == np.float32


@pytest.mark.parametrize(("name", "op", "expected"), IN_PLACE, ids=IDS)
def test_in_place_methods_refuse_a_leaf_that_requires_grad(name, op, expected):
    w = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=f"{name.split()[0]}: a leaf tensor"):
        op(w)
    with mt.no_grad():
        op(w)
    assert w.tolist() == expected and w.requires_grad


@pytest.mark.parametrize(("name", "op", "expected"), IN_PLACE, ids=IDS)
def test_changing_a_saved_tensor_in_place_keeps_the_earlier_graph(name, op, expected):
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    later = h * h  # saves h
    op(h)  # recorded: h moves to new memory, `later` keeps the value it saw
    later.sum().backward()
    assert x.grad.tolist() == [8.0, 16.0, 24.0]  # d(4 x^2)/dx


@pytest.mark.parametrize(("name", "op", "expected"), IN_PLACE, ids=IDS)
def test_changing_a_saved_tensor_in_place_without_recording_makes_backward_raise(
        name, op, expected):
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    later = h * h  # saves h
    with mt.no_grad():
        op(h)  # writes into the memory `later` saved
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        later.sum().backward()


def test_in_place_methods_on_a_computed_tensor_are_recorded():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    source = mt.tensor([10.0, 20.0], requires_grad=True)
    h = x * 3
    h.index_add_(0, mt.tensor([0, 0]), source, alpha=2).masked_fill_(mt.tensor(
        [False, True, False]), 0.0)
    (h * mt.tensor([1.0, 2.0, 4.0])).sum().backward()
    assert h.tolist() == [63.0, 0.0, 9.0]
    assert x.grad.tolist() == [3.0, 0.0, 12.0] and source.grad.tolist() == [2.0, 2.0]


def test_index_add_and_scatter_check_their_arguments():
    with pytest.raises(RuntimeError, match=r"source of shape \(3,\), expected \(2,\)"):
        mt.zeros(3).index_add_(0, mt.tensor([0, 1]), mt.ones(3))
    with pytest.raises(RuntimeError, match="out of bounds"):
        mt.zeros(3).index_add_(0, mt.tensor([3]), mt.ones(1))
    with pytest.raises(IndexError, match="index 3 is out of bounds"):
        mt.zeros(3).index_fill_(0, mt.tensor([3]), 1.0)
    with pytest.raises(RuntimeError, match="out of bounds"):
        mt.zeros(3).scatter_(0, mt.tensor([5]), value=1.0)


def test_arithmetic_methods_are_the_operators():
    x = mt.tensor([1.0, 4.0], requires_grad=True)
    y = mt.tensor([2.0, -3.0], requires_grad=True)
    out = x.add(y, alpha=2) + x.sub(y, alpha=3) + x.mul(y) + x.div(y) + mt.true_divide(x, y)
    out.sum().backward()
    assert out.tolist() == pytest.approx([1 + 4 + 1 - 6 + 2 + 1, 4 - 6 + 4 + 9 - 12 - 8 / 3])
    assert x.grad.tolist() == pytest.approx([2 + 2 + 2 / 2, 2 - 3 - 2 / 3])
    assert y.grad.tolist() == pytest.approx([2 - 3 + 1 - 2 / 4, 2 - 3 + 4 - 8 / 9])
    assert mt.tensor([7, -7]).div(2, rounding_mode="trunc").tolist() == [3, -3]
    assert mt.tensor([7, -7]).div(2, rounding_mode="floor").tolist() == [3, -4]
    assert mt.floor_divide(mt.tensor([7.0]), -2).tolist() == [-4.0]
    with pytest.raises(RuntimeError, match="rounding_mode to be one of None, 'trunc', or "
                                           "'floor' but found 'round'"):
        x.div(2, rounding_mode="round")
    with pytest.raises(RuntimeError, match="alpha must not be a floating point"):
        mt.tensor([1]).add_(2, alpha=0.5)


def test_strides_and_contiguity_follow_the_memory():
    x = mt.zeros(2, 3, 4)
    assert x.stride() == (12, 4, 1) and x.stride(-2) == 4 and x.is_contiguous()
    turned = x.transpose(0, 2)
    assert turned.stride() == (1, 4, 12) and not turned.is_contiguous()
    copy = turned.contiguous()
    assert copy.is_contiguous() and copy.stride() == (6, 2, 1) and x.contiguous() is x
    assert mt.zeros(3, 1).expand(3, 4).stride() == (1, 0)
    assert x[:, 1].stride() == (12, 1) and mt.tensor(2.0).stride() == ()
    assert x.element_size() == x.itemsize == 4 and x.nbytes == 96
    assert mt.zeros(5, dtype=mt.float64).nbytes == 40
    with pytest.raises(IndexError, match="dimension out of range"):
        x.stride(3)


def test_contiguous_copy_passes_gradients():
    x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (x.t().contiguous() * mt.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert x.grad.tolist() == [[1.0, 3.0], [2.0, 4.0]]


def test_new_tensors_take_this_dtype_unless_given():
    ints = mt.tensor([1, 2], dtype=mt.int32)
    assert ints.new_full((2,), 1.5).tolist() == [1, 1] and ints.new_full(2, 1).dtype == mt.int32
    assert ints.new_zeros(2, 3).shape == (2, 3) and ints.new_ones((2,)).dtype == mt.int32
    assert ints.new_empty(2, dtype=mt.float64).dtype == mt.float64
    assert ints.new_tensor([1.5]).dtype == mt.int32
    assert ints.new_zeros(2, requires_grad=True, dtype=mt.float32).requires_grad
    with pytest.warns(UserWarning, match="sourceTensor.detach"):
        assert ints.new_tensor(ints).tolist() == [1, 2]
    assert ints.type_as(mt.zeros(1)).dtype == mt.float32


def test_bernoulli_uses_the_generator_and_checks_probabilities():
    probabilities = mt.full((1000,), 0.25)
    first = probabilities.bernoulli(generator=mt.Generator().manual_seed(1))
    again = mt.bernoulli(probabilities, generator=mt.Generator().manual_seed(1))
    assert first.equal(again) and first.dtype == mt.float32
    assert 0.2 < first.mean().item() < 0.3
    filled = mt.zeros(1000, dtype=mt.int64).bernoulli_(0.75)
    assert filled.dtype == mt.int64 and 0.7 < filled.float().mean().item() < 0.8
    with pytest.raises(RuntimeError, match=r"probabilities in \[0, 1\]"):
        mt.tensor([1.5]).bernoulli()
    with pytest.raises(RuntimeError, match="floating point"):
        mt.tensor([1]).bernoulli()


def test_detach_in_place_cuts_the_graph():
    x = mt.tensor([1.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y and not y.requires_grad and y.grad_fn is None


def test_meshgrid_warns_without_indexing_and_checks_its_inputs():
    with pytest.warns(UserWarning, match="indexing argument"):
        grids = mt.meshgrid(mt.tensor([1, 2]), mt.tensor([3, 4, 5]))
    assert [g.shape for g in grids] == [(2, 3), (2, 3)]
    with pytest.raises(RuntimeError, match="same dtype"):
        mt.meshgrid(mt.tensor([1, 2]), mt.tensor([1.0]), indexing="ij")
