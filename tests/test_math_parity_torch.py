"""The products with an added term (addcmul, addmm's kin), kron, inner, cross, cdist, vander,
the statistics (logcumsumexp, var_mean, aminmax, cov, quantile, histc, trapezoid) and the
element-wise functions of integers and floats (bitwise, gcd, heaviside, frexp, lgamma, ...)
against PyTorch: values, dtypes, result types, gradients and the errors, each case written
once for either library as ``lib``."""

import math

import numpy as np
import pytest
from torch_reference import assert_same_as_torch

import minitorch as mt

torch = pytest.importorskip("torch")

_RNG = np.random.default_rng(0)
X = _RNG.standard_normal((3, 4)).astype(np.float32)
X64 = _RNG.standard_normal((2, 3, 4))
INTS = np.array([[-8, 3, 0, 12], [5, -6, 7, 1]])
TIES = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0]], dtype=np.float32)
NAN = math.nan


# (name, function of (lib, *inputs), inputs): float inputs require grad in both libraries;
# a tuple result is compared element by element.
CASES = [
    # products with an added term
    ("addcmul", lambda lib, x: lib.addcmul(x[0], x, x[:, :1], value=0.5), (X,)),
    ("addcmul_method", lambda lib, x: x.addcmul(x, x), (X,)),
    ("addcmul_int", lambda lib, i: lib.addcmul(i, i, i, value=2), (INTS,)),
    ("addcmul_int_float_value", lambda lib, i: lib.addcmul(i, i, i, value=1.5), (INTS,)),
    ("addcmul_promotes", lambda lib, x, i: lib.addcmul(i, x[:2], i), (X, INTS)),
    ("addcmul_zero_dim", lambda lib, x, y: lib.addcmul(x, x, y[0, 0, 0]), (X, X64)),
    ("addcdiv", lambda lib, x: lib.addcdiv(x, x, x.abs() + 1, value=-2), (X,)),
    ("addcdiv_float64", lambda lib, x, y: x.addcdiv(y[0, :3], x * 2), (X, X64)),
    ("addcmul_", lambda lib, x: (x * 1).addcmul_(x, x[0], value=0.1), (X,)),
    ("addcdiv_", lambda lib, x: (x * 1).addcdiv_(x, x.abs() + 1, value=-0.01), (X,)),
    ("addcmul_int_", lambda lib, i: (i * 1).addcmul_(i, i), (INTS,)),
    ("baddbmm", lambda lib, x: lib.baddbmm(x[0], x.reshape(3, 4, 1), x.reshape(3, 1, 4),
                                           beta=0.5, alpha=2), (X,)),
    ("baddbmm_beta_0_ignores_nan", lambda lib, x: (x[0] * lib.tensor(NAN)).baddbmm(
        x.reshape(3, 4, 1), x.reshape(3, 1, 4), beta=0), (X,)),
    ("addbmm", lambda lib, x: lib.addbmm(x[:2, :2], x.reshape(2, 2, 3), x.reshape(2, 3, 2),
                                         alpha=0.5), (X,)),
    ("addmv", lambda lib, x: lib.addmv(x[0, :3], x[:, :3], x[0, :3], beta=2), (X,)),
    ("addmv_method", lambda lib, x: x[:, 0].addmv(x, x[1]), (X,)),
    ("addmv_int", lambda lib, i: lib.addmv(i[0, :2], i, i[1], beta=2, alpha=3), (INTS,)),
    ("addr", lambda lib, x: lib.addr(x, x[:, 0], x[0], beta=0.5, alpha=-1), (X,)),
    ("addr_promotes", lambda lib, x, i: lib.addr(x[:2].detach(), i[:, 0], x[0].detach()),
     (X, INTS)),
    ("addr_bool", lambda lib, i: lib.addr(i[:1, :2] > 0, i[:, 0] > 0, i[0, :2] > 0), (INTS,)),
    ("addmm_beta_0", lambda lib, x: lib.addmm(x[:, :3] * NAN, x, x.T, beta=0), (X,)),
    ("addmm_", lambda lib, x: (x[:, :3] * 1).addmm_(x, x.T[:, :3], alpha=2), (X,)),
    ("baddbmm_", lambda lib, x: (x.reshape(3, 4, 1) * 1).baddbmm_(
        x.reshape(3, 4, 1), x.reshape(3, 1, 4)[:, :, :1]), (X,)),
    ("addbmm_", lambda lib, x: (x[:2, :2] * 1).addbmm_(x.reshape(2, 2, 3),
                                                        x.reshape(2, 3, 2)), (X,)),
    ("addmv_", lambda lib, x: (x[:, 0] * 1).addmv_(x, x[1], beta=0.5), (X,)),
    ("addr_", lambda lib, x: (x * 1).addr_(x[:, 0], x[0], alpha=2), (X,)),
    # other products
    ("kron", lambda lib, x: lib.kron(x[:2, :2], x), (X,)),
    ("kron_ranks", lambda lib, x, y: lib.kron(x[0], y), (X, X64)),
    ("kron_int_float", lambda lib, i, x: lib.kron(i[0, :2], x), (INTS, X)),
    ("kron_scalar", lambda lib, x: x.kron(x[0, 0]), (X,)),
    ("inner", lambda lib, x: lib.inner(x, x[:2]), (X,)),
    ("inner_batched", lambda lib, y: y.inner(y[0]), (X64,)),
    ("inner_scalar", lambda lib, x: lib.inner(x[0, 0], x), (X,)),
    ("inner_int", lambda lib, i: lib.inner(i, i), (INTS,)),
    ("cross", lambda lib, x: lib.cross(x[:, :3], x[:, 1:], dim=1), (X,)),
    ("cross_method_dim0", lambda lib, x: x[:, :2].cross(x[:, 2:] * 2, 0), (X,)),
    ("cross_broadcast", lambda lib, x: lib.linalg.cross(x[:, 1:], x[:1, :3]), (X,)),
    ("linalg_cross_dim", lambda lib, x: lib.linalg.cross(x[:, :2], x[:, 2:], dim=0), (X,)),
    ("cross_int", lambda lib, i: lib.linalg.cross(i[:, :3], i[:, 1:]), (INTS,)),
    ("cdist", lambda lib, x: lib.cdist(x, x[:2] * 2), (X,)),
    ("cdist_p1", lambda lib, x: lib.cdist(x, x[:2] * 2, p=1), (X,)),
    ("cdist_inf", lambda lib, x: lib.cdist(x, x[:2] * 2, p=math.inf), (X,)),
    ("cdist_p3", lambda lib, x: lib.cdist(x, x[:2] * 2, p=3), (X,)),
    ("cdist_p0", lambda lib, x: lib.cdist(x.detach(), x.detach().round(), p=0), (X,)),
    ("cdist_batched", lambda lib, y: lib.cdist(y, y[:1, :2]), (X64,)),
    ("cdist_zero_distance", lambda lib, t: lib.cdist(t, t[:2]), (TIES,)),
    ("cdist_mm", lambda lib, x: lib.cdist(x.repeat(9, 1), x * 2), (X,)),
    ("cdist_mm_forced", lambda lib, y: lib.cdist(y, y * 2,
                                                 compute_mode="use_mm_for_euclid_dist"),
     (X64,)),
    # (PyTorch's vander fails in backward: the registry checks minitorch's gradient)
    ("vander", lambda lib, x: lib.vander(x[0].detach()), (X,)),
    ("vander_n_increasing", lambda lib, x: lib.vander(x[0].detach(), N=6, increasing=True),
     (X,)),
    ("vander_with_zero", lambda lib, x: lib.vander(x[0].detach() * (x[0] > 0), 3), (X,)),
    ("vander_int", lambda lib, i: lib.vander(i[0].int()), (INTS,)),
    ("vander_bool", lambda lib, i: lib.vander(i[0] > 0, 2), (INTS,)),
    ("vander_no_columns", lambda lib, x: lib.vander(x[0].detach(), N=0), (X,)),
    # statistics
    ("logcumsumexp", lambda lib, x: lib.logcumsumexp(x * 30, 1), (X,)),
    ("logcumsumexp_dim0", lambda lib, y: y.logcumsumexp(0), (X64,)),
    ("logcumsumexp_0d", lambda lib, x: x[0, 0].logcumsumexp(0), (X,)),
    ("logcumsumexp_inf", lambda lib: lib.logcumsumexp(lib.tensor([-math.inf, 0, math.inf]), 0),
     ()),
    ("var_mean", lambda lib, x: lib.var_mean(x, 1), (X,)),
    ("var_mean_all", lambda lib, x: lib.var_mean(x), (X,)),
    ("var_mean_unbiased", lambda lib, y: lib.var_mean(y, (0, 2), False, True), (X64,)),
    ("std_mean", lambda lib, x: lib.std_mean(x, dim=0, correction=0, keepdim=True), (X,)),
    ("std_mean_positional", lambda lib, x: lib.std_mean(x, 1, True), (X,)),
    ("aminmax", lambda lib, x: lib.aminmax(x), (X,)),
    ("aminmax_dim", lambda lib, y: y.aminmax(dim=1, keepdim=True), (X64,)),
    ("aminmax_int", lambda lib, i: lib.aminmax(i, dim=-1), (INTS,)),
    ("aminmax_0d", lambda lib, x: lib.aminmax(x[0, 0], dim=0), (X,)),
    ("cov", lambda lib, x: lib.cov(x), (X,)),
    ("cov_vector", lambda lib, x: x[0].cov(correction=0), (X,)),
    ("cov_int", lambda lib, i: lib.cov(i), (INTS,)),
    ("cov_fweights", lambda lib, x: lib.cov(x, fweights=lib.tensor([1, 2, 0, 3])), (X,)),
    ("cov_aweights", lambda lib, x, y: lib.cov(x, aweights=y[0, 0].abs()), (X, X64)),
    ("cov_both_weights", lambda lib, x: lib.cov(x, correction=2, fweights=lib.tensor(
        [1, 2, 1, 3]), aweights=x[0].abs() + 0.5), (X,)),
    ("corrcoef", lambda lib, x: lib.corrcoef(x), (X,)),
    ("corrcoef_int", lambda lib, i: i.corrcoef(), (INTS,)),
    ("corrcoef_vector", lambda lib, x: lib.corrcoef(x[0]), (X,)),
    ("quantile", lambda lib, x: lib.quantile(x, 0.3), (X,)),
    ("quantile_dim", lambda lib, x: x.quantile(lib.tensor([0.0, 0.25, 0.7, 1.0]), 1), (X,)),
    ("quantile_keepdim", lambda lib, y: lib.quantile(y, lib.tensor([0.1, 0.9],
                                                                   dtype=lib.float64), 1,
                                                     keepdim=True), (X64,)),
    ("quantile_keepdim_all", lambda lib, y: lib.quantile(y, 0.4, keepdim=True), (X64,)),
    ("quantile_nan", lambda lib, x: lib.quantile(x.where(x > 1, NAN), 0.5, 1), (X,)),
    ("quantile_0d_q", lambda lib, x: lib.quantile(x[0], lib.tensor(0.6)), (X,)),
    ("quantile_0d", lambda lib, x: lib.quantile(x[0, 0], 0.5, 0), (X,)),
    ("nanquantile", lambda lib, x: lib.nanquantile(x.where(x < 1, NAN), lib.tensor([0.2, 0.5]),
                                                   1), (X,)),
    ("nanquantile_all_nan", lambda lib, x: x.where(x > 5, NAN).nanquantile(0.5, 0), (X,)),
    *[(f"quantile_{mode}", lambda lib, x, mode=mode: lib.quantile(
        x, lib.tensor([0.1, 0.125, 0.375, 0.5, 0.625, 0.9]), 0, interpolation=mode), (X,))
      for mode in ("lower", "higher", "midpoint", "nearest")],
    ("nanquantile_nearest", lambda lib, x: lib.nanquantile(
        x.where(x < 1, NAN), 0.5, 1, interpolation="nearest"), (X,)),
    ("histc", lambda lib, x: lib.histc(x, 7), (X,)),
    ("histc_range", lambda lib, y: y.histc(bins=5, min=-1, max=1), (X64,)),
    ("histc_one_value", lambda lib: lib.histc(lib.tensor([2.0, 2.0]), bins=4), ()),
    ("histc_empty", lambda lib: lib.histc(lib.tensor([]), bins=2), ()),
    ("trapezoid", lambda lib, x: lib.trapezoid(x), (X,)),
    ("trapezoid_dx", lambda lib, y: lib.trapezoid(y, dx=0.5, dim=1), (X64,)),
    ("trapezoid_x", lambda lib, x: lib.trapezoid(x, lib.tensor([0.0, 1, 3, 4])), (X,)),
    ("trapezoid_x_grad", lambda lib, x: lib.trapezoid(x[:, :3], x[0, :3].cumsum(0), dim=-1),
     (X,)),
    ("trapezoid_x_broadcast", lambda lib, y: lib.trapezoid(y, y[:1].abs().cumsum(1), dim=1),
     (X64,)),
    ("trapezoid_int", lambda lib, i: lib.trapezoid(i, lib.tensor([0, 1, 3, 4])), (INTS,)),
    ("trapezoid_float64_x", lambda lib, x: lib.trapezoid(x, dim=0, x=lib.tensor(
        [0.0, 0.5, 2.0], dtype=lib.float64)), (X,)),
    ("trapezoid_one_point", lambda lib, x: lib.trapezoid(x[:, :1]), (X,)),
    ("trapz", lambda lib, x: lib.trapz(x, lib.tensor([0.0, 1, 3, 4])), (X,)),
    ("trapz_dx", lambda lib, x: lib.trapz(x, dx=2.0, dim=0), (X,)),
    ("cumulative_trapezoid", lambda lib, x: lib.cumulative_trapezoid(x, dx=0.5), (X,)),
    # element-wise functions of integers and floats
    ("heaviside", lambda lib, x: lib.heaviside(x.detach().round(), lib.tensor([0.5])), (X,)),
    ("heaviside_int", lambda lib, i: i.heaviside(i[1:]), (INTS,)),
    ("heaviside_nan", lambda lib: lib.heaviside(lib.tensor([NAN, -0.0]), lib.tensor(3.0)), ()),
    ("sinc", lambda lib, x: lib.sinc(x * 2), (X,)),
    ("sinc_zero", lambda lib, x: (x * 0).sinc(), (X,)),
    ("sinc_int", lambda lib, i: lib.sinc(i), (INTS,)),
    ("gcd", lambda lib, i: lib.gcd(i, i[:1].flip(1)), (INTS,)),
    ("gcd_int32", lambda lib, i: i.int().gcd(i), (INTS,)),
    ("lcm", lambda lib, i: lib.lcm(i, i[1]), (INTS,)),
    ("bitwise_and", lambda lib, i: lib.bitwise_and(i, 6), (INTS,)),
    ("bitwise_or", lambda lib, i: lib.bitwise_or(i, i.flip(0)), (INTS,)),
    ("bitwise_xor_bool", lambda lib, i: lib.bitwise_xor(i > 0, True), (INTS,)),
    ("bitwise_xor_bool_int", lambda lib, i: lib.bitwise_xor(i > 0, i), (INTS,)),
    ("bitwise_not", lambda lib, i: lib.bitwise_not(i), (INTS,)),
    ("bitwise_not_bool", lambda lib, i: (i > 0).bitwise_not(), (INTS,)),
    ("and_operator_number", lambda lib, i: 3 & i, (INTS,)),
    ("or_operator", lambda lib, i: i.int() | i[0].to(lib.int16), (INTS,)),
    ("left_shift", lambda lib, i: i << 2, (INTS,)),
    ("left_shift_out", lambda lib, i: i << lib.tensor([-1, 63, 64, 70]), (INTS,)),
    ("right_shift_out", lambda lib, i: i >> lib.tensor([-1, 63, 64, 70]), (INTS,)),
    ("right_shift_int32", lambda lib, i: lib.bitwise_right_shift(i.int(), 33), (INTS,)),
    ("left_shift_wraps", lambda lib, i: i.to(lib.int8) << 7, (INTS,)),
    ("left_shift_uint8", lambda lib, i: i.abs().to(lib.uint8) << 5, (INTS,)),
    ("reflected_shift", lambda lib, i: 2 << i.abs(), (INTS,)),
    ("shift_function_number", lambda lib, i: lib.bitwise_left_shift(3, i.abs()), (INTS,)),
    ("frexp", lambda lib, x: lib.frexp(x * 100), (X,)),
    ("frexp_specials", lambda lib: lib.frexp(lib.tensor([0.0, -0.0, math.inf, NAN, 1e-40,
                                                         -3.0])), ()),
    ("frexp_float64", lambda lib, y: y.frexp(), (X64,)),
    ("ldexp", lambda lib, x, i: lib.ldexp(x[:2], i % 5), (X, INTS)),
    ("ldexp_int", lambda lib, i: i.ldexp(lib.tensor([2])), (INTS,)),
    ("ldexp_float_exponent", lambda lib, x: lib.ldexp(x, x[0]), (X,)),
    ("ldexp_float64", lambda lib, y, i: lib.ldexp(y[0, :2], i % 5), (X64, INTS)),
    ("lgamma", lambda lib, x: lib.lgamma(x * 3), (X,)),
    ("lgamma_poles", lambda lib: lib.lgamma(lib.tensor([0.0, -1.0, -2.5, 1e-30, math.inf,
                                                        -math.inf])), ()),
    ("lgamma_int", lambda lib, i: i.lgamma(), (INTS,)),
    ("digamma", lambda lib, y: lib.digamma(y * 3), (X64,)),
    ("digamma_poles", lambda lib: lib.digamma(lib.tensor([0.0, -0.0, -1.0, -1.5, 1.0])), ()),
    ("polygamma", lambda lib, x: lib.polygamma(2, x.abs() + 0.5), (X,)),
    ("polygamma_method", lambda lib, y: (y.abs() + 0.1).polygamma(1), (X64,)),
    ("erfinv", lambda lib, x: lib.erfinv(x.tanh()), (X,)),
    ("erfinv_edges", lambda lib: lib.erfinv(lib.tensor([-1.0, 1.0, 2.0, -0.0, 0.999999])), ()),
    ("erfinv_int", lambda lib, i: lib.erfinv(i % 2), (INTS,)),
    ("lgamma_", lambda lib, x: (x.abs() + 1).lgamma_(), (X,)),
    ("digamma_", lambda lib, x: (x.abs() + 1).digamma_(), (X,)),
    ("erfinv_", lambda lib, x: (x.tanh() * 1).erfinv_(), (X,)),
    ("polygamma_", lambda lib, x: (x.abs() + 1).polygamma_(1), (X,)),
    ("sinc_", lambda lib, x: (x * 1).sinc_(), (X,)),
    ("ldexp_", lambda lib, x, i: (x[:2] * 1).ldexp_(i % 3), (X, INTS)),
    ("heaviside_", lambda lib, i: (i * 1).heaviside_(i[0]), (INTS,)),
    ("gcd_", lambda lib, i: (i * 1).gcd_(i[1]), (INTS,)),
    ("lcm_", lambda lib, i: (i * 1).lcm_(i[1]), (INTS,)),
    ("bitwise_and_", lambda lib, i: (i * 1).bitwise_and_(5), (INTS,)),
    ("bitwise_not_", lambda lib, i: (i > 0).bitwise_not_(), (INTS,)),
    ("bitwise_left_shift_", lambda lib, i: (i * 1).bitwise_left_shift_(3), (INTS,)),
    ("ixor", lambda lib, i: _ixor(i * 1, i[1]), (INTS,)),
    ("irshift", lambda lib, i: _irshift(i * 1, 1), (INTS,)),
]


