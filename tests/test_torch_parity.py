"""The same calls in minitorch and in PyTorch give the same results (values, dtypes, shapes).
Random numbers are not compared: the two libraries' generators differ."""

import numpy as np
import pytest
from torch_reference import assert_same_as_torch

import minitorch as mt

torch = pytest.importorskip("torch")

_DTYPES = {torch.float32: np.float32, torch.float64: np.float64, torch.int64: np.int64,
           torch.bool: np.bool_}


def _same(ours: mt.Tensor, theirs) -> None:
    assert ours.shape == tuple(theirs.shape)
    assert ours.dtype == _DTYPES[theirs.dtype], (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)


_VALUES = np.random.default_rng(0).permutation(24).reshape(2, 3, 4).astype(np.float32)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort(dim, descending):
    ours = mt.sort(mt.tensor(_VALUES), dim=dim, descending=descending)
    theirs = torch.sort(torch.tensor(_VALUES), dim=dim, descending=descending)
    _same(ours.values, theirs.values)
    _same(ours.indices, theirs.indices)


@pytest.mark.parametrize(("k", "dim", "largest"), [(2, -1, True), (1, 0, False), (3, 1, True),
                                                   (0, -1, True), (4, 2, False)])
def test_topk(k, dim, largest):
    ours = mt.tensor(_VALUES).topk(k, dim, largest)
    theirs = torch.tensor(_VALUES).topk(k, dim, largest)
    _same(ours.values, theirs.values)
    _same(ours.indices, theirs.indices)


