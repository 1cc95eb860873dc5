"""Windows, rotations, splits, blocks, combinations, in-place shape changes, scattering with
reductions, index_put/put/masked_scatter and the small tensor methods against PyTorch:
values, dtypes and gradients on small cases, second derivatives, and the errors. Each case
is written once, for either library as ``lib``. tests/test_views_indexing.py has the checks
that need no torch; tests/op_registry.py checks the gradients against finite differences."""

import warnings

import numpy as np
import pytest
from torch_reference import assert_same_as_torch

import minitorch as mt

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
X = _RNG.standard_normal((3, 4)).astype(np.float32)
X64 = _RNG.standard_normal((2, 3, 4))
INDEX = np.array([[0, 1, 0, 1], [2, 2, 0, 0]])
INTS = np.array([[3, -1, 2, 0], [5, 2, -4, 1], [3, 3, 0, 0]])


def _set_mixed_index(lib, x):
    """x[0, :, [2, 0]] = ..., through a copy of x: integers with index arrays."""
    y = x * 1
    y[0, :, lib.tensor([2, 0])] = x[1, :, :2] * 2
    return y


# (name, function of (lib, *inputs), inputs): float inputs require grad in both libraries.
CASES = [
    # integers are applied before index arrays, as selections (NumPy would move the arrays'
    # dimension first where a slice separates them)
    ("mixed_integer_and_array", lambda lib, x: x[0, :, lib.tensor([2, 0, 1])], (X64,)),
    ("mixed_integer_array_integer", lambda lib, x: x[1, lib.tensor([2, 0]), 3], (X64,)),
    ("mixed_integer_and_mask",
     lambda lib, x: x[1, :, lib.tensor([True, False, True, False])], (X64,)),
    ("mixed_ellipsis_integer_array", lambda lib, x: x[..., 1, lib.tensor([[0], [2]])], (X64,)),
    ("mixed_set", _set_mixed_index, (X64,)),
    ("unfold", lambda lib, x: x.unfold(1, 2, 1), (X,)),
    ("unfold_step", lambda lib, x: x.unfold(0, 2, 2), (X,)),
    ("unfold_overlapping_3d", lambda lib, x: x.unfold(-1, 3, 1), (X64,)),
    ("unfold_empty_window", lambda lib, x: x.unfold(1, 0, 2), (X,)),
    ("unfold_0d", lambda lib, x: x[0, 0].unfold(0, 1, 3), (X,)),
    ("unfold_twice", lambda lib, x: x.unfold(1, 2, 1).unfold(0, 2, 1), (X,)),
    ("rot90", lambda lib, x: lib.rot90(x), (X,)),
    ("rot90_twice", lambda lib, x: lib.rot90(x, 2), (X,)),
    ("rot90_back", lambda lib, x: x.rot90(-1, [1, 0]), (X,)),
    ("rot90_3d", lambda lib, x: lib.rot90(x, 3, (2, 0)), (X64,)),
    ("rot90_full_turn", lambda lib, x: x.rot90(4), (X,)),
    ("broadcast_tensors", lambda lib, x: lib.broadcast_tensors(x[:, :1], x[0], x)[0], (X,)),
    ("broadcast_tensors_ints", lambda lib, x: lib.broadcast_tensors(x, x[:, :1])[1], (INTS,)),
    ("hsplit", lambda lib, x: lib.hsplit(x, 2)[1], (X,)),
    ("hsplit_indices", lambda lib, x: x.hsplit([1, 3])[1], (X,)),
    ("hsplit_vector", lambda lib, x: lib.hsplit(x[0], (3,))[1], (X,)),
    ("hsplit_beyond", lambda lib, x: x.hsplit([3, 1])[1], (X,)),
    ("vsplit", lambda lib, x: lib.vsplit(x, [1])[1], (X,)),
    ("dsplit", lambda lib, x: x.dsplit(2)[1], (X64,)),
    ("atleast_1d", lambda lib, x: lib.atleast_1d(x[0, 0]), (X,)),
    ("atleast_2d_several", lambda lib, x: lib.atleast_2d(x[0, 0], x[0])[1], (X,)),
    ("atleast_3d_list", lambda lib, x: lib.atleast_3d([x, x[0]])[1], (X,)),
    ("atleast_3d_matrix", lambda lib, x: lib.atleast_3d(x), (X,)),
    ("block_diag", lambda lib, x: lib.block_diag(x[:2, :3], x[0, :2], x[1, 1]), (X,)),
    ("block_diag_empty_block", lambda lib, x: lib.block_diag(x[:0, :2], x[:2], x[:, :0]),
     (X,)),
    ("block_diag_promotes", lambda lib, x, i: lib.block_diag(x[:2], i[:1]), (X, INTS)),
    ("block_diag_none", lambda lib: lib.block_diag(), ()),
    ("cartesian_prod", lambda lib, x: lib.cartesian_prod(x[0, :2], x[1], x[2, :3]), (X,)),
    ("cartesian_prod_one", lambda lib, x: lib.cartesian_prod(x[0]), (X,)),
    ("cartesian_prod_empty", lambda lib, x: lib.cartesian_prod(x[0, :0], x[1]), (X,)),
    ("combinations", lambda lib, x: lib.combinations(x[0]), (X,)),
    ("combinations_3", lambda lib, x: lib.combinations(x[0], 3), (X,)),
    ("combinations_replacement", lambda lib, x: lib.combinations(x[0, :3], 2, True), (X,)),
    ("combinations_none", lambda lib, x: lib.combinations(x[0, :3], 0), (X,)),
    ("combinations_too_many", lambda lib, x: lib.combinations(x[0, :3], 4), (X,)),
    ("combinations_ints", lambda lib, x: lib.combinations(x[0], 2), (INTS,)),
    ("unflatten", lambda lib, x: lib.unflatten(x, 1, (2, -1)), (X,)),
    ("unflatten_method", lambda lib, x: x.unflatten(-1, [4]).unflatten(0, (3, 1, 1)), (X,)),
    ("scatter_reduce_sum", lambda lib, x, i: x.scatter_reduce(0, i, x[:2] * 2, "sum"),
     (X, INDEX)),
    ("scatter_reduce_sum_without_self",
     lambda lib, x, i: x.scatter_reduce(0, i, x[:2] * 2, "sum", include_self=False),
     (X, INDEX)),
    ("scatter_reduce_mean", lambda lib, x, i: lib.scatter_reduce(x, 0, i, x[:2] * 2, "mean"),
     (X, INDEX)),
    ("scatter_reduce_mean_without_self",
     lambda lib, x, i: x.scatter_reduce(0, i, x[:2] * 2, "mean", include_self=False),
     (X, INDEX)),
    ("scatter_reduce_amax", lambda lib, x, i: x.scatter_reduce(0, i, x[:2] * 2, "amax"),
     (X, INDEX)),
    ("scatter_reduce_amin_dim1",
     lambda lib, x, i: x.scatter_reduce(1, i[:, :2], x[:2, :2] * 2, "amin",
                                        include_self=False), (X, INDEX)),
    ("scatter_reduce_ties", lambda lib, x, i: x.round().scatter_reduce(0, i, x[:2].round(),
                                                                       "amax"), (X, INDEX)),
    ("scatter_reduce_ties_without_self",
     lambda lib, x, i: x.round().scatter_reduce(0, i, x[:2].round(), "amin",
                                                include_self=False), (X, INDEX)),
    ("scatter_reduce_prod", lambda lib, x, i: x.scatter_reduce(0, i, x[:2] * 2, "prod"),
     (X, INDEX)),
    ("scatter_reduce_prod_without_self",
     lambda lib, x, i: x.scatter_reduce(0, i, x[:2] * 2, "prod", include_self=False),
     (X, INDEX)),
    ("scatter_reduce_prod_zeros",
     lambda lib, x, i: (x * (x > 0)).scatter_reduce(0, i, x[1:] * (x[1:] < 0), "prod"),
     (X, INDEX)),
    ("scatter_reduce_int_mean",
     lambda lib, x, i: x.scatter_reduce(0, i, -x[:2] * 3, "mean"), (INTS, INDEX)),
    ("scatter_reduce_int_mean_without_self",
     lambda lib, x, i: x.scatter_reduce(0, i, -x[:2], "mean", include_self=False),
     (INTS, INDEX)),
    ("scatter_reduce_int_amax",
     lambda lib, x, i: x.scatter_reduce(0, i, x[:2] * 2, "amax", include_self=False),
     (INTS, INDEX)),
    ("scatter_reduce_in_place",
     lambda lib, x, i: (x * 1).scatter_reduce_(0, i, x[:2] * 2, "mean", include_self=False),
     (X, INDEX)),
    ("scatter_add_reduce", lambda lib, x, i: x.scatter(0, i, x[:2] * 2, reduce="add"),
     (INTS, INDEX)),
    ("scatter_multiply_reduce",
     lambda lib, x, i: lib.scatter(x, 0, i, x[:2] - 1, reduce="multiply"), (INTS, INDEX)),
    ("scatter_multiply_value",
     lambda lib, x, i: lib.scatter(x.detach(), 0, i, 1.5, reduce="multiply"), (X, INDEX)),
    ("scatter_in_place_reduce",
     lambda lib, x, i: x.detach().clone().scatter_(1, i % 3, 2, reduce="add"), (INTS, INDEX)),
    ("index_put", lambda lib, x: x.index_put((lib.tensor([0, 2]),), x[1] * 3), (X,)),
    ("index_put_accumulate",
     lambda lib, x: x.index_put((lib.tensor([0, 0, 2]), lib.tensor([1, 1, 3])), x[1, :3],
                                accumulate=True), (X,)),
    ("index_put_mask", lambda lib, x: lib.index_put(x, (x > 0,), x[0, 0]), (X,)),
    ("index_put_broadcast_index",
     lambda lib, x: x.index_put((lib.tensor([[0], [2]]), lib.tensor([1, 3])), x[0, :2]), (X,)),
    ("index_put_in_place",
     lambda lib, x: (x * 1).index_put_((lib.tensor([1]), lib.tensor([2])), x[0, 0] * 5, True),
     (X,)),
    ("put", lambda lib, x: x.put(lib.tensor([0, 5, -1]), x[0, :3] * 2), (X,)),
    ("put_accumulate", lambda lib, x: lib.put(x, lib.tensor([[1, 1]]), x[1, :2], True), (X,)),
    ("put_in_place", lambda lib, x: (x * 1).put_(lib.tensor([3, 7]), x[2, :2]), (X,)),
    ("masked_scatter", lambda lib, x: x.masked_scatter(x > 0, x.flip(0) * 2), (X,)),
    ("masked_scatter_broadcast", lambda lib, x: lib.masked_scatter(x[0], x > 0, x * 2), (X,)),
    ("masked_scatter_in_place", lambda lib, x: (x * 1).masked_scatter_(x[0] > 0, x.flip(1)),
     (X,)),
    ("argwhere", lambda lib, x: lib.argwhere(x > 0), (X,)),
    ("argwhere_method_0d", lambda lib, x: x[0, 0].argwhere(), (INTS,)),
    ("isin", lambda lib, x: lib.isin(x, lib.tensor([0, 3, 7])), (INTS,)),
    ("isin_floats_and_ints", lambda lib, x: lib.isin(x, lib.tensor([2.0, 2.5])), (INTS,)),
    ("isin_number", lambda lib, x: lib.isin(x, 3, invert=True), (INTS,)),
    ("isin_number_first", lambda lib, x: lib.isin(3, x), (INTS,)),
    ("isin_unique", lambda lib, x: lib.isin(elements=x, test_elements=x[0],
                                            assume_unique=True), (INTS,)),
    ("unique_consecutive", lambda lib, x: lib.unique_consecutive(x.flatten()), (INTS,)),
    ("unique_consecutive_all",
     lambda lib, x: lib.unique_consecutive(x, return_inverse=True, return_counts=True)[1],
     (INTS,)),
    ("unique_consecutive_counts",
     lambda lib, x: x.unique_consecutive(return_counts=True)[1], (INTS,)),
    ("unique_consecutive_dim",
     lambda lib, x: x.repeat_interleave(2, 0).unique_consecutive(True, True, dim=0)[0],
     (INTS,)),
    ("unique_consecutive_dim_inverse",
     lambda lib, x: x.repeat_interleave(2, 1).unique_consecutive(True, dim=1)[1], (INTS,)),
    ("unique_consecutive_0d", lambda lib, x: x[0, 0].unique_consecutive(True, True)[1],
     (INTS,)),
    ("unique_consecutive_nan", lambda lib, x: (x * 0 / 0).detach().unique_consecutive(), (X,)),
    ("positive", lambda lib, x: lib.positive(x) * 2, (X,)),
    ("positive_method", lambda lib, x: +x.positive(), (INTS,)),
    ("absolute", lambda lib, x: lib.absolute(x) + (x * 1).absolute_(), (X,)),
    ("absolute_int", lambda lib, x: x.absolute(), (INTS,)),
    ("clip_in_place", lambda lib, x: (x * 1).clip_(-0.5, 0.5), (X,)),
    ("clip_in_place_min", lambda lib, x: (x * 1).clip_(min=0), (X,)),
    ("t_in_place", lambda lib, x: (x * 1).t_(), (X,)),
    ("squeeze_unsqueeze_in_place", lambda lib, x: (x * 1).unsqueeze_(1).squeeze_(), (X,)),
    ("squeeze_dim_in_place", lambda lib, x: (x * 1).unsqueeze_(-1).unsqueeze_(0).squeeze_(0),
     (X,)),
    ("transpose_swapdims_swapaxes_in_place",
     lambda lib, x: (x * 1).transpose_(0, 2).swapdims_(1, 0).swapaxes_(0, 2), (X64,)),
    ("t_in_place_then_more", lambda lib, x: (x * 2).t_() @ x, (X,)),
]