def _ixor(t, other):
    t ^= other
    return t


def _irshift(t, other):
    t >>= other
    return t


@pytest.mark.parametrize(("name", "fn", "inputs"), CASES, ids=[case[0] for case in CASES])
def test_same_values_dtypes_and_gradients_as_pytorch(name, fn, inputs):
    assert_same_as_torch(torch, fn, inputs, grad_atol=1e-5)

def test_second_derivatives_match_pytorch():
    """Formulas on tensors (lgamma through polygamma, erfinv, logcumsumexp's composite) and
    compositions (sinc, quantile, cov, addcdiv, kron) differentiated twice."""
    results = []
    for lib in (mt, torch):
        x = lib.tensor(X64[0] * 0.5, requires_grad=True)
        y = (lib.lgamma(x + 2).sum() + lib.digamma(x + 2).sum() + lib.erfinv(x * 0.5).sum()
             + lib.logcumsumexp(x, 1).sum() + lib.sinc(x).sum()
             + lib.quantile(x, 0.3, 1).sum() + lib.cov(x).sum()
             + lib.addcdiv(x, x, x * x + 1).sum() + lib.kron(x, x[0]).sum())
        (first,) = lib.autograd.grad(y, x, create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), x)
        results.append(second.detach().numpy())
    np.testing.assert_allclose(*results, rtol=1e-6)


