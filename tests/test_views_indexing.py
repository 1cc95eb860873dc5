"""Windows, rotations, splits, blocks, in-place shape changes, scattering with reductions,
index_put/put/masked_scatter and the small tensor methods, without torch: literal values,
memory, the graph and the in-place rules. tests/test_views_indexing_torch.py compares them
with PyTorch, tests/op_registry.py checks their gradients."""

import numpy as np
import pytest

import minitorch as mt

IN_PLACE_SHAPES = [
    ("t_", lambda t: t.t_(), (3, 2)),
    ("transpose_", lambda t: t.transpose_(0, 1), (3, 2)),
    ("swapdims_", lambda t: t.swapdims_(1, 0), (3, 2)),
    ("swapaxes_", lambda t: t.swapaxes_(-1, 0), (3, 2)),
    ("unsqueeze_", lambda t: t.unsqueeze_(1), (2, 1, 3)),
    ("squeeze_", lambda t: t.unsqueeze_(0).squeeze_(0), (2, 3)),
]
IDS = [case[0] for case in IN_PLACE_SHAPES]


@pytest.mark.parametrize(("name", "op", "shape"), IN_PLACE_SHAPES, ids=IDS)
def test_in_place_shape_changes_keep_the_tensor_and_its_memory(name, op, shape):
    t = mt.arange(6.0).reshape(2, 3)
    address, alias = t.data_ptr(), t.detach()
    assert op(t) is t and t.shape == shape and t.data_ptr() == address
    assert alias.shape == (2, 3)  # a tensor sharing the memory keeps its own shape
    t.numpy()[...] = 7.0
    assert (alias.numpy() == 7.0).all()


@pytest.mark.parametrize(("name", "op", "shape"), IN_PLACE_SHAPES, ids=IDS)
def test_in_place_shape_changes_follow_the_in_place_rules(name, op, shape):
    w = mt.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=f"{name}: a leaf tensor"):
        op(w)
    with mt.no_grad():
        op(w)
    assert w.shape == shape and w.requires_grad and w.is_leaf
    x = mt.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    h = x * 2
    later = h * h  # saves h
    op(h)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        later.sum().backward()
    (h * mt.arange(6.0).reshape(shape)).sum().backward()  # the change itself is recorded
    assert x.grad.shape == (2, 3) and h.grad_fn is not None


def test_unfold_gives_windows_on_the_same_memory():
    x = mt.arange(5.0, requires_grad=True)
    windows = x.unfold(0, 3, 1)
    assert windows.tolist() == [[0, 1, 2], [1, 2, 3], [2, 3, 4]]
    assert np.shares_memory(windows._data, x._data)
    windows.sum().backward()  # each position counted once per window covering it
    assert x.grad.tolist() == [1, 2, 3, 2, 1]
    assert mt.arange(6).reshape(2, 3).unfold(1, 2, 2).tolist() == [[[0, 1]], [[3, 4]]]


def test_rotations_splits_and_blocks():
    x = mt.arange(4.0).reshape(2, 2)
    assert mt.rot90(x).tolist() == [[1, 3], [0, 2]] and x.rot90(-1).tolist() == [[2, 0], [3, 1]]
    assert [p.tolist() for p in mt.arange(4).hsplit(2)] == [[0, 1], [2, 3]]
    assert [p.shape for p in mt.zeros(4, 3, 2).vsplit([1])] == [(1, 3, 2), (3, 3, 2)]
    assert [p.shape for p in mt.dsplit(mt.zeros(1, 2, 4), 2)] == [(1, 2, 2)] * 2
    assert mt.atleast_1d(mt.tensor(3)).shape == (1,) and mt.atleast_3d(x).shape == (2, 2, 1)
    assert [t.shape for t in mt.atleast_2d(mt.tensor(1), mt.zeros(3))] == [(1, 1), (1, 3)]
    assert mt.block_diag(mt.tensor([[1, 2]]), mt.tensor(3)).tolist() == [[1, 2, 0], [0, 0, 3]]
    assert mt.cartesian_prod(mt.tensor([1, 2]), mt.tensor([3, 4])).tolist() == [
        [1, 3], [1, 4], [2, 3], [2, 4]]
    assert mt.combinations(mt.tensor([1, 2, 3])).tolist() == [[1, 2], [1, 3], [2, 3]]
    assert mt.combinations(mt.tensor([1, 2]), 2, with_replacement=True).tolist() == [
        [1, 1], [1, 2], [2, 2]]
    assert mt.zeros(2, 6).unflatten(1, (3, -1)).shape == mt.unflatten(mt.zeros(2, 6), 1,
                                                                      (3, 2)).shape == (2, 3, 2)
    a, b = mt.broadcast_tensors(mt.zeros(3, 1), mt.ones(4))
    assert a.shape == b.shape == (3, 4)