@pytest.mark.parametrize(("name", "fn", "inputs"), CASES, ids=[case[0] for case in CASES])
def test_same_values_dtypes_and_gradients_as_pytorch(name, fn, inputs):
    assert_same_as_torch(torch, fn, inputs)

def test_second_derivatives_match_pytorch():
    """Differentiating the gradient: scatter_reduce's formulas on tensors, the product's and
    unfold's composites."""
    results = []
    for lib in (mt, torch):
        x = lib.tensor(X64[0], requires_grad=True)
        index = lib.tensor(INDEX[:, :3])
        y = (x * x).unfold(1, 2, 1).sum(-1)
        for reduce, include_self in [("sum", True), ("mean", False), ("amax", True),
                                     ("prod", True), ("prod", False)]:
            y = y + y.scatter_reduce(0, index, (x[:2, :3] * 3).sin(), reduce,
                                     include_self=include_self)
        (first,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), x)
        results.append(second.detach().numpy())
    np.testing.assert_allclose(*results, rtol=1e-9)


def test_in_place_shape_changes_keep_the_graph_and_memory_as_pytorch():
    for lib in (mt, torch):
        x = lib.tensor(X, requires_grad=True)
        h = x * 2
        memory = h.data_ptr()
        assert h.t_() is h and h.shape == (4, 3) and h.data_ptr() == memory
        assert h.grad_fn is not None and h.requires_grad
        y = x * 3
        saved = y * y  # keeps y for its gradient
        y.unsqueeze_(0)  # the version moves on: the saved y is stale
        with pytest.raises(RuntimeError, match="modified by an inplace operation|in-place"):
            saved.sum().backward()
        with lib.no_grad():
            assert x.t_() is x and x.shape == (4, 3) and x.is_leaf and x.requires_grad
        plain = lib.tensor(X)
        view = plain.detach()
        plain.unsqueeze_(1).transpose_(0, 2)
        assert plain.shape == (4, 1, 3) and view.shape == (3, 4)  # each keeps its own shape


