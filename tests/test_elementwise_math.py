"""The element-wise math functions without PyTorch: the in-place forms (same tensor, same
memory, the leaf refusal and the version check), the dtype rules and the edge values.
tests/op_registry.py checks their values and derivatives against NumPy, and
tests/test_tensor_parity_torch.py against PyTorch."""

import math

import numpy as np
import pytest

import minitorch as mt

VALUES = [0.25, 0.5, 0.75]

# (in-place method, its arguments): each must equal the out-of-place method.
IN_PLACE = [
    ("sin_", ()), ("cos_", ()), ("tan_", ()), ("asin_", ()), ("acos_", ()), ("atan_", ()),
    ("sinh_", ()), ("cosh_", ()), ("asinh_", ()), ("atanh_", ()), ("expm1_", ()),
    ("log1p_", ()), ("exp_", ()), ("exp2_", ()), ("log_", ()), ("log2_", ()), ("log10_", ()),
    ("sqrt_", ()), ("rsqrt_", ()), ("square_", ()), ("abs_", ()), ("neg_", ()),
    ("negative_", ()), ("tanh_", ()), ("sigmoid_", ()), ("relu_", ()), ("erf_", ()),
    ("erfc_", ()), ("reciprocal_", ()), ("pow_", (3,)), ("deg2rad_", ()), ("rad2deg_", ()),
    ("logit_", ()), ("nan_to_num_", ()), ("sign_", ()), ("sgn_", ()), ("floor_", ()),
    ("ceil_", ()), ("trunc_", ()), ("frac_", ()), ("round_", ()), ("atan2_", (0.5,)),
    ("hypot_", (0.5,)), ("copysign_", (-1,)), ("xlogy_", (2.0,)), ("arcsin_", ()),
    ("sinc_", ()), ("lgamma_", ()), ("digamma_", ()), ("polygamma_", (1,)), ("erfinv_", ()),
    ("ldexp_", (mt.tensor(2),)),
]


@pytest.mark.parametrize(("name", "args"), IN_PLACE, ids=[name for name, _ in IN_PLACE])
def test_in_place_form_writes_the_result_into_the_same_memory(name, args):
    t = mt.tensor(VALUES)
    memory = t._data
    expected = getattr(mt.tensor(VALUES), name.removesuffix("_"))(*args)
    assert getattr(t, name)(*args) is t
    assert t._data is memory and t.dtype == mt.float32
    np.testing.assert_array_equal(t.numpy(), expected.numpy())


def test_in_place_pow_with_a_tensor_exponent_and_round_with_decimals():
    t = mt.tensor([2.0, 3.0])
    t.pow_(mt.tensor([3.0, 2.0]))
    assert t.tolist() == [8.0, 9.0]
    assert mt.tensor([1.26, -2.34]).round_(decimals=1).tolist() == pytest.approx([1.3, -2.3])


def test_in_place_forms_are_recorded_on_computed_tensors():
    x = mt.tensor(VALUES, requires_grad=True)
    y = x * 2
    assert y.sin_() is y and y.grad_fn is not None
    y.pow_(2).sum().backward()  # d/dx sin(2x)**2 = 4 sin(2x) cos(2x)
    x2 = np.array(VALUES) * 2
    np.testing.assert_allclose(x.grad.numpy(), 4 * np.sin(x2) * np.cos(x2), rtol=1e-5)


def test_in_place_pow_records_a_tensor_exponent_that_requires_grad():
    base, exponent = mt.tensor([2.0, 3.0]), mt.tensor([3.0, 2.0], requires_grad=True)
    base.pow_(exponent).sum().backward()
    np.testing.assert_allclose(exponent.grad.numpy(), [8 * math.log(2), 9 * math.log(3)],
                               rtol=1e-6)


@pytest.mark.parametrize("name", ["sin_", "exp_", "log_", "sqrt_", "abs_", "neg_", "tanh_",
                                  "sigmoid_", "reciprocal_", "cos_"])
def test_in_place_form_refuses_a_leaf_that_requires_grad(name):
    x = mt.tensor(VALUES, requires_grad=True)
    with pytest.raises(RuntimeError, match=f"{name}: a leaf tensor that requires grad"):
        getattr(x, name)()
    with mt.no_grad():
        getattr(x, name)()  # allowed, as in PyTorch
    assert x.requires_grad and x.is_leaf


