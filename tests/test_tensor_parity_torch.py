"""The Tensor API parity functions (gathering, scattering, shape, math, products, sorting,
distances) against PyTorch: values, dtypes and gradients on a grid of small cases, and the
errors for bad input. Each case is written once, for either library as ``lib``."""

import math

import numpy as np
import pytest
from torch_reference import assert_same_as_torch

import minitorch as mt

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
X = _RNG.standard_normal((3, 4)).astype(np.float32)
X64 = _RNG.standard_normal((2, 3, 2))
INDEX = np.array([[0, 2], [1, 1], [3, 0]])
INTS = np.array([[3, -1, 2, 0], [5, 2, -4, 1]], dtype=np.int32)


# (name, function of (lib, *inputs), inputs): float inputs require grad in both libraries.
CASES = [
    ("gather", lambda lib, x, i: lib.gather(x, 1, i), (X, INDEX)),
    ("gather_dim0", lambda lib, x, i: x.gather(0, i[:2, :3] % 3), (X, INDEX)),
    ("take_along_dim", lambda lib, x, i: lib.take_along_dim(x, i, 1), (X, INDEX)),
    ("take_along_dim_broadcast", lambda lib, x, i: lib.take_along_dim(x, i[:1], 1), (X, INDEX)),
    ("take_along_dim_flat", lambda lib, x, i: lib.take_along_dim(x, i), (X, INDEX)),
    ("scatter", lambda lib, x, i: lib.scatter(x, 1, i[:, :1], x[:, 1:2] * 2), (X, INDEX)),
    ("scatter_value", lambda lib, x, i: x.scatter(1, i, 0.5), (X, INDEX)),
    ("scatter_add", lambda lib, x, i: lib.scatter_add(x, 1, i, x[:, :2] * 2), (X, INDEX)),
    ("scatter_add_dim0", lambda lib, x, i: x.scatter_add(0, i % 3, x[:, :2]), (X, INDEX)),
    ("index_select", lambda lib, x, i: lib.index_select(x, 1, i[:, 0]), (X, INDEX)),
    ("index_select_dim0", lambda lib, x, i: x.index_select(0, i[:, 1]), (X, INDEX)),
    ("masked_select", lambda lib, x: lib.masked_select(x, x > 0), (X,)),
    ("masked_select_broadcast", lambda lib, x: x.masked_select(x[0] > 0), (X,)),
    ("nonzero", lambda lib, x: lib.nonzero(x > 0), (X,)),
    ("nonzero_tuple", lambda lib, x: lib.nonzero(x > 0, as_tuple=True)[1], (X,)),
    ("narrow", lambda lib, x: lib.narrow(x, 1, 1, 2), (X,)),
    ("narrow_negative", lambda lib, x: x.narrow(-1, -3, 2), (X,)),
    ("unbind", lambda lib, x: lib.unbind(x, 1)[2], (X,)),
    ("where_method", lambda lib, x: x.where(x > 0, x * 3), (X,)),
    ("where_method_number", lambda lib, x: x.where(x > 0, 0.0), (X,)),
    ("flip", lambda lib, x: lib.flip(x, (0, 1)), (X,)),
    ("flip_method", lambda lib, x: x.flip(-1), (X64,)),
    ("roll", lambda lib, x: lib.roll(x, (1, -3), (0, 1)), (X,)),
    ("roll_flat", lambda lib, x: lib.roll(x, 5), (X,)),
    ("repeat", lambda lib, x: x.repeat(2, 1, 3), (X,)),
    ("repeat_interleave", lambda lib, x: lib.repeat_interleave(x, 2, dim=1), (X,)),
    ("repeat_interleave_counts", lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2]), 0),
     (X,)),
    ("repeat_interleave_flat", lambda lib, x: lib.repeat_interleave(x, 3), (X,)),
    ("repeat_interleave_indices", lambda lib: lib.repeat_interleave(lib.tensor([2, 0, 1])),
     ()),
    ("expand_as", lambda lib, x: x[:1].expand_as(x), (X,)),
    ("unsqueeze_squeeze", lambda lib, x: lib.squeeze(lib.unsqueeze(x, 1), 1), (X,)),
    ("diag_vector", lambda lib, x: lib.diag(x[0], 1), (X,)),
    ("diag_matrix", lambda lib, x: lib.diag(x, -1), (X,)),
    ("diagonal", lambda lib, x: lib.diagonal(x, 1, 2, 0), (X64,)),
    ("trace", lambda lib, x: lib.trace(x), (X,)),
    ("trace_int", lambda lib, x: lib.trace(x), (INTS,)),
    ("outer", lambda lib, x: lib.outer(x[0], x[1]), (X,)),
    ("square", lambda lib, x: lib.square(x), (X,)),
    ("square_int", lambda lib, x: lib.square(x), (INTS,)),
    ("square_bool", lambda lib, x: lib.square(x > 0), (INTS,)),
    ("rsqrt", lambda lib, x: lib.rsqrt(x.abs() + 0.1), (X,)),
    ("rsqrt_int", lambda lib, x: lib.rsqrt(x.abs() + 1), (INTS,)),
    ("sign", lambda lib, x: lib.sign(x), (X,)),
    ("sign_int", lambda lib, x: lib.sign(x), (INTS,)),
    ("floor", lambda lib, x: lib.floor(x * 3), (X,)),
    ("ceil", lambda lib, x: lib.ceil(x * 3), (X,)),
    ("trunc", lambda lib, x: lib.trunc(x * 3), (X,)),
    ("round", lambda lib, x: lib.round(x * 3), (X,)),
    ("round_decimals", lambda lib, x: lib.round(x * 3, decimals=1), (X,)),
    ("floor_int", lambda lib, x: lib.floor(x), (INTS,)),
    ("frac", lambda lib, x: lib.frac(x * 3), (X,)),
    ("fmod", lambda lib, x: lib.fmod(x * 3, x[0] + 2), (X,)),
    ("fmod_number", lambda lib, x: x.fmod(0.7), (X,)),
    ("remainder", lambda lib, x: lib.remainder(x * 3, x[0] + 2), (X,)),
    ("remainder_int", lambda lib, x: lib.remainder(x, 3), (INTS,)),
    ("mod_operator", lambda lib, x: (x * 3) % 2.5, (X,)),
    ("mod_operator_tensors", lambda lib, x: (x * 3) % (x[0].abs() + 1), (X,)),
    ("mod_operator_int", lambda lib, x: x % 3, (INTS,)),
    ("fmod_int", lambda lib, x: lib.fmod(x, -3), (INTS,)),
    ("lerp", lambda lib, x: lib.lerp(x, x * 2 + 1, 0.3), (X,)),
    ("lerp_tensor_weight", lambda lib, x: x.lerp(x[0] * 2, x[1].sigmoid()), (X,)),
    ("clamp_min", lambda lib, x: lib.clamp_min(x, 0.1), (X,)),
    ("clamp_max", lambda lib, x: x.clamp_max(-0.2), (X,)),
    ("logical_and", lambda lib, x: lib.logical_and(x > 0, x < 1), (X,)),
    ("logical_or", lambda lib, x: lib.logical_or(x > 1, x), (INTS,)),
    ("logical_xor", lambda lib, x: x.logical_xor(x > 0), (X,)),
    ("logical_not", lambda lib, x: lib.logical_not(x), (INTS,)),
    ("prod", lambda lib, x: lib.prod(x, 1), (X,)),
    ("prod_keepdim", lambda lib, x: x.prod(0, keepdim=True), (X,)),
    ("prod_all", lambda lib, x: lib.prod(x), (X,)),
    ("prod_with_zero", lambda lib, x: (x * (x > 0)).prod(1), (X,)),
    ("prod_int", lambda lib, x: lib.prod(x, 1), (INTS,)),
    ("prod_dtype", lambda lib, x: x.prod(dtype=lib.float64), (X,)),
    ("cumsum", lambda lib, x: lib.cumsum(x, 1), (X,)),
    ("cumsum_int", lambda lib, x: lib.cumsum(x, 0), (INTS,)),
    ("cumsum_bool", lambda lib, x: (x > 0).cumsum(1), (INTS,)),
    ("cumprod", lambda lib, x: lib.cumprod(x, 0), (X,)),
    ("cumprod_with_zero", lambda lib, x: (x * (x > 0)).cumprod(1), (X,)),
    ("norm", lambda lib, x: lib.norm(x), (X,)),
    ("norm_1", lambda lib, x: lib.norm(x, 1, 1, True), (X,)),
    ("norm_inf", lambda lib, x: lib.norm(x, float("inf"), 0), (X,)),
    ("norm_minus_inf", lambda lib, x: x.norm(-math.inf, 1), (X,)),
    ("norm_0", lambda lib, x: x.norm(0, 1), (X,)),
    ("norm_3", lambda lib, x: lib.norm(x, 3, 1), (X,)),
    ("norm_zero_vector", lambda lib, x: (x * 0).norm(dim=1), (X,)),
    ("norm_dims", lambda lib, x: x.norm(dim=(0, 2)), (X64,)),
    ("vector_norm", lambda lib, x: lib.linalg.vector_norm(x, 2, (0, 1)), (X,)),
    ("vector_norm_ord", lambda lib, x: lib.linalg.vector_norm(x, ord=1.5, dim=-1), (X64,)),
    ("bmm", lambda lib, x: lib.bmm(x.reshape(3, 2, 2), x.reshape(3, 2, 2)), (X,)),
    ("mm", lambda lib, x: lib.mm(x, x.t()), (X,)),
    ("mv", lambda lib, x: x.mv(x[0]), (X,)),
    ("dot", lambda lib, x: lib.dot(x[0], x[1]), (X,)),
    ("einsum_matmul", lambda lib, x: lib.einsum("ij,kj->ik", x, x * 2), (X,)),
    ("einsum_list", lambda lib, x: lib.einsum("ij,kj->ik", [x, x * 2]), (X,)),
    ("einsum_trace", lambda lib, x: lib.einsum("ii", x[:, :3]), (X,)),
    ("einsum_diagonal", lambda lib, x: lib.einsum("ii->i", x[:, :3]), (X,)),
    ("einsum_ellipsis", lambda lib, x: lib.einsum("...j,j", x, x[0]), (X,)),
    ("einsum_batch", lambda lib, x: lib.einsum("bij,bkj->bik", x, x), (X64,)),
    ("einsum_sum", lambda lib, x: lib.einsum("ij->", x), (X,)),
    ("einsum_implicit", lambda lib, x: lib.einsum("ji", x), (X,)),
    ("einsum_three", lambda lib, x, y: lib.einsum("bij,bjk,bk->bi", x, y, y[:, :, 0]),
     (X64, X64[:, :2])),
    ("tensordot", lambda lib, x: lib.tensordot(x, x, dims=([1], [1])), (X,)),
    ("tensordot_int_dims", lambda lib, x, y: lib.tensordot(x, y, 1), (X64, X64[0].T.copy())),
    ("addmm", lambda lib, x: lib.addmm(x[0], x[:, :3].T, x, beta=0.5, alpha=2), (X,)),
    ("addmm_method", lambda lib, x: x[:, :3].addmm(x, x.T[:, :3]), (X,)),
    ("argsort", lambda lib, x: lib.argsort(x, 1, descending=True), (X,)),
    ("argsort_method", lambda lib, x: x.argsort(0), (X,)),
    ("median", lambda lib, x: lib.median(x), (X,)),
    ("median_even", lambda lib, x: x[:, :2].median(), (X,)),
    ("median_dim", lambda lib, x: lib.median(x, 1), (X,)),
    ("median_dim_indices", lambda lib, x: lib.median(x, 0, keepdim=True)[1], (X,)),
    ("median_nan", lambda lib, x: lib.median(x.where(x > -0.5, math.nan), 1)[0], (X,)),
    ("median_int", lambda lib, x: lib.median(x, 1)[0], (INTS,)),
    ("unique", lambda lib, x: lib.unique(x), (INTS,)),
    ("unique_inverse", lambda lib, x: lib.unique(x % 3, return_inverse=True)[1], (INTS,)),
    ("unique_counts", lambda lib, x: x.unique(return_counts=True)[1], (INTS,)),
    ("unique_dim", lambda lib, x: lib.unique(lib.cat([x, x[:1]]), dim=0), (INTS,)),
    ("bincount", lambda lib, x: lib.bincount(x.abs().reshape(-1).long()), (INTS,)),
    ("bincount_weights", lambda lib, x, w: lib.bincount(x.abs().reshape(-1).long(),
                                                      w.detach().reshape(-1), minlength=9),
     (INTS, X.reshape(-1)[:8].copy())),
    ("cosine_similarity", lambda lib, x: lib.nn.functional.cosine_similarity(x, x * 2 + 1),
     (X,)),
    ("cosine_similarity_broadcast", lambda lib, x: lib.nn.functional.cosine_similarity(
        x, x[:1], dim=-1), (X,)),
    ("normalize", lambda lib, x: lib.nn.functional.normalize(x), (X,)),
    ("normalize_p1_dim0", lambda lib, x: lib.nn.functional.normalize(x, 1, 0), (X,)),
    ("normalize_zero_row", lambda lib, x: lib.nn.functional.normalize(x * (x > 5)), (X,)),
    ("pairwise_distance", lambda lib, x: lib.nn.functional.pairwise_distance(x, x[0]), (X,)),
    ("pairwise_distance_p1", lambda lib, x: lib.nn.functional.pairwise_distance(
        x, x * 2, p=1, keepdim=True), (X,)),
]