def test_memory_layout_of_views_as_pytorch():
    for make in (lambda x: x, lambda x: x[1:], lambda x: x[:, 2], lambda x: x.t(),
                 lambda x: x[1:][:, 1:], lambda x: x[2:].expand(5, 4),
                 lambda x: x[1:].reshape(-1), lambda x: x.unfold(1, 2, 1)[1:],
                 lambda x: x[:, 1:].contiguous()):
        ours, theirs = make(mt.tensor(X)), make(torch.tensor(X))
        assert ours.storage_offset() == theirs.storage_offset()
        assert ours.stride() == theirs.stride()
    for lib in (mt, torch):
        x = lib.tensor(X)
        assert x[1].data_ptr() - x.data_ptr() == 16 and x.detach().data_ptr() == x.data_ptr()


def test_apply_and_map_as_pytorch():
    for lib in (mt, torch):
        x, ints = lib.tensor(X), lib.tensor(INTS)
        assert x.clone().apply_(lambda v: v * 2).tolist() == (x * 2).tolist()
        halves = ints.clone().apply_(lambda v: v / 2)  # floats truncated into integers
        assert halves.tolist() == (ints.double() / 2).long().tolist()
        assert ints.clone().apply_(lambda v: type(v) is int).tolist() == [[1] * 4] * 3
        rows = lib.tensor([[1.0], [2.0], [3.0]])
        assert x.clone().map_(rows, lambda a, b: a * b).tolist() == (x * rows).tolist()
        assert lib.tensor([True, False]).apply_(lambda v: not v).tolist() == [False, True]