def test_sort_and_topk_gradients():
    x = mt.tensor(_VALUES, requires_grad=True)
    tx = torch.tensor(_VALUES, requires_grad=True)
    weights = np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3, 1)
    (x.topk(2, dim=-1).values * mt.tensor(weights)).sum().backward()
    (tx.topk(2, dim=-1).values * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


@pytest.mark.parametrize("diagonal", [-2, -1, 0, 1, 3])
@pytest.mark.parametrize("name", ["tril", "triu"])
def test_triangles(name, diagonal):
    ours = getattr(mt, name)(mt.tensor(_VALUES), diagonal)
    theirs = getattr(torch, name)(torch.tensor(_VALUES), diagonal)
    _same(ours, theirs)


@pytest.mark.parametrize(("bins", "kwargs"), [
    (5, {}),
    (3, {"range": (2.0, 20.0)}),
    (4, {"density": True}),
    ([0.0, 5.0, 6.0, 23.0], {"weight": True}),
])
def test_histogram(bins, kwargs):
    values = _VALUES.reshape(-1)
    ours_kwargs, theirs_kwargs = dict(kwargs), dict(kwargs)
    if kwargs.get("weight"):
        ours_kwargs["weight"] = mt.tensor(values / 10)
        theirs_kwargs["weight"] = torch.tensor(values / 10)
    ours_bins = mt.tensor(bins) if isinstance(bins, list) else bins
    theirs_bins = torch.tensor(bins) if isinstance(bins, list) else bins
    ours = mt.histogram(mt.tensor(values), ours_bins, **ours_kwargs)
    theirs = torch.histogram(torch.tensor(values), theirs_bins, **theirs_kwargs)
    _same(ours.hist, theirs.hist)
    _same(ours.bin_edges, theirs.bin_edges)


@pytest.mark.parametrize(("split", "dim"), [(2, 0), (3, 2), ([1, 2], 1), ([4, 0], -1)])
def test_split(split, dim):
    ours = mt.tensor(_VALUES).split(split, dim)
    theirs = torch.tensor(_VALUES).split(split, dim)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        _same(a, b)


@pytest.mark.parametrize(("length", "chunks"), [(5, 3), (6, 4), (2, 5), (7, 7), (12, 5)])
def test_chunk(length, chunks):
    ours = mt.arange(length).chunk(chunks)
    theirs = torch.arange(length).chunk(chunks)
    assert [p.tolist() for p in ours] == [p.tolist() for p in theirs]


@pytest.mark.parametrize("call", [
    lambda lib: lib.arange(5), lambda lib: lib.arange(1, 4, 0.5), lambda lib: lib.arange(2.0),
    lambda lib: lib.arange(6, 0, -2), lambda lib: lib.linspace(-3, 0, 7),
    lambda lib: lib.linspace(0, 1, 1), lambda lib: lib.eye(3), lambda lib: lib.eye(2, 4),
    lambda lib: lib.tensor([1, 2]), lambda lib: lib.tensor([[True], [False]]),
    lambda lib: lib.tensor([1.5, 2]), lambda lib: lib.full((2,), 3),
    lambda lib: lib.full((2,), 0.5), lambda lib: lib.full_like(lib.tensor([1, 2]), 4),
    lambda lib: lib.zeros_like(lib.tensor([1, 2])),
    lambda lib: lib.tensor([[1.0, 0.0], [2.0, 3.0]]).all(1),
    lambda lib: lib.tensor([[1.0, 0.0], [2.0, 3.0]]).any(0, keepdim=True),
    lambda lib: lib.tensor([[1.0, 0.0], [2.0, 3.0]]).all(),
    lambda lib: lib.tensor([1.0, 2.0, 3.0]).masked_fill(lib.tensor([True, False, True]), -1.0),
    lambda lib: lib.tensor([[1.0, 2.0, 3.0]]).masked_fill(lib.tensor([[True], [False]]), 0.0),
    lambda lib: lib.tensor([1.0, 2.0]).t(), lambda lib: lib.tensor([[1.0, 2.0]]).t(),
    lambda lib: lib.tensor([0.5, 4.0]).log2(), lambda lib: lib.tensor([0.5, 100.0]).log10(),
    lambda lib: lib.tensor([1.0, 2.0]).ge(lib.tensor([2.0, 1.0])),
])
def test_same_results(call):
    _same(call(mt), call(torch))


@pytest.mark.parametrize("call", [
    lambda lib, g: lib.randint(0, 10, (3, 2), generator=g),
    lambda lib, g: lib.randint(10, (4,), generator=g),
    lambda lib, g: lib.randint(high=5, size=(2,), generator=g),
    lambda lib, g: lib.randperm(7, generator=g),
    lambda lib, g: lib.rand(2, 3, generator=g),
    lambda lib, g: lib.randn((4,), generator=g),
    lambda lib, g: lib.rand_like(lib.zeros(2, 2, dtype=lib.float64), generator=g),
    lambda lib, g: lib.multinomial(lib.tensor([0.2, 0.8]), 3, True, generator=g),
    lambda lib, g: lib.multinomial(lib.tensor([[0.2, 0.8]]), num_samples=1, generator=g),
])
def test_random_shapes_and_dtypes(call):
    ours = call(mt, mt.Generator().manual_seed(0))
    theirs = call(torch, torch.Generator().manual_seed(0))
    assert ours.shape == tuple(theirs.shape) and ours.dtype == _DTYPES[theirs.dtype]


# ----- clamp: promotion and tensor bounds -----------------------------------------------------

_X = np.array([1.0, -1.0, 0.5, 0.0, 3.0, 2.0], dtype=np.float32)
_LOW = np.array([2.0, 0.0, 0.5, 0.0, 1.0, -1.0], dtype=np.float32)
_HIGH = np.array([1.0, 2.0, 0.5, 0.0, 1.0, 3.0], dtype=np.float32)


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([3, 1, 2]).clamp(min=1.5),
    lambda lib: lib.tensor([3, 1, 2]).clamp(0.5, 2.5),
    lambda lib: lib.tensor([3, 1, 2]).clamp(max=2),
    lambda lib: lib.tensor([3, 1, 2]).clamp_min(1.5),
    lambda lib: lib.tensor([3, 1, 2]).clamp_max(1.5),
    lambda lib: lib.tensor([True, False]).clamp(min=0.5),
    lambda lib: lib.tensor([True, False]).clamp(min=1),
    lambda lib: lib.tensor([3, 1, 2]).clamp(min=lib.tensor(1.5)),
    lambda lib: lib.tensor([1.0, 2.0]).clamp(min=lib.tensor([0.5, 3.0], dtype=lib.float64)),
    lambda lib: lib.tensor([1.0, 2.0]).clamp(min=lib.zeros(2, 2)),
    lambda lib: lib.tensor([3.0, 1.0]).clamp_(min=lib.tensor([1.5, 1.5], dtype=lib.float64)),
])
def test_clamp_promotes_as_torch(call):
    assert_same_as_torch(torch, lambda lib: call(lib), ())


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([3, 1, 2]).clamp_(min=1.5),
    lambda lib: lib.tensor([1.0, 2.0]).clamp_(min=lib.zeros(2, 2)),
])
def test_clamp_in_place_refuses_what_torch_refuses(call):
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError):
        call(mt)