# Method forms, shape functions and running reductions: the arithmetic methods are the
# operators; in-place methods are applied to a computed copy so gradients reach x.
ARANGE_NAN = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, 2.0]], dtype=np.float32)
CASES += [
    ("add_alpha", lambda lib, x: lib.add(x, x[0], alpha=2), (X,)),
    ("add_method_promotes", lambda lib, x: x.add(1.5), (INTS,)),
    ("sub_alpha", lambda lib, x: x.sub(x * 2, alpha=0.5), (X,)),
    ("subtract", lambda lib, x: lib.subtract(x, 1), (X,)),
    ("mul", lambda lib, x: lib.mul(x, x[1]), (X,)),
    ("multiply_int", lambda lib, x: lib.multiply(x, 2.5), (INTS,)),
    ("div", lambda lib, x: lib.div(x, x[0] + 3), (X,)),
    ("div_int", lambda lib, x: x.div(2), (INTS,)),
    ("div_trunc", lambda lib, x: lib.div(x * 3, 0.7, rounding_mode="trunc"), (X,)),
    ("div_trunc_int", lambda lib, x: x.div(-3, rounding_mode="trunc"), (INTS,)),
    ("div_floor_int", lambda lib, x: lib.div(x, 3, rounding_mode="floor"), (INTS,)),
    ("div_floor_float", lambda lib, x: x.detach().div(0.1, rounding_mode="floor"), (X,)),
    ("divide", lambda lib, x: lib.divide(x, 2), (X,)),
    ("true_divide_int", lambda lib, x: lib.true_divide(x, x + 10), (INTS,)),
    ("floor_divide_int", lambda lib, x: lib.floor_divide(x, -3), (INTS,)),
    ("floor_divide_float", lambda lib, x: (x * 3).detach().floor_divide(0.7), (X,)),
    ("type_as", lambda lib, x, y: x.type_as(y), (INTS, X64)),
    ("transpose_function", lambda lib, x: lib.transpose(x, 0, 2), (X64,)),
    ("permute_function", lambda lib, x: lib.permute(x, (2, 0, 1)), (X64,)),
    ("reshape_function", lambda lib, x: lib.reshape(x, (4, -1)), (X,)),
    ("clone_function", lambda lib, x: lib.clone(x), (X,)),
    ("swapaxes_function", lambda lib, x: lib.swapaxes(x, 0, 1), (X,)),
    ("swapdims", lambda lib, x: lib.swapdims(x, -1, 0), (X64,)),
    ("movedim", lambda lib, x: lib.movedim(x, (0, 1), (2, 0)), (X64,)),
    ("moveaxis_method", lambda lib, x: x.moveaxis(0, -1), (X64,)),
    ("ravel", lambda lib, x: lib.ravel(x.t()), (X,)),
    ("hstack", lambda lib, x: lib.hstack([x, x[:, :1]]), (X,)),
    ("hstack_vectors", lambda lib, x: lib.hstack([x[0], x[1, :2], x[2, 0]]), (X,)),
    ("vstack", lambda lib, x: lib.vstack([x[0], x]), (X,)),
    ("column_stack", lambda lib, x: lib.column_stack([x[0], x.t(), x[1]]), (X,)),
    ("dstack", lambda lib, x: lib.dstack([x, x * 2]), (X,)),
    ("dstack_vectors", lambda lib, x: lib.dstack([x[0], x[1]]), (X,)),
    ("meshgrid_ij", lambda lib, x: lib.meshgrid(x[0], x[1, :2], indexing="ij")[1], (X,)),
    ("meshgrid_xy", lambda lib, x: lib.meshgrid([x[0], x[1, :2], x[2, :3]], indexing="xy")[0],
     (X,)),
    ("tensor_split", lambda lib, x: lib.tensor_split(x, 3, dim=1)[2], (X,)),
    ("tensor_split_indices", lambda lib, x: x.tensor_split([1, 3], 1)[1], (X,)),
    ("tensor_split_tensor", lambda lib, x: x.tensor_split(lib.tensor([2, 9]))[2], (X,)),
    ("take", lambda lib, x: lib.take(x, lib.tensor([[0, -1], [5, 5]])), (X,)),
    ("diff", lambda lib, x: lib.diff(x, dim=0), (X,)),
    ("diff_n_prepend_append", lambda lib, x: x.diff(2, 1, prepend=x[:, :1], append=x[:, :2]),
     (X,)),
    ("diff_int", lambda lib, x: lib.diff(x), (INTS,)),
    ("diff_bool", lambda lib, x: (x > 0).diff(), (INTS,)),
    ("count_nonzero", lambda lib, x: lib.count_nonzero(x, 1), (INTS,)),
    ("count_nonzero_all", lambda lib, x: x.count_nonzero(), (X,)),
    ("nansum", lambda lib, x, y: lib.nansum(x * y, 1), (ARANGE_NAN, ARANGE_NAN * 0 + 2)),
    ("nansum_int", lambda lib, x: lib.nansum(x), (INTS,)),
    ("nanmean", lambda lib, x: lib.nanmean(x, 1, keepdim=True), (ARANGE_NAN,)),
    ("nanmean_all", lambda lib, x: x.nanmean(), (ARANGE_NAN,)),
    ("cummax", lambda lib, x: lib.cummax(x, 1), (X,)),
    ("cummax_ties_indices", lambda lib, x: lib.cummax((x * 2).round(), 0)[1], (X,)),
    ("cummin", lambda lib, x: x.cummin(0), (X,)),
    ("cummin_ties_indices", lambda lib, x: lib.cummin(x, 1)[1], (INTS,)),
    ("cummax_nan", lambda lib, x: lib.cummax(x, 1)[1], (ARANGE_NAN,)),
    ("kthvalue", lambda lib, x: lib.kthvalue(x, 2, 1), (X,)),
    ("kthvalue_keepdim_indices", lambda lib, x: x.kthvalue(3, 0, True)[1], (X,)),
    ("mode", lambda lib, x: lib.mode(x, 0), (X,)),
    ("mode_ties", lambda lib: lib.mode(lib.tensor([[2, 1, 1, 2, 3], [4, 4, 0, 0, 0]]), 1)[1],
     ()),
    ("index_add", lambda lib, x: lib.index_add(x, 1, lib.tensor([0, 2, 0]), x[:, :3] * 2,
                                               alpha=0.5), (X,)),
    ("index_add_method", lambda lib, x: x.index_add(0, lib.tensor([2, 0]), x[:2]), (X,)),
    ("index_fill", lambda lib, x: lib.index_fill(x, 1, lib.tensor([0, 3]), -1.0), (X,)),
    ("index_fill_negative", lambda lib, x: x.index_fill(0, lib.tensor([-1]), 2), (X,)),
    ("masked_fill_", lambda lib, x: (x * 1).masked_fill_(x > 0, 0.5), (X,)),
    ("index_add_", lambda lib, x: (x * 1).index_add_(1, lib.tensor([1, 1]), x[:, :2]), (X,)),
    ("index_fill_", lambda lib, x: (x * 1).index_fill_(0, lib.tensor([1]), 3.0), (X,)),
    ("scatter_", lambda lib, x, i: (x * 1).scatter_(1, i[:, :1], x[:, 2:3] * 3), (X, INDEX)),
    ("scatter_value_", lambda lib, x, i: (x * 1).scatter_(1, i, value=0.5), (X, INDEX)),
    ("searchsorted", lambda lib, x: lib.searchsorted(lib.tensor([-1.0, 0.0, 1.0]), x), (X,)),
    ("searchsorted_lines", lambda lib, x: lib.searchsorted(
        x.sort(1)[0].detach(), x[:, :2].detach().contiguous(), right=True), (X,)),
    ("searchsorted_side_int32", lambda lib: lib.searchsorted(
        lib.tensor([1, 3, 5]), lib.tensor([[3, 6], [0, 1]]), side="right", out_int32=True), ()),
    ("searchsorted_sorter", lambda lib: lib.searchsorted(
        lib.tensor([5, 1, 3]), lib.tensor([2, 4]), sorter=lib.tensor([1, 2, 0])), ()),
    ("searchsorted_number", lambda lib: lib.searchsorted(lib.tensor([1, 3, 5]), 4), ()),
    ("bucketize", lambda lib, x: lib.bucketize(x, lib.tensor([-0.5, 0.0, 0.5])), (X,)),
    ("bucketize_right", lambda lib, x: lib.bucketize(
        x, lib.tensor([-3, 0, 2, 3], dtype=lib.int32), right=True), (INTS,)),
    ("tril_indices", lambda lib: lib.tril_indices(3, 4, 1), ()),
    ("triu_indices", lambda lib: lib.triu_indices(4, 3, -1), ()),
    ("empty_like", lambda lib, x: lib.empty_like(x).zero_(), (INTS,)),
    ("new_zeros", lambda lib, x: x.new_zeros(2, 3), (X,)),
    ("new_ones_dtype", lambda lib, x: x.new_ones((2,), dtype=lib.float64), (X,)),
    ("new_full", lambda lib, x: x.new_full((2, 2), 1.5), (INTS,)),
    ("new_tensor", lambda lib, x: x.new_tensor([1.5, 2.5]), (INTS,)),
    ("new_empty", lambda lib, x: x.new_empty(3).zero_(), (X64,)),
    ("bernoulli_certain", lambda lib, x: (x > 0).double().bernoulli(), (X,)),
    ("bernoulli_p_tensor", lambda lib, x: lib.zeros(3, 4, dtype=lib.int64).bernoulli_(
        (x > 0).float()), (X,)),
    ("detach_", lambda lib, x: (x * 2).detach_(), (X,)),
]