@pytest.mark.parametrize("call", [
    lambda lib, x: x.unfold(1, 5, 1),
    lambda lib, x: x.unfold(1, 2, 0),
    lambda lib, x: x.unfold(1, -1, 1),
    lambda lib, x: x.unfold(1, 2.0, 1),
    lambda lib, x: lib.rot90(x, 1, [0]),
    lambda lib, x: lib.rot90(x, 1, [1, -1]),
    lambda lib, x: lib.rot90(x[0]),
    lambda lib, x: lib.rot90(x, 1, [0, 2]),
    lambda lib, x: lib.broadcast_tensors(x, lib.ones(3)),
    lambda lib, x: lib.broadcast_tensors(x, 1.0),
    lambda lib, x: lib.hsplit(x, 3),
    lambda lib, x: lib.hsplit(x[0, 0], 1),
    lambda lib, x: lib.vsplit(x[0], 2),
    lambda lib, x: lib.dsplit(x, 2),
    lambda lib, x: lib.vsplit(x, -1),
    lambda lib, x: lib.atleast_2d(3),
    lambda lib, x: lib.block_diag(x.reshape(1, 3, 4)),
    lambda lib, x: lib.cartesian_prod(x),
    lambda lib, x: lib.cartesian_prod(x[0].long(), x[0]),
    lambda lib, x: lib.combinations(x),
    lambda lib, x: lib.combinations(x[0], -1),
    lambda lib, x: x.unflatten(1, (3, 2)),
    lambda lib, x: x.unflatten(1, ()),
    lambda lib, x: x.unflatten(1, (-1, -1)),
    lambda lib, x: x.unflatten(2, (1, 4)),
    lambda lib, x: lib.scatter_reduce(x, 0, lib.tensor([[0]]), x, "median"),
    lambda lib, x: x.scatter_reduce(0, lib.tensor([[0]]), x.double(), "sum"),
    lambda lib, x: x.scatter_reduce(0, lib.tensor([[3]]), x, "sum"),
    lambda lib, x: x.scatter_reduce(0, lib.tensor([0]), x, "amax"),
    lambda lib, x: x.scatter_reduce_(0, lib.tensor([[0]]), x, "sum"),
    lambda lib, x: x.detach().scatter(0, lib.tensor([[0]]), x, reduce="sum"),
    lambda lib, x: x.index_put((lib.tensor([0]),), lib.tensor(1.0).double()),
    lambda lib, x: x.index_put(lib.tensor([0]), lib.tensor(1.0)),
    lambda lib, x: x.index_put((lib.tensor([5]),), lib.tensor(1.0)),
    lambda lib, x: x.index_put((lib.tensor([0.0]),), lib.tensor(1.0)),
    lambda lib, x: x.index_put((lib.tensor([0, 1]),), lib.tensor([1.0, 2.0, 3.0])),
    lambda lib, x: x.index_put((lib.tensor([0]),) * 3, lib.tensor(1.0)),
    lambda lib, x: x.index_put((lib.tensor([0]),), 5.0),
    lambda lib, x: x.index_put_((lib.tensor([0]),), lib.tensor(1.0)),
    lambda lib, x: x.put(lib.tensor([12]), lib.tensor([1.0])),
    lambda lib, x: x.put(lib.tensor([-13]), lib.tensor([1.0])),
    lambda lib, x: x.put(lib.tensor([1, 2]), lib.tensor([1.0])),
    lambda lib, x: x.put(lib.tensor([1]), lib.tensor([1.0]).double()),
    lambda lib, x: x.put(lib.tensor([1]).int(), lib.tensor([1.0])),
    lambda lib, x: x.put(lib.tensor([1]), 5.0),
    lambda lib, x: x.put_(lib.tensor([1]), lib.tensor([1.0])),
    lambda lib, x: x.masked_scatter(x > 0, lib.tensor([1.0])),
    lambda lib, x: x.masked_scatter(x > 0, lib.arange(12)),
    lambda lib, x: x.masked_scatter((x > 0).int(), x),
    lambda lib, x: x[0].detach().masked_scatter_(x > 0, x.detach()),
    lambda lib, x: x.masked_scatter_(x > 0, x.detach()),
    lambda lib, x: lib.isin(x > 0, lib.tensor([1])),
    lambda lib, x: lib.isin(5, 5),
    lambda lib, x: x.unique_consecutive(dim=2),
    lambda lib, x: x[0, 0].unique_consecutive(dim=0),
    lambda lib, x: lib.positive(x > 0),
    lambda lib, x: +(x > 0),
    lambda lib, x: x.detach().clip_(),
    lambda lib, x: x.clip_(0, 1),
    lambda lib, x: x.detach().apply_(lambda v: None),
    lambda lib, x: x.detach().apply_(3),
    lambda lib, x: lib.tensor([1, 2], dtype=lib.int8).apply_(lambda v: v + 200),
    lambda lib, x: x.apply_(lambda v: v),
    lambda lib, x: x.detach().map_(lib.tensor([1, 2, 3, 4]), lambda a, b: a),
    lambda lib, x: x.detach().map_([1.0, 2.0, 3.0, 4.0], lambda a, b: a),
    lambda lib, x: x[0].detach().map_(x.detach(), lambda a, b: a),
    lambda lib, x: x.detach().map_(x, lambda a, b: a),
    lambda lib, x: x.t_(),
    lambda lib, x: x.squeeze_(),
    lambda lib, x: x.unsqueeze_(0),
    lambda lib, x: x.transpose_(0, 1),
    lambda lib, x: x.swapdims_(0, 1),
    lambda lib, x: x.swapaxes_(0, 1),
    lambda lib, x: x.detach().transpose_(0, 2),
    lambda lib, x: x.detach().reshape(1, 3, 4).t_(),
    lambda lib, x: x.detach().unsqueeze_(3),
])
def test_errors_as_pytorch(call):
    """minitorch raises where PyTorch does, an exception of the same type (for the in-place
    calls on x itself: a leaf that requires grad)."""
    ours, theirs = (_raised(call, lib) for lib in (mt, torch))
    assert ours is not None and ours is theirs, f"minitorch raised {ours}, PyTorch {theirs}"