@pytest.mark.parametrize("call", [
    lambda lib, x, low, high: x.clamp(low, high),
    lambda lib, x, low, high: x.clamp(min=low),
    lambda lib, x, low, high: x.clamp(max=high),
    lambda lib, x, low, high: x.clamp(low[:1], high),
    lambda lib, x, low, high: lib.clamp(x.detach(), low, high),
    lambda lib, x, low, high: lib.clamp(x, low.detach(), high),
    lambda lib, x, low, high: (x * 1).clamp_(low, high),
])
def test_clamp_by_tensors_is_differentiable_in_every_input(call):
    assert_same_as_torch(torch, call, (_X, _LOW, _HIGH))


def test_clamp_by_tensors_gives_no_gradient_where_a_value_is_nan():
    values = np.array([1.0, np.nan, 0.5], dtype=np.float32)
    bounds = np.array([0.0, 0.0, np.nan], dtype=np.float32)
    assert_same_as_torch(torch, lambda lib, x, low: x.clamp(min=low), (values, bounds))


# ----- reductions: dim=(), keepdim without dim, the dims of a 0-d tensor ----------------------

_GRID = np.arange(6.0, dtype=np.float32).reshape(2, 3)


@pytest.mark.parametrize("call", [
    lambda lib, x: x.sum(()), lambda lib, x: x.sum(dim=[]), lambda lib, x: x.sum((), True),
    lambda lib, x: x.mean(()), lambda lib, x: x.amax(()), lambda lib, x: x.amin(dim=[]),
    lambda lib, x: x.nansum(()), lambda lib, x: x.nanmean(()), lambda lib, x: x.norm(dim=()),
    lambda lib, x: x.norm(1, dim=[]), lambda lib, x: x.count_nonzero(()),
    # values only: PyTorch's gradient of std/var over dim=() is inf (n taken as 1)
    lambda lib, x: x.detach().std(dim=()), lambda lib, x: x.detach().var((), keepdim=True),
    lambda lib, x: x.all(()), lambda lib, x: x.any(dim=[]),
    lambda lib, x: x.argmax(keepdim=True), lambda lib, x: x.argmin(keepdim=True),
    lambda lib, x: x[0].argmax(keepdim=True), lambda lib, x: x[0, 0].argmin(keepdim=True),
    lambda lib, x: x[0, 0].sum(0), lambda lib, x: x[0, 0].sum(-1),
    lambda lib, x: x[0, 0].sum((0,)), lambda lib, x: x[0, 0].max(0)[0],
])
def test_reduction_dims_as_torch(call):
    assert_same_as_torch(torch, call, (_GRID,))


@pytest.mark.parametrize("call", [
    lambda x: x.sum(1), lambda x: x.sum(5), lambda x: x.sum(-7), lambda x: x.sum((0, 1)),
    lambda x: x.mean(1), lambda x: x.max(1), lambda x: x.min(1), lambda x: x.argmax(1),
    lambda x: x.prod(1), lambda x: x.amax(1), lambda x: x.std(1), lambda x: x.norm(dim=1),
])
def test_a_0d_tensor_takes_only_dims_0_and_minus_1(call):
    for lib in (mt, torch):
        with pytest.raises(IndexError, match="(?i)dimension out of range"):
            call(lib.tensor(2.0))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64", "bool"])
