"""Aliases, in-place forms, conversions, small ops and random fillers against PyTorch:
values, dtypes and gradients on small cases, and the errors. Each case is written once, for
either library as ``lib``. tests/test_more_methods.py has the checks that need no torch;
tests/op_registry.py checks the gradients against finite differences."""

import numpy as np
import pytest
from torch_reference import assert_same_as_torch

import minitorch as mt

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
X = _RNG.standard_normal((3, 4)).astype(np.float32)
Y = _RNG.standard_normal((3, 4)).astype(np.float32)
V = _RNG.standard_normal(4).astype(np.float32)
X64 = _RNG.standard_normal((2, 3, 4))
INTS = np.array([[3, -1, 2, 0], [5, 2, -4, 1], [3, 3, 0, 0]])
SPECIAL = np.array([np.inf, -np.inf, np.nan, 0.0, 1.0], dtype=np.float32)
NANS = np.array([[np.nan, 1.0, 3.0, np.nan], [np.nan, 2.2, 2.5, 0.5], [4.0, 2.0, 1.0, 3.0]],
                dtype=np.float32)


def _set(x, index, value):
    x[index] = value
    return x


def _in_place(name, *args, **kwargs):
    """``name`` applied in place to a copy: the gradient flows back through the copy."""
    return lambda lib, x: getattr(x * 1, name)(*args, **kwargs)