def test_a_recorded_in_place_change_keeps_the_saved_value():
    x = mt.tensor(VALUES, requires_grad=True)
    y = x.exp()
    z = y * y  # saves y
    y.sin_()  # recorded: y moves to new memory, z's gradient still uses the value it saw
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(2 * np.array(VALUES)), rtol=1e-5)


def test_changing_a_saved_value_in_place_without_recording_makes_backward_raise():
    x = mt.tensor(VALUES, requires_grad=True)
    y = x.exp()
    z = y * y  # saves y
    with mt.no_grad():
        y.sin_()  # writes into the memory z saved
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.sum().backward()


def test_in_place_float_result_into_an_integer_tensor_raises():
    t = mt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="sin_"):
        t.sin_()
    assert t.tolist() == [1, 2]
    assert t.neg_().tolist() == [-1, -2]  # an integer result fits


# ----- dtype rules -----------------------------------------------------------------------------

FLOATING_RESULTS = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh",
                    "acosh", "atanh", "expm1", "log1p", "exp2", "reciprocal", "deg2rad",
                    "rad2deg", "erfc", "logit"]


@pytest.mark.parametrize("name", FLOATING_RESULTS)
@pytest.mark.parametrize("values", [[1, 0, 3], [True, False, True]], ids=["int", "bool"])
def test_floating_functions_of_integers_and_bools_are_float32(name, values):
    out = getattr(mt, name)(mt.tensor(values))
    expected = getattr(mt, name)(mt.tensor(values, dtype=mt.float32))
    assert out.dtype == mt.float32
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


@pytest.mark.parametrize("name", FLOATING_RESULTS)
def test_floating_functions_keep_float64(name):
    assert getattr(mt, name)(mt.tensor([0.5], dtype=mt.float64)).dtype == mt.float64


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "signbit"])
@pytest.mark.parametrize("dtype", [mt.float32, mt.float64, mt.int64, mt.bool])
def test_value_tests_give_bool_without_gradient(name, dtype):
    x = mt.tensor([1, 0, 1], dtype=dtype, requires_grad=dtype.kind == "f")
    out = getattr(x, name)()
    assert out.dtype == mt.bool and not out.requires_grad


def test_neg_and_sgn_keep_the_dtype_and_neg_refuses_bool():
    ints = mt.tensor([-2, 0, 3], dtype=mt.int32)
    assert mt.neg(ints).dtype == mt.int32 and mt.negative(ints).tolist() == [2, 0, -3]
    assert mt.sgn(ints).dtype == mt.int32 and mt.sgn(ints).tolist() == [-1, 0, 1]
    assert mt.sgn(mt.tensor([True, False])).dtype == mt.bool
    with pytest.raises(RuntimeError, match="bool"):
        mt.neg(mt.tensor([True]))


def test_binary_functions_promote_as_pytorch():
    ints, floats = mt.tensor([1, 2]), mt.tensor([0.5, 1.5])
    assert mt.atan2(ints, ints).dtype == mt.float32
    assert mt.copysign(ints, -1).dtype == mt.float32
    assert mt.xlogy(ints, ints).dtype == mt.float32
    assert mt.xlogy(2, floats).dtype == mt.float32
    assert mt.float_power(ints, 2).dtype == mt.float64
    assert mt.float_power(floats, floats).dtype == mt.float64
    assert mt.fmax(ints, ints).dtype == ints.dtype
    assert mt.hypot(floats, floats.double()).dtype == mt.float64
    for name in ("hypot", "logaddexp"):
        with pytest.raises(RuntimeError, match="floating point"):
            getattr(mt, name)(ints, ints)


# ----- edge values ------------------------------------------------------------------------------


def test_xlogy_is_zero_where_x_is_zero_unless_y_is_nan():
    out = mt.xlogy(mt.tensor([0.0, 0.0, 0.0, 2.0]), mt.tensor([0.0, math.inf, math.nan, 0.0]))
    assert out.tolist()[:2] == [0.0, 0.0]
    assert math.isnan(out.tolist()[2]) and out.tolist()[3] == -math.inf