def _non_finite(x):
    """x with +inf, -inf and NaN in it (gradients flow where it stays finite)."""
    return x.where(x < 1, math.inf).where(x > -1, -math.inf).where(x.abs() > 0.3, math.nan)

_INF = math.inf

MATH_CASES = [
    ("sin", lambda lib, x: lib.sin(x), (X,)),
    ("sin_int", lambda lib, x: lib.sin(x), (INTS,)),
    ("sin_bool", lambda lib, x: (x > 0).sin(), (INTS,)),
    ("cos", lambda lib, x: lib.cos(x), (X,)),
    ("tan", lambda lib, x: lib.tan(x * 0.5), (X,)),
    ("asin", lambda lib, x: lib.asin(x * 0.3), (X,)),
    ("acos", lambda lib, x: x.acos() if lib is mt else x.acos(), (X * 0.3,)),
    ("arcsin_int", lambda lib, x: lib.arcsin(x), (INTS,)),
    ("atan", lambda lib, x: lib.atan(x), (X,)),
    ("atan2", lambda lib, x: lib.atan2(x, x[0] - 0.5), (X,)),
    ("atan2_int", lambda lib, x: lib.atan2(x, x[0]), (INTS,)),
    ("arctan2_origin", lambda lib, x: lib.arctan2(x * 0, x * 0), (X,)),
    ("sinh", lambda lib, x: lib.sinh(x), (X,)),
    ("cosh", lambda lib, x: x.cosh(), (X,)),
    ("asinh", lambda lib, x: lib.asinh(x), (X,)),
    ("acosh", lambda lib, x: lib.acosh(x.abs() + 1.1), (X,)),
    ("acosh_int", lambda lib, x: lib.acosh(x), (INTS,)),
    ("atanh", lambda lib, x: lib.atanh(x * 0.3), (X,)),
    ("expm1", lambda lib, x: lib.expm1(x * 1e-4), (X,)),
    ("expm1_bool", lambda lib, x: lib.expm1(x > 0), (INTS,)),
    ("log1p", lambda lib, x: lib.log1p(x.abs() * 1e-3), (X,)),
    ("log1p_int", lambda lib, x: x.log1p(), (INTS,)),
    ("exp2", lambda lib, x: lib.exp2(x), (X,)),
    ("exp2_int", lambda lib, x: lib.exp2(x), (INTS,)),
    ("reciprocal", lambda lib, x: lib.reciprocal(x), (X,)),
    ("reciprocal_int", lambda lib, x: x.reciprocal(), (INTS,)),
    ("deg2rad", lambda lib, x: lib.deg2rad(x * 90), (X,)),
    ("deg2rad_int", lambda lib, x: lib.deg2rad(x), (INTS,)),
    ("rad2deg", lambda lib, x: lib.rad2deg(x), (X64,)),
    ("rad2deg_bool", lambda lib, x: (x > 0).rad2deg(), (INTS,)),
    ("erfc", lambda lib, x: lib.erfc(x * 3), (X,)),
    ("erfc_large", lambda lib, x: lib.erfc(x.abs() + 5), (X64,)),
    ("erfc_int", lambda lib, x: lib.erfc(x), (INTS,)),
    ("logit", lambda lib, x: lib.logit(x.sigmoid()), (X,)),
    ("logit_eps", lambda lib, x: lib.logit(x.sigmoid(), eps=0.3), (X,)),
    ("logit_edges", lambda lib, x: (x * 0 + lib.tensor([0.0, 1.0, 0.5, 0.9])).logit(), (X,)),
    ("logit_int", lambda lib, x: lib.logit(x.abs() % 2), (INTS,)),
    ("logaddexp", lambda lib, x: lib.logaddexp(x, x[0] * 2), (X,)),
    ("logaddexp_ties", lambda lib, x: lib.logaddexp(x, x), (X,)),
    ("logaddexp_large", lambda lib, x: lib.logaddexp(x * 1000, x * 999), (X64,)),
    ("logaddexp_infinities", lambda lib: lib.logaddexp(lib.tensor([-_INF, _INF, -_INF, 1.0]),
                                                       lib.tensor([-_INF, _INF, 2.0, _INF])),
     ()),
    ("hypot", lambda lib, x: lib.hypot(x, x[0]), (X,)),
    ("hypot_large", lambda lib, x: x.hypot(x * 2) * 1e-30, (X * 1e30,)),
    ("xlogy", lambda lib, x: lib.xlogy(x, x.abs()), (X,)),
    ("xlogy_zeros", lambda lib, x: lib.xlogy(x * (x > 0), x.abs() * (x < 0.5)), (X,)),
    ("xlogy_number", lambda lib, x: lib.xlogy(2, x.abs()), (X,)),
    ("xlogy_int", lambda lib, x: lib.xlogy(x, x.abs()), (INTS,)),
    ("xlogy_nan", lambda lib: lib.xlogy(lib.tensor([0.0, 0.0, 1.0]),
                                        lib.tensor([math.nan, 0.0, math.nan])), ()),
    ("copysign", lambda lib, x: lib.copysign(x, x[0]), (X,)),
    ("copysign_number", lambda lib, x: x.copysign(-1), (X,)),
    ("copysign_zeros", lambda lib, x: lib.copysign(x * (x > 0), -x), (X,)),
    ("copysign_int", lambda lib, x: lib.copysign(x, -x[0]), (INTS,)),
    ("float_power", lambda lib, x: lib.float_power(x, 2), (X,)),
    ("float_power_tensors", lambda lib, x: lib.float_power(x.abs(), x[0]), (X,)),
    ("float_power_int", lambda lib, x: x.float_power(2), (INTS,)),
    ("fmax", lambda lib, x: lib.fmax(x, x[0]), (X,)),
    ("fmax_nan", lambda lib, x: lib.fmax(x.where(x > 0, math.nan), x[0]), (X,)),
    ("fmax_ties", lambda lib, x: lib.fmax(x, x * 1), (X,)),
    ("fmax_int", lambda lib, x: lib.fmax(x, x[0]), (INTS,)),
    ("fmin", lambda lib, x: lib.fmin(x, x[1]), (X,)),
    ("fmin_nan", lambda lib, x: x.fmin(x[1].where(x[1] > 0, math.nan)), (X,)),
    ("neg", lambda lib, x: lib.neg(x), (X,)),
    ("negative_int", lambda lib, x: lib.negative(x), (INTS,)),
    ("sgn", lambda lib, x: lib.sgn(x.detach()), (X,)),
    ("sgn_int", lambda lib, x: x.sgn(), (INTS,)),
    ("sgn_bool", lambda lib, x: lib.sgn(x > 0), (INTS,)),
    ("isnan", lambda lib, x: lib.isnan(_non_finite(x)), (X,)),
    ("isinf", lambda lib, x: lib.isinf(_non_finite(x)), (X,)),
    ("isfinite", lambda lib, x: _non_finite(x).isfinite(), (X,)),
    ("isnan_int", lambda lib, x: lib.isnan(x), (INTS,)),
    ("isfinite_bool", lambda lib, x: lib.isfinite(x > 0), (INTS,)),
    ("signbit", lambda lib, x: lib.signbit(x * (x.abs() > 0.5) * -1), (X,)),
    ("signbit_int", lambda lib, x: x.signbit(), (INTS,)),
    ("nan_to_num", lambda lib, x: lib.nan_to_num(_non_finite(x)), (X,)),
    ("nan_to_num_values", lambda lib, x: _non_finite(x).nan_to_num(1.0, 2.0, neginf=-3.0),
     (X,)),
    ("nan_to_num_float64", lambda lib, x: lib.nan_to_num(_non_finite(x), posinf=5.0), (X64,)),
    ("nan_to_num_int", lambda lib, x: lib.nan_to_num(x), (INTS,)),
    ("sin_in_place", lambda lib, x: (x * 1).sin_(), (X,)),
    ("cos_in_place", lambda lib, x: (x * 1).cos_(), (X,)),
    ("exp_in_place", lambda lib, x: (x * 1).exp_(), (X,)),
    ("log_in_place", lambda lib, x: (x.abs() + 0.1).log_(), (X,)),
    ("sqrt_in_place", lambda lib, x: (x.abs() + 0.1).sqrt_(), (X,)),
    ("abs_in_place", lambda lib, x: (x * 1).abs_(), (X,)),
    ("neg_in_place", lambda lib, x: (x * 1).neg_(), (X,)),
    ("tanh_in_place", lambda lib, x: (x * 1).tanh_(), (X,)),
    ("sigmoid_in_place", lambda lib, x: (x * 1).sigmoid_(), (X,)),
    ("reciprocal_in_place", lambda lib, x: (x * 1).reciprocal_(), (X,)),
    ("pow_in_place", lambda lib, x: (x * 1).pow_(3), (X,)),
    ("pow_in_place_tensor", lambda lib, x: (x.abs() + 1).pow_(x[0]), (X,)),
    ("logit_in_place", lambda lib, x: (x.sigmoid() * 1).logit_(0.3), (X,)),
    ("round_in_place", lambda lib, x: (x * 3).round_(decimals=1), (X,)),
    ("nan_to_num_in_place", lambda lib, x: _non_finite(x).nan_to_num_(posinf=1.0), (X,)),
    ("neg_in_place_int", lambda lib, x: (x * 1).neg_(), (INTS,)),
]
CASES += MATH_CASES