def test_the_cross_product_without_dim_warns_as_pytorch():
    for lib in (mt, torch):
        with pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
            out = lib.cross(lib.ones(2, 3), lib.ones(2, 3))
        assert out.shape == (2, 3)


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1.0]).std(),
    lambda lib: lib.tensor([1.0]).var(),
    lambda lib: lib.tensor(2.0).var(0),
    lambda lib: lib.zeros(0).std(),
    lambda lib: lib.zeros(2, 0).std(1),
    lambda lib: lib.zeros(2, 0).var(0),
    lambda lib: lib.zeros(2, 3).std(1, correction=5),
    lambda lib: lib.tensor([1.0, 2.0]).var(correction=2),
    lambda lib: lib.std_mean(lib.tensor([1.0]))[0],
])
def test_var_and_std_with_no_degrees_of_freedom_warn_and_divide_by_zero_as_pytorch(call):
    results = []
    for lib in (mt, torch):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            results.append(call(lib))
    assert_same_as_torch(torch, lambda lib: results[lib is torch], ())


@pytest.mark.parametrize("call", [
    lambda lib, x: x.std(),
    lambda lib, x: x.std(1),
    lambda lib, x: x.std(0, correction=0),
    lambda lib, x: x.var(1),
])
def test_std_of_constant_values_has_a_zero_gradient_as_pytorch(call):
    assert_same_as_torch(torch, call, (np.ones((2, 3), dtype=np.float32),))