def _raised(call, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(lib, lib.tensor(X, requires_grad=True))
        except Exception as error:  # the type is what is compared
            return type(error)
    return None


# ----- grad_fn: the nodes' names and next_functions -------------------------------------------

M = _RNG.standard_normal((4, 2)).astype(np.float32)
IMAGES = _RNG.standard_normal((2, 3, 4, 4)).astype(np.float32)
KERNELS = _RNG.standard_normal((2, 3, 3, 3)).astype(np.float32)
LABELS = np.array([0, 1, 3])

# The common operations, each named as PyTorch names its node.
NODES = [
    ("mul_number", lambda lib, F, x: x * 2), ("mul", lambda lib, F, x: x * x),
    ("add", lambda lib, F, x: x + 1), ("sub", lambda lib, F, x: x - x.exp()),
    ("div", lambda lib, F, x: x / 2), ("neg", lambda lib, F, x: -x),
    ("pow", lambda lib, F, x: x**2), ("mm", lambda lib, F, x: x @ lib.tensor(M)),
    ("sum", lambda lib, F, x: x.sum()), ("mean", lambda lib, F, x: x.mean()),
    ("relu", lambda lib, F, x: F.relu(x)), ("exp", lambda lib, F, x: x.exp()),
    ("log", lambda lib, F, x: x.abs().log()), ("sqrt", lambda lib, F, x: x.abs().sqrt()),
    ("tanh", lambda lib, F, x: lib.tanh(x)), ("sigmoid", lambda lib, F, x: x.sigmoid()),
    ("abs", lambda lib, F, x: x.abs()), ("view", lambda lib, F, x: x.view(12)),
    ("permute", lambda lib, F, x: x.permute(1, 0)),
    ("expand", lambda lib, F, x: x[:1].expand(3, 4)),
    ("cat", lambda lib, F, x: lib.cat([x, x])), ("stack", lambda lib, F, x: lib.stack([x, x])),
    ("softmax", lambda lib, F, x: x.softmax(1)),
    ("log_softmax", lambda lib, F, x: F.log_softmax(x, 1)),
    ("clone", lambda lib, F, x: x.clone()), ("clamp", lambda lib, F, x: x.clamp(0, 1)),
    ("where", lambda lib, F, x: lib.where(x > 0, x, x * 2)),
    ("logsumexp", lambda lib, F, x: x.logsumexp(1)),
    ("maximum", lambda lib, F, x: lib.maximum(x, x * 2)), ("gelu", lambda lib, F, x: F.gelu(x)),
    ("leaky_relu", lambda lib, F, x: F.leaky_relu(x)), ("silu", lambda lib, F, x: F.silu(x)),
    ("softplus", lambda lib, F, x: F.softplus(x)), ("erf", lambda lib, F, x: x.erf()),
    ("double", lambda lib, F, x: x.double()), ("prod", lambda lib, F, x: x.prod()),
    ("cumsum", lambda lib, F, x: x.cumsum(1)), ("norm", lambda lib, F, x: x.norm()),
    ("masked_fill", lambda lib, F, x: x.masked_fill(x > 0, 0.0)),
    ("remainder", lambda lib, F, x: x % 2), ("atan2", lambda lib, F, x: lib.atan2(x, x)),
    ("linear", lambda lib, F, x: F.linear(x, lib.tensor(M.T), lib.tensor(M[0]))),
    ("cross_entropy", lambda lib, F, x: F.cross_entropy(x, lib.tensor(LABELS))),
    ("embedding", lambda lib, F, x: F.embedding(lib.tensor([0, 2]), x)),
    ("layer_norm", lambda lib, F, x: F.layer_norm(x, (4,))),
    ("scatter_add", lambda lib, F, x: x.scatter_add(0, lib.tensor(INDEX), x[:2])),
    ("scatter_reduce", lambda lib, F, x: x.scatter_reduce(0, lib.tensor(INDEX), x[:2], "prod")),
    ("unfold", lambda lib, F, x: x.unfold(1, 2, 1)),
    ("conv2d", lambda lib, F, x: F.conv2d(lib.tensor(IMAGES) * x.sum(), lib.tensor(KERNELS))),
    ("max_pool2d", lambda lib, F, x: F.max_pool2d(lib.tensor(IMAGES) * x.sum(), 2)),
    ("batch_norm", lambda lib, F, x: F.batch_norm(x, None, None, training=True)),
]


@pytest.mark.parametrize(("name", "make"), NODES, ids=[case[0] for case in NODES])
def test_grad_fn_names_as_pytorch(name, make):
    ours, theirs = (type(make(lib, F, lib.tensor(X, requires_grad=True)).grad_fn).__name__
                    for lib, F in ((mt, mt.nn.functional), (torch, torch.nn.functional)))
    assert ours == theirs


def _graph(node):
    """The names of ``node`` and of every node before it, nested as next_functions."""
    if node is None:
        return None
    return type(node).__name__, tuple((_graph(n), i) for n, i in node.next_functions)


def test_next_functions_as_pytorch():
    graphs = []
    for lib in (mt, torch):
        x = lib.tensor(X, requires_grad=True)
        loss = ((x * lib.tensor(X) + x.exp()) @ lib.tensor(M)).relu().sum()
        graphs.append(_graph(loss.grad_fn))
        add = loss.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
        assert add.next_functions[1][0].next_functions[0][0].variable is x
    assert graphs[0] == graphs[1]