@pytest.mark.parametrize(("name", "fn", "inputs"), CASES, ids=[case[0] for case in CASES])
def test_same_values_dtypes_and_gradients_as_pytorch(name, fn, inputs):
    assert_same_as_torch(torch, fn, inputs)

def test_second_derivatives_of_math_functions_match_pytorch():
    """Formulas on tensors (sin, asin, atan2, ...) and compositions (logaddexp at ties,
    logit, xlogy) differentiated twice."""
    results = []
    for lib in (mt, torch):
        x = lib.tensor(X64 * 0.5, requires_grad=True)
        y = (lib.sin(x) * lib.cos(x) + lib.tan(x) + lib.asin(x) + lib.acos(x) + lib.atan(x)
             + lib.atan2(x, x.flip(0) - 2) + lib.sinh(x) + lib.cosh(x) + lib.asinh(x)
             + lib.acosh(x.abs() + 1.5) + lib.atanh(x) + lib.expm1(x) + lib.log1p(x.abs())
             + lib.erfc(x) + lib.logaddexp(x, x) + lib.logaddexp(x, 0.5 - x)
             + lib.logit(x.sigmoid()) + lib.xlogy(x, x.abs() + 1) + lib.hypot(x, x + 1)
             + lib.exp2(x) + lib.reciprocal(x.abs() + 1))
        (first,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), x)
        results.append(second.detach().numpy())
    np.testing.assert_allclose(*results, rtol=1e-9)