CASES = [
    *[(f"alias_{name}", lambda lib, x, y, name=name: getattr(x, name)(y), (X, Y))
      for name in ("greater", "greater_equal", "less", "less_equal", "not_equal")],
    *[(f"top_{name}", lambda lib, x, name=name: getattr(lib, name)(x, 0.5), (X,))
      for name in ("greater", "greater_equal", "less", "less_equal", "not_equal")],
    *[(f"compare_{name}", _in_place(name, 0.5), (X,))
      for name in ("eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_",
                   "less_", "less_equal_", "not_equal_")],
    ("lt_ints", lambda lib, x: x.clone().lt_(2), (INTS,)),
    *[(f"logical_{name}", lambda lib, x, y, name=name: getattr(x.detach().clone(), name)(y),
       (X, Y)) for name in ("logical_and_", "logical_or_", "logical_xor_")],
    ("logical_not_", lambda lib, x: x.clone().logical_not_(), (INTS,)),
    ("multiply_", lambda lib, x, y: (x * 1).multiply_(y), (X, Y)),
    ("subtract_", lambda lib, x, y: (x * 1).subtract_(y, alpha=2), (X, Y)),
    ("divide_", lambda lib, x, y: (x * 1).divide_(y), (X, Y)),
    ("true_divide_", lambda lib, x, y: (x * 1).true_divide_(y), (X, Y)),
    ("floor_divide_", lambda lib, x: x.clone().floor_divide_(2), (INTS,)),
    ("remainder_", _in_place("remainder_", 0.7), (X,)),
    ("fmod_", _in_place("fmod_", 0.7), (X,)),
    ("float_power_", _in_place("float_power_", 2), (X64,)),
    ("lerp_", lambda lib, x, y: (x * 1).lerp_(y, 0.3), (X, Y)),
    ("clamp_min_", _in_place("clamp_min_", 0.1), (X,)),
    ("clamp_max_", _in_place("clamp_max_", 0.1), (X,)),
    ("top_clamp_min_", lambda lib, x: lib.clamp_min_(x * 1, 0.1), (X,)),
    ("cumsum_", _in_place("cumsum_", 1), (X,)),
    ("cumprod_", _in_place("cumprod_", 0), (X,)),
    ("tril_", _in_place("tril_", -1), (X,)),
    ("triu_", _in_place("triu_", 1), (X,)),
    ("scatter_add_", lambda lib, x, y: (x * 1).scatter_add_(
        0, lib.tensor([[0, 1, 2, 0], [2, 2, 0, 1]]), y[:2]), (X, Y)),
    ("byte", lambda lib, x: x.abs().byte(), (INTS,)),
    ("char", lambda lib, x: x.char(), (INTS,)),
    ("short", lambda lib, x: x.short(), (INTS,)),
    ("reshape_as", lambda lib, x, y: x.reshape_as(y), (X, X64[0].reshape(6, 2))),
    ("tile", lambda lib, x: x.tile(2), (X,)),
    ("tile_more", lambda lib, x: lib.tile(x, (2, 1, 3)), (X,)),
    ("tile_varargs", lambda lib, x: x.tile(2, 1, 1, 2), (X64,)),
    ("fliplr", lambda lib, x: lib.fliplr(x), (X64,)),
    ("flipud", lambda lib, x: x.flipud(), (X,)),
    ("select", lambda lib, x: x.select(1, -2), (X64,)),
    ("top_select", lambda lib, x: lib.select(x, 0, 1), (X,)),
    ("msort", lambda lib, x: lib.msort(x), (X,)),
    ("dist", lambda lib, x, y: lib.dist(x, y), (X, Y)),
    ("dist_p", lambda lib, x, v: x.dist(v, 3), (X, V)),
    ("dist_inf", lambda lib, x, y: x.dist(y, float("inf")), (X, Y)),
    ("dist_1", lambda lib, x, y: x.dist(y, 1), (X, Y)),
    ("vdot", lambda lib, x, y: lib.vdot(x, y), (V, V[::-1].copy())),
    ("isposinf", lambda lib, x: lib.isposinf(x), (SPECIAL,)),
    ("isneginf", lambda lib, x: x.isneginf(), (SPECIAL,)),
    ("logaddexp2", lambda lib, x, y: lib.logaddexp2(x, y), (X, Y)),
    ("logaddexp2_broadcast", lambda lib, x, v: x.logaddexp2(v), (X, V)),
    ("nanmedian", lambda lib, x: x.nanmedian(), (NANS,)),
    ("nanmedian_dim", lambda lib, x: lib.nanmedian(x, 1), (NANS,)),
    ("nanmedian_keepdim", lambda lib, x: x.nanmedian(0, keepdim=True), (NANS,)),
    ("nanmedian_all_nan", lambda lib, x: (x * np.nan).nanmedian(), (NANS,)),
    ("nanmedian_ints", lambda lib, x: x.nanmedian(1), (INTS,)),
    ("split_with_sizes", lambda lib, x: lib.split_with_sizes(x, [1, 3], 1)[1], (X,)),
    ("sum_to_size", lambda lib, x: x.sum_to_size(3, 1), (X,)),
    ("sum_to_size_leading", lambda lib, x: x.sum_to_size((1, 4)), (X64,)),
    ("sum_to_size_same", lambda lib, x: x.sum_to_size(3, 4), (X,)),
    ("diag_embed", lambda lib, x: lib.diag_embed(x), (X,)),
    ("diag_embed_offset", lambda lib, x: x.diag_embed(-1, 0, 2), (X,)),
    ("diag_embed_dims", lambda lib, x: x.diag_embed(2, 2, 0), (X64,)),
    ("diagflat", lambda lib, x: lib.diagflat(x), (X,)),
    ("diagflat_offset", lambda lib, x: x.diagflat(-2), (V,)),
    ("fill_diagonal_", _in_place("fill_diagonal_", 5.0), (X,)),
    ("fill_diagonal_tall_wrap", lambda lib, x: (x.reshape(6, 2) * 1)
     .fill_diagonal_(-1.0, wrap=True), (X,)),
    ("fill_diagonal_tall", lambda lib, x: (x.reshape(12, 1).repeat(1, 2) * 1)
     .fill_diagonal_(-1.0), (X,)),
    ("fill_diagonal_cube", lambda lib, x: (x[:2, :2, :2] * 1).fill_diagonal_(7.0), (X64,)),
    ("index_copy", lambda lib, x, y: lib.index_copy(x, 1, lib.tensor([3, 0]), y[:, :2]),
     (X, Y)),
    ("index_copy_", lambda lib, x, y: (x * 1).index_copy_(0, lib.tensor([2]), y[:1]), (X, Y)),
    ("renorm", lambda lib, x: lib.renorm(x, 2, 0, 1.5), (X,)),
    ("renorm_dim1_p1", lambda lib, x: x.renorm(1, 1, 1.0), (X64,)),
    ("renorm_", _in_place("renorm_", 3, 1, 0.5), (X,)),
    ("hardshrink", lambda lib, x: lib.hardshrink(x), (X,)),
    ("hardshrink_lambd", lambda lib, x: x.hardshrink(0.8), (X,)),
    ("hardshrink_special", lambda lib, x: x.detach().hardshrink(), (SPECIAL,)),
    ("softshrink_special", lambda lib, x: lib.nn.functional.softshrink(x.detach()),
     (SPECIAL,)),
    ("F_hardshrink", lambda lib, x: lib.nn.functional.hardshrink(x, 0.3), (X,)),
    ("F_softshrink", lambda lib, x: lib.nn.functional.softshrink(x, 0.3), (X,)),
    ("nn_Hardshrink", lambda lib, x: lib.nn.Hardshrink(0.7)(x), (X,)),
    ("nn_Softshrink", lambda lib, x: lib.nn.Softshrink()(x), (X,)),
    ("logspace", lambda lib: lib.logspace(-1, 2, 4), ()),
    ("logspace_base_dtype", lambda lib: lib.logspace(0, 3, steps=4, base=2, dtype=lib.int64),
     ()),
    ("F_glu", lambda lib, x: lib.nn.functional.glu(x), (X,)),
    ("F_glu_dim0", lambda lib, x: lib.nn.functional.glu(x, 0), (X64,)),
    ("nn_GLU", lambda lib, x: lib.nn.GLU(dim=1)(x), (X,)),
    ("H", lambda lib, x: x.H, (X,)),
    ("FloatTensor", lambda lib: lib.FloatTensor([1, 2]), ()),
    ("LongTensor", lambda lib: lib.LongTensor([1.7, -2.5]), ()),
    ("DoubleTensor", lambda lib: lib.DoubleTensor([[1, 2]]), ()),
    ("IntTensor_sizes", lambda lib: lib.IntTensor(2, 3).fill_(4), ()),
    ("BoolTensor", lambda lib: lib.BoolTensor([1, 0]), ()),
    ("FloatTensor_empty", lambda lib: lib.FloatTensor(), ()),
    ("where_condition", lambda lib, x: lib.where(x > 0), (X64,)),
    ("where_condition_0d", lambda lib: lib.where(lib.tensor(1)), ()),
    ("sort_stable", lambda lib, x: x.sort(stable=True, dim=0), (INTS,)),
    ("top_sort_stable_descending", lambda lib, x: lib.sort(x, stable=True, descending=True),
     (INTS,)),
    ("sort_stable_values", lambda lib, x: x.sort(dim=1, stable=True).values, (X,)),
    ("split_keyword", lambda lib, x: x.split(split_size=3, dim=1)[1], (X,)),
    ("top_split_keyword", lambda lib, x: lib.split(x, split_size_or_sections=[1, 2])[1], (X,)),
    ("numpy_force", lambda lib, x: lib.tensor(x.numpy(force=True) * 2), (X,)),
    ("div_floor_", lambda lib, x: x.detach().clone().div_(0.7, rounding_mode="floor"), (X,)),
    ("div_trunc_ints_", lambda lib, x: x.clone().div_(3, rounding_mode="trunc"), (INTS,)),
    ("view_dtype", lambda lib, x: x.view(lib.int32), (X,)),
    ("view_dtype_wider", lambda lib, x: x.view(lib.float64), (X,)),
    ("view_dtype_narrower", lambda lib, x: x.view(dtype=lib.int16), (X,)),
    ("top_softmax_dtype", lambda lib, x: lib.softmax(x, 1, dtype=lib.float64), (X,)),
    ("softmax_dtype", lambda lib, x: x.softmax(0, dtype=lib.float64), (X,)),
    ("log_softmax_dtype", lambda lib, x: x.log_softmax(-1, dtype=lib.float64), (X,)),
    ("top_log_softmax_dtype", lambda lib, x: lib.log_softmax(x, 1, lib.float64), (X,)),
    ("norm_p_none", lambda lib, x: x.norm(p=None, dim=1), (X,)),
    ("top_norm_p_none", lambda lib, x: lib.norm(x, None), (X64,)),
    ("setitem_one_element", lambda lib, x, v: _set(x * 1, (0, 1), v[2:3]), (X, V)),
    ("setitem_leading_ones", lambda lib, x, v: _set(x * 1, 1, v.reshape(1, 1, 4)), (X, V)),
    ("argmax_empty", lambda lib: lib.zeros(2, 0).argmax(0), ()),
    ("argmin_empty_keepdim", lambda lib: lib.zeros(0, 3).argmin(1, keepdim=True), ()),
]