def test_logit_with_and_without_eps():
    p = mt.tensor([0.0, 1e-7, 0.5, 1.0], requires_grad=True)
    assert mt.logit(p).tolist()[::3] == [-math.inf, math.inf]
    clamped = mt.logit(p, eps=1e-6)
    np.testing.assert_allclose(clamped.detach().numpy()[[0, 1, 3]],
                               [math.log(1e-6 / (1 - 1e-6))] * 2 + [-math.log(1e-6 / (1 - 1e-6))],
                               rtol=1e-3)
    clamped.sum().backward()
    assert p.grad.tolist() == [0.0, 0.0, 4.0, 0.0]  # no gradient where clamped


def test_nan_to_num_defaults_to_the_dtype_limits_and_passes_gradient_where_finite():
    values = [math.nan, math.inf, -math.inf, 1.5]
    for dtype in (mt.float16, mt.float32, mt.float64):
        largest = float(np.finfo(dtype).max)
        assert mt.nan_to_num(mt.tensor(values, dtype=dtype)).tolist() == [
            0.0, largest, -largest, 1.5]
    x = mt.tensor(values, requires_grad=True)
    out = x.nan_to_num(nan=1.0, posinf=2.0, neginf=-3.0)
    assert out.tolist() == [1.0, 2.0, -3.0, 1.5]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 1.0]
    ints = mt.tensor([1, 2])
    assert mt.nan_to_num(ints).tolist() == [1, 2] and mt.nan_to_num(ints).dtype == mt.int64


def test_logaddexp_of_large_equal_and_infinite_values():
    a = mt.tensor([1000.0, -1000.0, 3.0, -math.inf, math.inf, -math.inf])
    b = mt.tensor([1000.0, -1001.0, 3.0, -math.inf, math.inf, 2.0])
    expected = [1000 + math.log(2), -1000 + math.log1p(math.exp(-1)), 3 + math.log(2),
                -math.inf, math.inf, 2.0]
    np.testing.assert_allclose(mt.logaddexp(a, b).numpy(), expected, rtol=1e-6)


def test_fmax_and_fmin_ignore_nan_and_give_ties_to_the_first_input():
    a = mt.tensor([1.0, math.nan, 2.0, math.nan], requires_grad=True)
    b = mt.tensor([math.nan, 3.0, 2.0, math.nan], requires_grad=True)
    out = mt.fmax(a, b)
    assert out.tolist()[:3] == [1.0, 3.0, 2.0] and math.isnan(out.tolist()[3])
    assert mt.fmin(a, b).tolist()[:3] == [1.0, 3.0, 2.0]
    out.sum().backward()
    assert a.grad.tolist() == [1.0, 0.0, 1.0, 1.0] and b.grad.tolist() == [0.0, 1.0, 0.0, 0.0]


def test_copysign_and_signbit_see_negative_zero():
    out = mt.copysign(mt.tensor([1.0, 2.0, 0.0]), mt.tensor([-0.0, 0.0, -1.0]))
    assert out.tolist() == [-1.0, 2.0, 0.0] and mt.signbit(out).tolist() == [True, False, True]


def test_atan2_and_hypot_at_the_origin():
    a, b = mt.tensor([0.0, 3.0], requires_grad=True), mt.tensor([0.0, 4.0], requires_grad=True)
    mt.atan2(a, b).sum().backward()
    assert a.grad.tolist() == pytest.approx([0.0, 0.16]) and b.grad.tolist() == pytest.approx(
        [0.0, -0.12])
    assert mt.hypot(mt.tensor([3e30]), mt.tensor([4e30])).item() == pytest.approx(5e30)


def test_tutorial_polynomial_fit_to_sin_runs():
    """The start of PyTorch's "Learning PyTorch with Examples": fit sin with a cubic."""
    mt.manual_seed(0)
    x = mt.linspace(-math.pi, math.pi, 2000)
    y = mt.sin(x)
    a, b, c, d = (mt.randn((), requires_grad=True) for _ in range(4))
    for _ in range(2000):  # as the tutorial
        loss = (a + b * x + c * x**2 + d * x**3 - y).pow(2).sum()
        loss.backward()
        with mt.no_grad():
            for p in (a, b, c, d):
                p -= 1e-6 * p.grad
                p.grad = None
    assert loss.item() < 50  # the tutorial ends near 9
