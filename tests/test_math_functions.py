"""The products with an added term, the statistics and the integer and special functions
without PyTorch: values worked out by hand, dtypes, the in-place forms (addcmul_ in an
optimizer step, the bitwise operators) and the errors. tests/op_registry.py checks the
differentiable ones against NumPy and finite differences, and tests/test_math_parity_torch.py
everything against PyTorch."""

import math

import numpy as np
import pytest

import minitorch as mt


def test_addcmul_and_addcdiv_in_place_as_an_optimizer_uses_them():
    p = mt.tensor([1.0, 2.0], requires_grad=True)
    grad, square_avg = mt.tensor([0.5, -1.0]), mt.zeros(2)
    square_avg.mul_(0.9).addcmul_(grad, grad, value=0.1)
    memory = p._data
    with mt.no_grad():
        assert p.addcdiv_(grad, square_avg.sqrt() + 1, value=-0.1) is p
    assert p._data is memory and p.is_leaf and p.requires_grad
    np.testing.assert_allclose(square_avg.numpy(), [0.025, 0.1])
    np.testing.assert_allclose(p.detach().numpy(), [1 - 0.05 / (0.025**0.5 + 1),
                                                    2 + 0.1 / (0.1**0.5 + 1)], rtol=1e-6)


def test_in_place_addcmul_records_both_operands():
    x = mt.tensor([1.0, 2.0])
    a, b = mt.tensor([3.0, 4.0]), mt.tensor([5.0, 6.0], requires_grad=True)
    y = x.clone().addcmul_(a, b, value=2)
    y.sum().backward()
    assert y.tolist() == [31.0, 50.0] and b.grad.tolist() == [6.0, 8.0]


def test_addcmul_converts_value_to_the_dtype_and_addcdiv_refuses_integers():
    ints = mt.tensor([1, 2, 3])
    assert mt.addcmul(ints, ints, ints, value=2).tolist() == [3, 10, 21]
    assert mt.addcmul(ints, ints, ints, value=0.5).tolist() == [1, 2, 3]  # 0.5 -> 0
    assert mt.addcdiv(ints, ints.float(), ints).dtype == mt.float32
    with pytest.raises(RuntimeError, match="Integer division"):
        mt.addcdiv(ints.float(), ints, ints)


def test_matrix_products_with_an_added_term():
    m, v = mt.tensor([[1.0, 2.0], [3.0, 4.0]]), mt.tensor([1.0, -1.0])
    assert mt.addmv(v, m, v, beta=2, alpha=3).tolist() == [-1.0, -5.0]
    assert mt.addr(m, v, v, beta=0.5).tolist() == [[1.5, 0.0], [0.5, 3.0]]
    batch = m.reshape(1, 2, 2)
    assert mt.baddbmm(m, batch, batch).tolist() == [[[8.0, 12.0], [18.0, 26.0]]]
    twice = batch.expand(2, 2, 2)
    assert mt.addbmm(v, twice, twice).tolist() == [[15.0, 19.0], [31.0, 43.0]]
    assert mt.addr(mt.tensor([[True]]), mt.tensor([True, False]), mt.tensor([False]),
                   beta=False).tolist() == [[False], [False]]


def test_beta_zero_ignores_the_input_but_keeps_it_in_the_graph():
    base = mt.tensor([math.nan, math.inf], requires_grad=True)
    m = mt.tensor([[1.0, 0.0], [0.0, 1.0]])
    out = mt.addmv(base, m, mt.tensor([2.0, 3.0]), beta=0)
    out.sum().backward()
    assert out.tolist() == [2.0, 3.0] and base.grad.tolist() == [0.0, 0.0]
    assert mt.addmm(base.detach(), m, m, beta=0).tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_in_place_matrix_products():
    m = mt.tensor([[1.0, 2.0], [3.0, 4.0]])
    out = mt.ones(2)
    assert out.addmv_(m, mt.tensor([1.0, 1.0]), beta=2) is out and out.tolist() == [5.0, 9.0]
    out = mt.zeros(2, 2)
    assert out.addr_(mt.tensor([1.0, 2.0]), mt.tensor([3.0, 4.0])).tolist() == [[3.0, 4.0],
                                                                               [6.0, 8.0]]
    assert mt.zeros(2, 2).addmm_(m, m).tolist() == [[7.0, 10.0], [15.0, 22.0]]