def test_cov_with_no_degrees_of_freedom_warns_and_divides_by_zero_as_pytorch():
    results = []
    for lib in (mt, torch):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            results.append(lib.cov(lib.tensor([[1.0, 2.0, 4.0]]), correction=3).item())
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            assert math.isnan(lib.cov(lib.tensor([[1.0], [2.0]])).sum().item())
    assert results == [math.inf, math.inf]


def test_optimizer_steps_written_with_addcmul_and_addcdiv_match_pytorch():
    """An Adam step by hand, as users write one: the moments updated in place with mul_,
    addcmul_ and the parameter with addcdiv_ on .data."""
    results = []
    for lib in (mt, torch):
        p = lib.tensor(X, requires_grad=True)
        m, v = lib.zeros_like(p), lib.zeros_like(p)
        for step in range(1, 4):
            p.grad = None
            (p * p * p).sum().backward()
            m.mul_(0.9).add_(p.grad, alpha=0.1)
            v.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
            denominator = (v / (1 - 0.999**step)).sqrt().add_(1e-8)
            p.data.addcdiv_(m, denominator, value=-0.01 / (1 - 0.9**step))
        results.append(p.detach().numpy().copy())
    np.testing.assert_allclose(*results, rtol=1e-6)


# ----- errors: the exception PyTorch raises, and a message naming what was wrong ---------------