@pytest.mark.parametrize("call", [
    lambda lib, x: x.sum(), lambda lib, x: x.sum(0), lambda lib, x: x.sum(1, keepdim=True),
    lambda lib, x: x.nansum(), lambda lib, x: x.prod(), lambda lib, x: x.prod(1),
    lambda lib, x: x.cumsum(0), lambda lib, x: x.cumprod(1),
])
def test_integer_and_bool_sums_and_products_are_int64_as_torch(call, dtype):
    values = np.array([[1, 2, 0], [200, 100, 3]]).astype(dtype)
    assert_same_as_torch(torch, call, (values,))


# ----- integer arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1, 2, -3]) ** lib.tensor([1, 2, -3]),
    lambda lib: lib.tensor([1, -1, 2, -2, 0, 0, 3]) ** lib.tensor([-1, -1, -1, -3, -1, -2, 0]),
    lambda lib: 2 ** lib.tensor([1, -2, 3]),
    lambda lib: (-1) ** lib.tensor([1, -2, -3]),
    lambda lib: 0 ** lib.tensor([1, -2, -3]),
    lambda lib: lib.tensor([2, 3], dtype=lib.int8) ** lib.tensor([-1, -2], dtype=lib.int8),
    lambda lib: lib.tensor([2, 3]).pow(lib.tensor(-1)),
    lambda lib: lib.tensor([True, False]) ** lib.tensor([-1, -1]),
])
def test_integer_powers_with_negative_exponents_as_torch(call):
    assert_same_as_torch(torch, lambda lib: call(lib), ())


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([2, 3]) ** -1,
    lambda lib: lib.tensor([2, 3]).pow(-2),
    lambda lib: lib.pow(lib.tensor([2], dtype=lib.int32), -1),
    lambda lib: lib.tensor([2, 3]).pow_(-1),
])
def test_an_integer_tensor_to_a_negative_number_raises_as_torch(call):
    for lib in (mt, torch):
        with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
            call(lib)


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1, 2]) // 0,
    lambda lib: lib.tensor([1, 2]) // lib.tensor([0, 1]),
    lambda lib: 5 // lib.tensor([0, 1]),
    lambda lib: lib.tensor([1, 2], dtype=lib.uint8) // 0,
    lambda lib: lib.tensor([1, 2]) % 0,
    lambda lib: lib.tensor([1, 2]) % lib.tensor([0, 1]),
    lambda lib: 5 % lib.tensor([0, 1]),
    lambda lib: lib.tensor([1, 2]).fmod(0),
    lambda lib: lib.tensor([1, 2]).div(0, rounding_mode="floor"),
    lambda lib: lib.tensor([1, 2]).div(lib.tensor([1, 0]), rounding_mode="trunc"),
    lambda lib: lib.tensor([1, 2]).floor_divide_(0),
])
def test_integer_division_by_zero_raises_as_torch(call):
    for lib in (mt, torch):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            call(lib)


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1.0, -2.0, 0.0]) // 0,
    lambda lib: lib.tensor([1.0, 2.0]) % 0,
    lambda lib: lib.tensor([1, 2]) // 0.0,
])
def test_floating_division_by_zero_gives_inf_and_nan_as_torch(call):
    with np.errstate(divide="ignore", invalid="ignore"):
        assert_same_as_torch(torch, lambda lib: call(lib), ())