def test_kron_inner_cross_and_vander():
    assert mt.kron(mt.tensor([1, 2]), mt.tensor([[1, 10]])).tolist() == [[1, 10, 2, 20]]
    assert mt.inner(mt.tensor([[1, 2], [3, 4]]), mt.tensor([1, 1])).tolist() == [3, 7]
    assert mt.inner(mt.tensor(2.0), mt.tensor([1.0, 3.0])).tolist() == [2.0, 6.0]
    e1, e2 = mt.tensor([1.0, 0.0, 0.0]), mt.tensor([0.0, 1.0, 0.0])
    assert mt.linalg.cross(e1, e2).tolist() == [0.0, 0.0, 1.0]
    assert e2.cross(e1, dim=0).tolist() == [0.0, 0.0, -1.0]
    assert mt.vander(mt.tensor([2, 3]), 3).tolist() == [[4, 2, 1], [9, 3, 1]]
    assert mt.vander(mt.tensor([2, 3]), 3).dtype == mt.int64
    assert mt.vander(mt.tensor([2.0]), increasing=True).tolist() == [[1.0]]


def test_cdist_norms_and_the_matrix_product_form():
    a, b = mt.tensor([[0.0, 0.0], [3.0, 4.0]]), mt.tensor([[0.0, 0.0]])
    assert mt.cdist(a, b).tolist() == [[0.0], [5.0]]
    assert mt.cdist(a, b, p=1).tolist() == [[0.0], [7.0]]
    assert mt.cdist(a, b, p=math.inf).tolist() == [[0.0], [4.0]]
    assert mt.cdist(a, b, p=0).tolist() == [[0.0], [2.0]]
    mm = mt.cdist(a, b, compute_mode="use_mm_for_euclid_dist")
    np.testing.assert_allclose(mm.numpy(), [[1e-15], [5.0]], rtol=1e-6)
    with pytest.raises(ValueError, match="compute_mode"):
        mt.cdist(a, b, compute_mode="fast")


def test_statistics_values():
    x = mt.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]])
    var, mean = mt.var_mean(x, 1)
    assert type(mt.var_mean(x)) is tuple
    np.testing.assert_allclose(var.numpy(), [13 / 3, 7 / 3], rtol=1e-6)
    assert mean.tolist() == pytest.approx([8 / 3, 13 / 3])
    std, _ = mt.std_mean(x, 1, correction=0)
    np.testing.assert_allclose(std.numpy(), np.std(x.numpy(), 1), rtol=1e-6)
    low, high = mt.aminmax(x, dim=0)
    assert (low.tolist(), high.tolist()) == ([1.0, 3.0, 2.0], [4.0, 5.0, 6.0])
    assert x.aminmax()._fields == ("min", "max")
    np.testing.assert_allclose(mt.cov(x).numpy(), np.cov(x.numpy()), rtol=1e-6)
    np.testing.assert_allclose(mt.corrcoef(x).numpy(), np.corrcoef(x.numpy()), rtol=1e-6)
    assert mt.cov(mt.tensor([1, 2, 3])).dtype == mt.float32
    np.testing.assert_allclose(mt.logcumsumexp(mt.tensor([1000.0, 1000.0]), 0).numpy(),
                               [1000.0, 1000.0 + math.log(2)])


def test_quantile_interpolations():
    x = mt.tensor([0.0, 1.0, 2.0, 3.0, 4.0])
    q = mt.tensor([0.125, 0.375, 0.625])  # ranks 0.5, 1.5, 2.5
    assert mt.quantile(x, q).tolist() == [0.5, 1.5, 2.5]
    assert mt.quantile(x, q, interpolation="lower").tolist() == [0.0, 1.0, 2.0]
    assert mt.quantile(x, q, interpolation="higher").tolist() == [1.0, 2.0, 3.0]
    assert mt.quantile(x, q, interpolation="midpoint").tolist() == [0.5, 1.5, 2.5]
    assert mt.quantile(x, q, interpolation="nearest").tolist() == [0.0, 2.0, 2.0]  # to even
    with_nan = mt.tensor([[1.0, math.nan, 3.0], [1.0, 2.0, 3.0]])
    assert mt.quantile(with_nan, 0.5, 1).isnan().tolist() == [True, False]
    assert mt.nanquantile(with_nan, 0.5, 1).tolist() == [2.0, 2.0]
    assert mt.quantile(with_nan, mt.tensor([0.0, 1.0]), 1, keepdim=True).shape == (2, 2, 1)