def test_second_derivatives_of_norm_and_prod_match_pytorch():
    """Differentiating the gradient: the norm's formula on tensors, prod's composite."""
    results = []
    for lib in (mt, torch):
        x = lib.tensor(X64, requires_grad=True)
        (first,) = lib.autograd.grad(x.norm(dim=1).sum() + x.prod(1).sum(), x,
                                     create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), x)
        results.append(second.detach().numpy())
    np.testing.assert_allclose(*results, rtol=1e-10)


# ----- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda x: x.gather(1, mt.tensor([[0, 4]])), RuntimeError,
     "index 4 is out of bounds for dimension 1 with size 4"),
    (lambda x: x.gather(1, mt.tensor([[-1]])), RuntimeError, "index -1 is out of bounds"),
    (lambda x: x.gather(1, mt.tensor([0, 1])), RuntimeError, "index has 1 dimensions"),
    (lambda x: x.gather(1, mt.tensor([[0]] * 4)), RuntimeError,
     "longer than the input .* at dimension 0"),
    (lambda x: x.gather(2, mt.tensor([[0]])), IndexError, "dimension out of range"),
    (lambda x: x.gather(0, mt.tensor([[0.5]])), TypeError, "integer index"),
    (lambda x: x.scatter(0, mt.tensor([[3]]), x), RuntimeError, "index 3 is out of bounds"),
    (lambda x: x.scatter_add(0, mt.tensor([[0, 1, 0]]), x[:, :2]), RuntimeError,
     "longer than the input .* and source"),
    (lambda x: x.scatter_add(0, mt.tensor([[0]]), x.double()), RuntimeError,
     "source's dtype"),
    (lambda x: x.index_select(1, mt.tensor([4])), IndexError,
     "index 4 is out of bounds for dimension 1 with size 4"),
    (lambda x: x.index_select(0, mt.tensor([[0]])), IndexError, "0-D or 1-D"),
    (lambda x: x.masked_select(x), TypeError, "bool mask"),
    (lambda x: x.narrow(1, 2, 3), RuntimeError, r"start \(2\) \+ length \(3\) exceeds"),
    (lambda x: x.take_along_dim(mt.tensor([0]), 1), RuntimeError, "dimensions"),
    (lambda x: x.roll((1, 2), 0), RuntimeError, "shifts and dims must align"),
    (lambda x: x.repeat(2), RuntimeError, "at least one per dimension"),
    (lambda x: x.repeat_interleave(mt.tensor([1, 2]), 0), RuntimeError, "one per position"),
    (lambda x: x.reshape(1, 3, 4).diag(), RuntimeError, "1-D or 2-D"),
    (lambda x: x.diagonal(0, 1, -1), RuntimeError, "must differ"),
    (lambda x: x[0].trace(), RuntimeError, "expected a matrix"),
    (lambda x: x.outer(x), RuntimeError, "two 1-D tensors"),
    (lambda x: mt.bmm(x, x), RuntimeError, "two 3-D tensors"),
    (lambda x: mt.bmm(x.reshape(1, 3, 4), x.reshape(1, 3, 4)), RuntimeError, "two 3-D"),
    (lambda x: x.mm(x), RuntimeError, r"two 2-D tensors .* got shapes \(3, 4\) and \(3, 4\)"),
    (lambda x: x.mm(x[0]), RuntimeError, "two 2-D tensors"),
    (lambda x: x.mv(x[:, 0]), RuntimeError, "a 2-D"),
    (lambda x: mt.dot(x[0], x[0, :2]), RuntimeError, "same length"),
    (lambda x: mt.einsum("ij,jk", x), ValueError, "2 operands, got 1 tensors"),
    (lambda x: mt.einsum("ijk", x), ValueError, "operand 0 has 2 dimensions"),
    (lambda x: mt.einsum("ij->k", x), ValueError, "must each appear in an operand"),
    (lambda x: mt.tensordot(x, x, 1), RuntimeError, "differ in length"),
    (lambda x: mt.addmm(x, x, x), ValueError, "MatMul"),
    (lambda x: x.norm("nuc"), ValueError, "'fro'"),
    (lambda x: mt.tensor([1, 2]).norm(), RuntimeError, "floating point"),
    (lambda x: mt.tensor([1, 2]).mean(), RuntimeError, "floating point"),
    (lambda x: mt.tensor([1, 2]).var(), RuntimeError, "floating point"),
    (lambda x: mt.tensor([True]).floor(), TypeError, "bool"),
    (lambda x: mt.tensor([1, 2]).frac(), RuntimeError, "floating point"),
    (lambda x: mt.tensor([1, 2]).remainder(0), RuntimeError, "ZeroDivisionError"),
    (lambda x: x.prod((0, 1)), TypeError, "one dimension"),
    (lambda x: mt.tensor([1, -1]).bincount(), RuntimeError, "non-negative integers"),
    (lambda x: mt.tensor([1, 2]).bincount(mt.tensor([1.0])), RuntimeError, "weights of shape"),
    (lambda x: x[:, :0].median(1), IndexError, "has size 0"),
    (lambda x: mt.tensor([]).median(), RuntimeError, "empty"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(mt.tensor(X))


# ----- errors and warnings of the method forms: the exception types PyTorch raises ------------


@pytest.mark.parametrize(("call", "error"), [
    (lambda lib, x: x.div(2, rounding_mode="round"), RuntimeError),
    (lambda lib, x: lib.divide(x, 2, rounding_mode="TRUNC"), RuntimeError),
    (lambda lib, x: lib.tensor([1]).add(2, alpha=0.5), RuntimeError),
    (lambda lib, x: lib.sub(lib.tensor([1]), lib.tensor([2]), alpha=0.5), RuntimeError),
    (lambda lib, x: lib.transpose(x, 0, 2), IndexError),
    (lambda lib, x: lib.movedim(x, 2, 0), IndexError),
    (lambda lib, x: x.movedim((0, 1), (0,)), RuntimeError),
    (lambda lib, x: x.movedim((0, 0), (0, 1)), RuntimeError),
    (lambda lib, x: x.tensor_split(0), RuntimeError),
    (lambda lib, x: lib.take(x, lib.tensor([12])), IndexError),
    (lambda lib, x: x[0, 0].diff(), RuntimeError),
    (lambda lib, x: x.kthvalue(5, 1), RuntimeError),
    (lambda lib, x: lib.kthvalue(x, 0), RuntimeError),
    (lambda lib, x: lib.nanmean(lib.tensor([1, 2])), RuntimeError),
    (lambda lib, x: x.cummax(2), IndexError),
    (lambda lib, x: lib.mode(x, -3), IndexError),
    (lambda lib, x: lib.meshgrid(x[0], indexing="ab"), RuntimeError),
    (lambda lib, x: lib.meshgrid(x, indexing="ij"), RuntimeError),
    (lambda lib, x: lib.meshgrid(x[0], x[0].double(), indexing="ij"), RuntimeError),
    (lambda lib, x: x.index_add(0, lib.tensor([0]), x), RuntimeError),
    (lambda lib, x: x.index_fill(1, lib.tensor([4]), 0.0), IndexError),
    (lambda lib, x: x.masked_fill_(x > 0, 0.0), RuntimeError),
    (lambda lib, x: x.index_add_(0, lib.tensor([0]), x[:1]), RuntimeError),
    (lambda lib, x: x.index_fill_(0, lib.tensor([0]), 1.0), RuntimeError),
    (lambda lib, x: x.scatter_(0, lib.tensor([[0]]), x), RuntimeError),
    (lambda lib, x: lib.tensor([1.5]).bernoulli(), RuntimeError),
    (lambda lib, x: lib.searchsorted(lib.tensor([1, 2]), lib.tensor([1]), right=True,
                                     side="left"), RuntimeError),
    (lambda lib, x: lib.searchsorted(x, x[:2]), RuntimeError),
    (lambda lib, x: lib.bucketize(x, x), RuntimeError),
    (lambda lib, x: lib.tril_indices(-1, 2), RuntimeError),
    (lambda lib, x: x.stride(2), IndexError),
])
def test_method_form_errors_as_pytorch(call, error):
    for lib in (mt, torch):
        with pytest.raises(error):
            call(lib, lib.tensor(X, requires_grad=True))


def test_method_form_layout_and_warnings_as_pytorch():
    for make in (lambda lib: lib.zeros(2, 3, 4), lambda lib: lib.zeros(2, 3, 4).transpose(0, 2),
                 lambda lib: lib.zeros(2, 3, 4)[:, 1], lambda lib: lib.zeros(3, 1).expand(3, 4),
                 lambda lib: lib.zeros(2, 3).t().contiguous(), lambda lib: lib.tensor(1.5)):
        ours, theirs = make(mt), make(torch)
        assert ours.stride() == theirs.stride() and ours.is_contiguous() == theirs.is_contiguous()
        assert (ours.element_size(), ours.nbytes, ours.itemsize) == (
            theirs.element_size(), theirs.nbytes, theirs.itemsize)
    for lib in (mt, torch):
        with pytest.warns(UserWarning, match="indexing argument"):
            lib.meshgrid(lib.tensor([1, 2]), lib.tensor([3]))
        with pytest.warns(UserWarning, match="sourceTensor.detach"):
            lib.tensor([1]).new_tensor(lib.tensor([2]))


# Calls that PyTorch refuses too, written once for either library.
MATH_ERRORS = [
    ("neg_bool", lambda lib: lib.neg(lib.tensor([True])), "bool"),
    ("negative_bool", lambda lib: lib.tensor([True]).negative(), "bool"),
    ("hypot_int", lambda lib: lib.hypot(lib.tensor([3]), lib.tensor([4])), "floating point"),
    ("logaddexp_int", lambda lib: lib.logaddexp(lib.tensor([3]), lib.tensor([4])),
     "floating point"),
    ("sin_in_place_int", lambda lib: lib.tensor([1, 2]).sin_(), "sin_.*cast"),
    ("reciprocal_in_place_int", lambda lib: lib.tensor([1, 2]).reciprocal_(),
     "reciprocal_.*cast"),
    ("exp_in_place_leaf", lambda lib: lib.tensor([1.0], requires_grad=True).exp_(), "leaf"),
    ("pow_in_place_leaf", lambda lib: lib.tensor([1.0], requires_grad=True).pow_(2), "leaf"),
]


@pytest.mark.parametrize(("name", "call", "match"), MATH_ERRORS,
                         ids=[case[0] for case in MATH_ERRORS])
def test_math_errors_where_pytorch_raises(name, call, match):
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError, match=match):
        call(mt)