@pytest.mark.parametrize("fn, inputs", [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_same_as_torch(fn, inputs):
    assert_same_as_torch(torch, fn, inputs)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.zeros(2, 3).select(1, 3),
    lambda lib: lib.zeros(2, 3).select(2, 0),
    lambda lib: lib.zeros(3).fliplr(),
    lambda lib: lib.zeros(()).flipud(),
    lambda lib: lib.zeros(2).is_nonzero(),
    lambda lib: lib.zeros(0).is_nonzero(),
    lambda lib: lib.zeros(2, 2).sum_to_size(3),
    lambda lib: lib.zeros(2).sum_to_size(1, 1, 2),
    lambda lib: lib.zeros(3).diag_embed(0, -1, -1),
    lambda lib: lib.zeros(2, 3, 4).fill_diagonal_(1),
    lambda lib: lib.zeros(3).fill_diagonal_(1),
    lambda lib: lib.zeros(3, 2).vdot(lib.zeros(3)),
    lambda lib: lib.zeros(3).vdot(lib.zeros(3, dtype=lib.float64)),
    lambda lib: lib.zeros(3).renorm(2, 0, 1),
    lambda lib: lib.zeros(3, 2).renorm(2, 0, -1),
    lambda lib: lib.zeros(3, 2).renorm(0, 0, 1),
    lambda lib: lib.nn.functional.softshrink(lib.zeros(3), -1),
    lambda lib: lib.zeros(3).index_copy(0, lib.tensor([0]), lib.zeros(1, dtype=lib.float64)),
    lambda lib: lib.zeros(3).index_copy(0, lib.tensor([0]), lib.zeros(2)),
    lambda lib: lib.zeros(3).split_with_sizes([1, 1]),
    lambda lib: lib.zeros(3).float_power_(2),
    lambda lib: lib.zeros(2).random_(5, 5),
    lambda lib: lib.zeros(2).exponential_(0),
    lambda lib: lib.zeros(2).geometric_(1),
    lambda lib: lib.zeros(2).log_normal_(1, 0),
    lambda lib: lib.zeros(2).cauchy_(0, -1),
    lambda lib: lib.zeros(2, dtype=lib.int64).exponential_(),
    lambda lib: lib.zeros(2, dtype=lib.int64).cauchy_(),
    lambda lib: lib.zeros(2, requires_grad=True).exponential_(),
    lambda lib: lib.zeros(2, requires_grad=True).random_(),
    lambda lib: lib.zeros(2, requires_grad=True).eq_(0),
    lambda lib: lib.zeros(2, 0).argmax(1),
    lambda lib: lib.zeros(2, 0).argmin(),
    lambda lib: lib.nn.functional.glu(lib.zeros(3)),
    lambda lib: lib.nn.functional.glu(lib.tensor(1.0)),
    lambda lib: lib.zeros(2).H,
    lambda lib: lib.zeros(2, 2, 2).H,
    lambda lib: lib.zeros(2, 3).view(lib.float64),
    lambda lib: lib.tensor(1.0).view(lib.float64),
    lambda lib: lib.normal(1.0, 2.0),
    lambda lib: lib.normal(lib.zeros(3), -1.0),
    lambda lib: lib.FloatTensor(lib.zeros(2, dtype=lib.int64)),
    lambda lib: lib.FloatTensor(2.5),
    lambda lib: lib.zeros(2).__setitem__(0, lib.zeros(2)),
])
def test_errors_as_torch(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)):
        fn(mt)