def test_scatter_reduce_combines_the_values_landing_on_each_position():
    x = mt.tensor([10, 20, 30])
    index, src = mt.tensor([0, 0, 2]), mt.tensor([1, 4, 6])
    results = {reduce: x.scatter_reduce(0, index, src, reduce).tolist()
               for reduce in ("sum", "prod", "mean", "amax", "amin")}
    assert results == {"sum": [15, 20, 36], "prod": [40, 20, 180], "mean": [5, 20, 18],
                       "amax": [10, 20, 30], "amin": [1, 20, 6]}
    assert mt.scatter_reduce(x, 0, index, -src, "mean", include_self=False).tolist() == [
        -3, 20, -6]  # -5 / 2 rounded down, as PyTorch does for integers
    with pytest.warns(UserWarning, match="reduce argument of torch.scatter with Tensor src"):
        assert x.scatter(0, index, src, reduce="add").tolist() == [15, 20, 36]
    assert x.clone().scatter_(0, index, 2, reduce="multiply").tolist() == [40, 20, 60]
    assert x.clone().scatter_reduce_(0, index, src, "amax").tolist() == [10, 20, 30]


def test_scatter_reduce_shares_the_gradient_of_tied_extremes():
    x = mt.tensor([1.0, 5.0], requires_grad=True)
    src = mt.tensor([5.0, 5.0, 2.0], requires_grad=True)
    x.scatter_reduce(0, mt.tensor([1, 1, 1]), src, "amax").sum().backward()
    assert x.grad.tolist() == pytest.approx([1, 1 / 3])
    assert src.grad.tolist() == pytest.approx([1 / 3, 1 / 3, 0])


def test_index_put_put_and_masked_scatter_write_copies_or_in_place():
    x = mt.zeros(2, 3)
    rows, columns = mt.tensor([0, 0]), mt.tensor([1, 1])
    assert x.index_put((rows, columns), mt.tensor([1.0, 2.0]), accumulate=True)[0].tolist() == [
        0, 3, 0]
    assert mt.index_put(x, (mt.tensor([1]),), mt.tensor(5.0))[1].tolist() == [5, 5, 5]
    assert x.index_put_((x == 0,), mt.tensor(1.0)) is x and x.sum().item() == 6
    assert mt.put(mt.zeros(2, 2), mt.tensor([0, -1]), mt.tensor([1.0, 2.0])).tolist() == [
        [1, 0], [0, 2]]
    y = mt.zeros(3)
    assert y.put_(mt.tensor([1, 1]), mt.tensor([1.0, 2.0]), accumulate=True) is y
    assert y.tolist() == [0, 3, 0]
    mask = mt.tensor([True, False, True])
    assert mt.masked_scatter(mt.zeros(2, 3), mask, mt.arange(1.0, 6.0)).tolist() == [
        [1, 0, 2], [3, 0, 4]]
    assert mt.zeros(3).masked_scatter_(mask, mt.tensor([7.0, 8.0])).tolist() == [7, 0, 8]


def test_selection_by_value():
    x = mt.tensor([[0, 2], [3, 0]])
    assert mt.argwhere(x).tolist() == x.argwhere().tolist() == [[0, 1], [1, 0]]
    assert mt.isin(x, mt.tensor([2, 3])).tolist() == [[False, True], [True, False]]
    assert mt.isin(x, 0, invert=True).tolist() == [[False, True], [True, False]]
    runs = mt.tensor([1, 1, 2, 2, 3, 1, 1])
    values, inverse, counts = mt.unique_consecutive(runs, return_inverse=True,
                                                    return_counts=True)
    assert values.tolist() == [1, 2, 3, 1] and counts.tolist() == [2, 2, 1, 2]
    assert inverse.tolist() == [0, 0, 1, 1, 2, 3, 3]
    rows = mt.tensor([[1, 1], [1, 1], [2, 3]])
    assert rows.unique_consecutive(dim=0).tolist() == [[1, 1], [2, 3]]


def test_small_methods():
    x = mt.tensor([-2.0, 0.5, 3.0])
    assert mt.positive(x) is x and x.positive() is x and +x is x
    with pytest.raises(RuntimeError, match="bool tensor"):
        +mt.tensor([True])
    assert mt.absolute(x).tolist() == [2.0, 0.5, 3.0]
    assert x.clone().absolute_().tolist() == [2.0, 0.5, 3.0]
    assert x.clone().clip_(-1, 1).tolist() == [-1.0, 0.5, 1.0]
    assert x.clone().apply_(lambda v: v * 10).tolist() == [-20.0, 5.0, 30.0]
    assert x.clone().map_(mt.tensor([1.0]), lambda a, b: a + b).tolist() == [-1.0, 1.5, 4.0]
    m = mt.zeros(3, 4)
    assert m.storage_offset() == 0 and m[1:, 2:].storage_offset() == 6
    assert m[1].data_ptr() - m.data_ptr() == 4 * m.element_size()


def test_integers_mixed_with_index_arrays_select_first_as_in_pytorch():
    x = mt.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    picked = x[0, :, mt.tensor([2, 0, 1])]
    expected = np.arange(24.0).reshape(2, 3, 4)[0][:, [2, 0, 1]]
    np.testing.assert_array_equal(picked.detach().numpy(), expected)
    picked.sum().backward()
    assert x.grad.numpy()[0].sum() == 9.0 and x.grad.numpy()[1].sum() == 0.0
    y = mt.zeros(2, 3, 4)
    y[1, :, [3, 0]] = mt.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert y[1].tolist()[2] == [6.0, 0.0, 0.0, 5.0]