# ----- the dtype of data ----------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([np.float64(1.0)]),
    lambda lib: lib.tensor([np.float64(1.0), 2.0]),
    lambda lib: lib.tensor([[np.float64(1.0)], [2.0]]),
    lambda lib: lib.tensor([np.float16(1.0), 2.0]),
    lambda lib: lib.tensor([np.float32(1.0), np.float64(2.0)]),
    lambda lib: lib.tensor([np.int32(1)]),
    lambda lib: lib.tensor([np.int32(1), 2]),
    lambda lib: lib.tensor([np.int8(1), np.int32(2)]),
    lambda lib: lib.tensor([np.int32(1), 2.5]),
    lambda lib: lib.tensor([np.uint8(1)]),
    lambda lib: lib.tensor([np.bool_(True), np.bool_(False)]),
    lambda lib: lib.tensor([np.array([1, 2], dtype=np.int32)] * 2),
    lambda lib: lib.tensor([lib.tensor(1.0, dtype=lib.float64)]),
    lambda lib: lib.tensor([lib.tensor(1, dtype=lib.int32), 2]),
    lambda lib: lib.as_tensor([np.float64(1.0)]),
    lambda lib: lib.tensor([]),
    lambda lib: lib.arange(lib.tensor(3)),
    lambda lib: lib.arange(lib.tensor(3, dtype=lib.int32)),
    lambda lib: lib.arange(lib.tensor(3.0)),
    lambda lib: lib.arange(0, lib.tensor(3)),
    lambda lib: lib.arange(lib.tensor(0), 3, 1),
])
def test_dtype_of_data_as_torch(call):
    assert_same_as_torch(torch, lambda lib: call(lib), ())


# ----- bool arithmetic that PyTorch refuses ---------------------------------------------------


@pytest.mark.parametrize(("call", "match"), [
    (lambda lib, b: b - 1, "with a bool tensor"),
    (lambda lib, b: 1 - b, "with a bool tensor"),
    (lambda lib, b: b - 1.5, "with a bool tensor"),
    (lambda lib, b: lib.tensor([1, 2]) - b, "with a bool tensor"),
    (lambda lib, b: lib.tensor([1.0, 2.0]) - b, "with a bool tensor"),
    (lambda lib, b: b.sub(1, alpha=2), "with a bool tensor"),
    (lambda lib, b: lib.tensor([1, 2]).sub_(b), "with a bool tensor"),
    (lambda lib, b: b - b, "with two bool tensors"),
    (lambda lib, b: b - True, "with two bool tensors"),
    (lambda lib, b: lib.sub(b, b), "with two bool tensors"),
    (lambda lib, b: -b, "Negation, the `-` operator, on a bool tensor"),
    (lambda lib, b: b.neg(), "Negation, the `-` operator, on a bool tensor"),
    (lambda lib, b: b.neg_(), "Negation, the `-` operator, on a bool tensor"),
])
def test_bool_subtraction_and_negation_raise_as_torch(call, match):
    for lib in (mt, torch):
        with pytest.raises(RuntimeError, match=match):
            call(lib, lib.tensor([True, False]))


def test_bool_addition_is_still_allowed_as_torch():
    assert_same_as_torch(torch, lambda lib: lib.tensor([True, False]) + lib.tensor(True), ())
    assert_same_as_torch(torch, lambda lib: lib.tensor([1, 2]).add(lib.tensor([True, False]),
                                                                   alpha=-1), ())


def _slices_everywhere(lib):
    """A leaf with a hook and a computed tensor, each read in slices, through backward with
    retain_graph, grad() of the computed tensor and backward(inputs=...)."""
    x = lib.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    y = x * 2
    loss = y[0].sum() + (y[1:3] * 3).sum() + y[[0, 0, 3]].sum() + x[2].sum()
    loss.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    (of_y,) = lib.autograd.grad(loss, [y], retain_graph=True)
    loss.backward(inputs=[x])
    return first, seen[0], of_y.numpy(), x.grad.numpy()


def test_gradients_of_slices_through_hooks_grad_and_backward_inputs():
    for ours, theirs in zip(_slices_everywhere(mt), _slices_everywhere(torch), strict=True):
        np.testing.assert_array_equal(ours, theirs)