def test_queries_as_torch():
    for lib in (mt, torch):
        x = lib.tensor([[1.5, -2.0]])
        assert x.is_cpu and x.get_device() == -1 and lib.get_device(x) == -1
        assert x.is_signed() and lib.is_signed(x.long()) and not x.byte().is_signed()
        assert not x.bool().is_signed()
        assert x.is_same_size(lib.zeros(1, 2)) and not lib.is_same_size(x, lib.zeros(2))
        assert x[:, :1].is_nonzero() and not lib.is_nonzero(lib.tensor([0.0]))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int16", "uint8", "bool"])
def test_random_default_range_as_torch(dtype):
    """random_() covers [0, 2**mantissa] for floats and [0, max] for integers."""
    ours = mt.zeros(2000, dtype=getattr(mt, dtype)).random_(generator=mt.Generator()
                                                            .manual_seed(0))
    theirs = torch.zeros(2000, dtype=getattr(torch, dtype)).random_()
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    high = {"float32": 2 ** 24, "float64": 2 ** 53, "int16": 2 ** 15 - 1, "uint8": 255,
            "bool": 1}[dtype]
    assert 0 <= ours.min().item() and ours.max().item() <= high
    assert ours.max().item() > high / 2 and theirs.max().item() > high / 2


def test_normal_overloads_as_torch():
    """Shapes, dtypes and (zero) gradients of each of torch.normal's overloads; the values
    are random."""
    for lib in (mt, torch):
        mean = lib.zeros(3, requires_grad=True)
        std = lib.ones(2, 1, dtype=lib.float64, requires_grad=True)
        both = lib.normal(mean, std)
        assert tuple(both.shape) == (2, 3) and str(both.dtype).endswith("float32")
        assert both.requires_grad
        both.sum().backward()
        assert mean.grad.tolist() == [0.0] * 3 and std.grad.tolist() == [[0.0], [0.0]]
        assert str(lib.normal(0.5, std).dtype).endswith("float64")
        assert str(lib.normal(mean, 2.0).dtype).endswith("float32")
        sized = lib.normal(2, 3, size=(4, 5), dtype=lib.float64)
        assert tuple(sized.shape) == (4, 5) and str(sized.dtype).endswith("float64")
        assert tuple(lib.normal(0.0, 1.0, (2,)).shape) == (2,)
        assert lib.normal(0.0, 1.0, (2,), requires_grad=True).requires_grad


def test_legacy_constructors_and_size_as_torch():
    for lib in (mt, torch):
        assert isinstance(lib.zeros(2), lib.FloatTensor)
        assert not isinstance(lib.zeros(2), lib.LongTensor)
        assert isinstance(lib.zeros(2, dtype=lib.int64), lib.LongTensor)
        assert not isinstance(3.0, lib.FloatTensor)
        assert tuple(lib.FloatTensor(2, 3).shape) == (2, 3)
        x = lib.zeros(2)
        alias = lib.FloatTensor(x)  # shares memory with x
        alias[0] = 5.0
        assert x.tolist() == [5.0, 0.0]
        assert lib.zeros(2, 3).shape.numel() == 6 and lib.zeros(2, 3).size().numel() == 6
        assert lib.zeros(2, 0).shape.numel() == 0 and lib.tensor(1.0).shape.numel() == 1