def test_histc_and_trapezoid():
    x = mt.tensor([1.0, 2.0, 1.0, 7.0, 9.0])
    assert mt.histc(x, bins=4, min=0, max=8).tolist() == [2.0, 1.0, 0.0, 1.0]  # 9 left out
    assert x.histc(2).tolist() == [3.0, 2.0]  # from the smallest to the largest value
    y = mt.tensor([[1, 3, 5], [0, 0, 2]])
    assert mt.trapezoid(y).tolist() == [6.0, 1.0]
    assert mt.trapz(y, mt.tensor([0, 1, 3])).tolist() == [10.0, 2.0]
    assert mt.trapezoid(y, dx=0.5, dim=0).tolist() == [0.25, 0.75, 1.75]
    assert mt.cumulative_trapezoid(y).tolist() == [[2.0, 6.0], [0.0, 1.0]]


def test_bitwise_functions_and_operators():
    a, b = mt.tensor([12, -5, 0]), mt.tensor([10, 3, 7])
    assert (a & b).tolist() == [8, 3, 0] and mt.bitwise_or(a, b).tolist() == [14, -5, 7]
    assert (a ^ b).tolist() == [6, -8, 7] and (~a).tolist() == [-13, 4, -1]
    assert (a << 2).tolist() == [48, -20, 0] and (a >> 1).tolist() == [6, -3, 0]
    assert (1 << b).tolist() == [1024, 8, 128]
    assert (a >> mt.tensor([64, 64, -1])).tolist() == [0, -1, 0]  # all bits shifted out
    assert (mt.tensor([1], dtype=mt.int8) << 7).tolist() == [-128]  # wraps around
    flags = mt.tensor([True, False])
    assert (flags ^ True).tolist() == [False, True] and (flags | 0).dtype == mt.int64
    with pytest.raises(NotImplementedError, match="integer or bool"):
        mt.tensor([1.0]) & mt.tensor([1.0])
    with pytest.raises(NotImplementedError, match="integer tensors"):
        flags << flags


@pytest.mark.parametrize(("name", "operator", "expected"), [
    ("bitwise_and_", lambda t: t.bitwise_and_(6), [4, 2]),
    ("__iand__", lambda t: _apply(t, "__iand__", 6), [4, 2]),
    ("__ior__", lambda t: _apply(t, "__ior__", 1), [5, 3]),
    ("__ixor__", lambda t: _apply(t, "__ixor__", 1), [4, 2]),
    ("__ilshift__", lambda t: _apply(t, "__ilshift__", 1), [10, 6]),
    ("__irshift__", lambda t: _apply(t, "__irshift__", 1), [2, 1]),
    ("bitwise_not_", lambda t: t.bitwise_not_(), [-6, -4]),
    ("gcd_", lambda t: t.gcd_(mt.tensor([10, 9])), [5, 3]),
    ("lcm_", lambda t: t.lcm_(mt.tensor(2)), [10, 6]),
    ("heaviside_", lambda t: (t - 3).heaviside_(mt.tensor(7)), [1, 7]),
])
def test_in_place_integer_forms_write_the_same_memory(name, operator, expected):
    t = mt.tensor([5, 3])
    memory = t._data
    out = operator(t)
    assert out.tolist() == expected
    if name != "heaviside_":
        assert out is t and t._data is memory


def _apply(t, method, other):
    return getattr(t, method)(other)


def test_integer_functions():
    a = mt.tensor([-8, 3, 0, 12])
    assert mt.gcd(a, mt.tensor(12)).tolist() == [4, 3, 12, 12]
    assert mt.lcm(a, mt.tensor(6)).tolist() == [24, 6, 0, 12]
    assert mt.gcd(a, a.int()).dtype == mt.int64
    with pytest.raises(NotImplementedError, match="integer tensors"):
        mt.gcd(a.float(), a)