ERRORS = [
    ("addcdiv_integers", lambda lib, x: lib.addcdiv(x, x.long(), x.long()), RuntimeError,
     "Integer division"),
    ("addcmul_in_place_shape", lambda lib, x: (x[0] * 1).addcmul_(x, x), RuntimeError,
     "shape"),
    ("addcmul_in_place_dtype", lambda lib, x: x.long().addcmul_(x, x), RuntimeError, "cast"),
    ("addcmul_leaf", lambda lib, x: x.addcmul_(x, x), RuntimeError, "leaf"),
    ("baddbmm_dtypes", lambda lib, x: lib.baddbmm(x, x.reshape(1, 3, 4), x.double().reshape(
        1, 4, 3)), RuntimeError, "same dtype"),
    ("baddbmm_batches", lambda lib, x: lib.baddbmm(x, x.reshape(1, 3, 4), x.reshape(2, 3, 2)),
     RuntimeError, None),
    ("addmv_sizes", lambda lib, x: lib.addmv(x[:, 0], x, x[0, :3]), RuntimeError, None),
    ("addmv_dtypes", lambda lib, x: lib.addmv(x[:, 0].double(), x, x[0]), RuntimeError,
     "same dtype"),
    ("addmv_input_shape", lambda lib, x: lib.addmv(x[0], x, x[0]), RuntimeError, "broadcast"),
    ("addr_vectors", lambda lib, x: lib.addr(x, x, x[0]), RuntimeError, "1-D"),
    ("addr_float_beta", lambda lib, x: lib.addr(x.long(), x[:, 0].long(), x[0].long(),
                                                 beta=0.5), RuntimeError, "beta"),
    ("inner_last_dims", lambda lib, x: lib.inner(x, x.T), RuntimeError, "last dimension"),
    ("inner_dtypes", lambda lib, x: lib.inner(x, x.double()), RuntimeError, "dtype"),
    ("cross_length", lambda lib, x: lib.linalg.cross(x, x), RuntimeError, "length 3"),
    ("cross_dim_length", lambda lib, x: lib.cross(x, x, dim=1), RuntimeError, "length 3"),
    ("cross_dtypes", lambda lib, x: lib.linalg.cross(x[:, :3], x[:, :3].double()),
     RuntimeError, "dtype"),
    ("cross_broadcast", lambda lib, x: lib.linalg.cross(x[:2, :3], x[:, :3]), RuntimeError,
     None),
    ("cross_dim_range", lambda lib, x: lib.linalg.cross(x[:, :3], x[:, :3], dim=2),
     IndexError, "out of range"),
    ("cdist_int", lambda lib, x: lib.cdist(x.long(), x.long()), RuntimeError, "floating"),
    ("cdist_vector", lambda lib, x: lib.cdist(x[0], x), RuntimeError, "2D"),
    ("cdist_columns", lambda lib, x: lib.cdist(x, x[:, :2]), RuntimeError, "columns"),
    ("cdist_negative_p", lambda lib, x: lib.cdist(x, x, p=-1), RuntimeError, "non-negative"),
    ("vander_matrix", lambda lib, x: lib.vander(x), RuntimeError, "one-dimensional"),
    ("vander_negative_n", lambda lib, x: lib.vander(x[0], N=-1), RuntimeError, "non-negative"),
    ("logcumsumexp_int", lambda lib, x: lib.logcumsumexp(x.long(), 0), RuntimeError, None),
    ("logcumsumexp_dim", lambda lib, x: lib.logcumsumexp(x, 2), IndexError, "out of range"),
    ("var_mean_int", lambda lib, x: lib.var_mean(x.long()), RuntimeError, "floating point"),
    ("aminmax_empty", lambda lib, x: lib.aminmax(x[:, :0], dim=1), IndexError, "size 0"),
    ("cov_rank", lambda lib, x: lib.cov(x.reshape(1, 3, 4)), RuntimeError, "two or fewer"),
    ("cov_float_fweights", lambda lib, x: lib.cov(x, fweights=x[0]), RuntimeError, "integral"),
    ("cov_negative_fweights", lambda lib, x: lib.cov(x, fweights=lib.tensor([1, -1, 1, 1])),
     RuntimeError, "negative"),
    ("cov_int_aweights", lambda lib, x: lib.cov(x, aweights=lib.tensor([1, 1, 1, 1])),
     RuntimeError, "floating point"),
    ("cov_weights_length", lambda lib, x: lib.cov(x, aweights=x[0, :3].abs()), RuntimeError,
     "observation"),
    ("quantile_int", lambda lib, x: lib.quantile(x.long(), 0.5), RuntimeError, "float"),
    ("quantile_range", lambda lib, x: lib.quantile(x, 1.5), RuntimeError, r"\[0, 1\]"),
    ("quantile_q_rank", lambda lib, x: lib.quantile(x, x[:1, :1]), RuntimeError, "1D"),
    ("quantile_q_dtype", lambda lib, x: lib.quantile(x, x[0, :1].double()), RuntimeError,
     "same dtype"),
    ("quantile_interpolation", lambda lib, x: lib.quantile(x, 0.5, interpolation="cubic"),
     RuntimeError, "interpolation"),
    ("quantile_empty", lambda lib, x: lib.quantile(x[:0], 0.5), RuntimeError, "non-empty"),
    ("quantile_list", lambda lib, x: lib.quantile(x, [0.5]), TypeError, None),
    ("histc_int", lambda lib, x: lib.histc(x.long()), NotImplementedError, None),
    ("histc_bins", lambda lib, x: lib.histc(x, 0), RuntimeError, "bins"),
    ("histc_min_max", lambda lib, x: lib.histc(x, 3, 5, 1), RuntimeError, "larger"),
    ("histc_nan", lambda lib, x: lib.histc(x * NAN, 3), RuntimeError, "not finite"),
    ("trapezoid_x_length", lambda lib, x: lib.trapezoid(x, lib.tensor([0.0, 1.0])),
     RuntimeError, "one `x` value"),
    ("trapezoid_0d", lambda lib, x: lib.trapezoid(x[0, 0]), IndexError, None),
    ("trapezoid_x_and_dx", lambda lib, x: lib.trapezoid(x, x=x[0], dx=2), TypeError, None),
    ("heaviside_dtypes", lambda lib, x: lib.heaviside(x, x.double()), RuntimeError, "dtype"),
    ("gcd_float", lambda lib, x: lib.gcd(x, x), NotImplementedError, "integer"),
    ("gcd_bool", lambda lib, x: lib.gcd(x > 0, x > 0), NotImplementedError, "integer"),
    ("bitwise_and_float", lambda lib, x: lib.bitwise_and(x, x), NotImplementedError,
     "integer or bool"),
    ("and_operator_float", lambda lib, x: x.detach() & x.detach(), NotImplementedError, None),
    ("and_float_number", lambda lib, x: x.long() & 1.5, NotImplementedError, None),
    ("bitwise_not_float", lambda lib, x: lib.bitwise_not(x), NotImplementedError, None),
    ("invert_float", lambda lib, x: ~x.detach(), TypeError, None),
    ("shift_float", lambda lib, x: x.detach() << 1, NotImplementedError, None),
    ("shift_bool", lambda lib, x: (x > 0) << (x > 0), NotImplementedError, "integer"),
    ("frexp_int", lambda lib, x: lib.frexp(x.long()), RuntimeError, "floating-point"),
    ("polygamma_negative", lambda lib, x: lib.polygamma(-1, x), RuntimeError, "n"),
]


@pytest.mark.parametrize(("name", "call", "error", "match"), ERRORS,
                         ids=[case[0] for case in ERRORS])
def test_errors_as_pytorch(name, call, error, match):
    with pytest.raises(error):
        call(torch, torch.tensor(X, requires_grad=True))
    with pytest.raises(error, match=match):
        call(mt, mt.tensor(X, requires_grad=True))