def test_heaviside_sinc_frexp_and_ldexp():
    x = mt.tensor([-1.5, 0.0, 2.0, math.nan])
    assert mt.heaviside(x, mt.tensor(0.5)).tolist() == [0.0, 0.5, 1.0, 0.0]
    with pytest.raises(RuntimeError, match="not differentiable"):
        mt.heaviside(mt.tensor([1.0], requires_grad=True), mt.tensor(0.5))
    np.testing.assert_allclose(mt.sinc(mt.tensor([0.0, 0.5, 1e-9])).numpy(),
                               [1.0, 2 / math.pi, 1.0], atol=1e-7)
    mantissa, exponent = mt.frexp(mt.tensor([8.0, -0.75, 0.0]))
    assert mantissa.tolist() == [0.5, -0.75, 0.0] and exponent.tolist() == [4, 0, 0]
    assert exponent.dtype == mt.int32
    assert (mantissa * 2.0 ** exponent).tolist() == [8.0, -0.75, 0.0]
    assert mt.ldexp(mt.tensor([3, 1]), mt.tensor([2, -1])).tolist() == [12.0, 0.5]
    assert mt.ldexp(mt.tensor([3, 1]), mt.tensor([2, -1])).dtype == mt.float32


def test_special_functions_and_their_derivatives():
    x = mt.tensor([0.5, 1.0, 3.0], dtype=mt.float64, requires_grad=True)
    np.testing.assert_allclose(mt.lgamma(x).detach().numpy(),
                               [math.lgamma(0.5), 0.0, math.log(2)], rtol=1e-12)
    euler = 0.5772156649015329
    np.testing.assert_allclose(mt.digamma(x).detach().numpy(),
                               [-euler - 2 * math.log(2), -euler, 1.5 - euler], rtol=1e-12)
    np.testing.assert_allclose(mt.polygamma(1, x).detach().numpy(),
                               [math.pi**2 / 2, math.pi**2 / 6, math.pi**2 / 6 - 1.25],
                               rtol=1e-12)
    mt.lgamma(x).sum().backward()  # d/dx lgamma = digamma
    np.testing.assert_allclose(x.grad.numpy(), mt.digamma(x.detach()).numpy())
    np.testing.assert_allclose(mt.erf(mt.erfinv(mt.tensor([-0.9, 0.3]))).numpy(), [-0.9, 0.3],
                               rtol=1e-6)
    assert mt.lgamma(mt.tensor([0.0, -2.0, -math.inf])).tolist() == [math.inf] * 3
    assert mt.erfinv(mt.tensor([1.0, -1.0])).tolist() == [math.inf, -math.inf]
    assert mt.digamma(mt.tensor([1, 2])).dtype == mt.float32


@pytest.mark.filterwarnings("ignore:Using torch.cross without specifying the dim")
@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: mt.baddbmm(mt.zeros(2, 2), mt.zeros(1, 2, 2), mt.zeros(1, 2, 2).double()),
     RuntimeError, "same dtype"),
    (lambda: mt.addmv(mt.zeros(3), mt.zeros(2, 2), mt.zeros(2)), RuntimeError,
     r"shape \(3,\) does not broadcast to the shape of the product, \(2,\)"),
    (lambda: mt.addmm(mt.zeros(2, 2, dtype=mt.int64), mt.zeros(2, 2, dtype=mt.int64),
                      mt.zeros(2, 2, dtype=mt.int64), alpha=0.5), RuntimeError, "alpha"),
    (lambda: mt.cross(mt.zeros(2, 2), mt.zeros(2, 2)), RuntimeError, "no dimension of size 3"),
    (lambda: mt.cov(mt.zeros(2, 3), aweights=mt.tensor([1.0, -1.0, 1.0])), RuntimeError,
     "cannot be negative"),
    (lambda: mt.quantile(mt.zeros(3), mt.tensor([0.5, 2.0])), RuntimeError,
     r"range \[0, 1\]"),
    (lambda: mt.polygamma(1.5, mt.zeros(2)), RuntimeError, "integer n >= 0"),
    (lambda: mt.trapezoid(mt.zeros(3), mt.zeros(2)), RuntimeError, "one `x` value"),
])
def test_errors_name_what_was_wrong(call, error, match):
    with pytest.raises(error, match=match):
        call()
