"""Functions written in PyTorch's style: staticmethods ``forward(ctx, ...)`` and
``backward(ctx, grad_output)`` on Tensors, recorded as one node (``minitorch.autograd``)."""

import gc
import math
import weakref

import numpy as np
import pytest

import minitorch
from minitorch.autograd import Function, grad
from minitorch.ops import elementwise


class LegendrePolynomial3(minitorch.autograd.Function):
    """P3(x) = (5x^3 - 3x) / 2, with its derivative written by hand."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


class Exp(Function):
    """e^x, saving its output: backward multiplies by the output."""

    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class ScaledPower(Function):
    """factor * x ** power, the Tensor between two plain numbers kept on ctx."""

    @staticmethod
    def forward(ctx, factor, x, power):
        ctx.factor, ctx.power = factor, power
        ctx.save_for_backward(x)
        return factor * x**power

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return None, grad_output * ctx.factor * ctx.power * x ** (ctx.power - 1), None


def fit_legendre(torch):
    """The tutorial's program: fit sin on [-pi, pi] with a + b P3(c + d x) by hand-written SGD.
    Returns the first and the last loss."""
    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)

    class P3Function(torch.autograd.Function):  # the module's own Function class
        forward = staticmethod(LegendrePolynomial3.forward)
        backward = staticmethod(LegendrePolynomial3.backward)

    learning_rate = 5e-6
    losses = []
    for _ in range(2000):
        P3 = P3Function.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return losses[0], losses[-1]


def test_the_tutorial_program_fits_sin():
    first, last = fit_legendre(minitorch)
    assert last < first / 20
    try:
        import torch
    except ImportError:
        return
    torch_first, torch_last = fit_legendre(torch)
    assert first == pytest.approx(torch_first, rel=1e-4)
    assert last == pytest.approx(torch_last, rel=1e-3)


def test_pytorch_style_classes_get_their_own_apply_once_the_array_style_keeps_its_own():
    assert LegendrePolynomial3.apply.__func__ is not Function.apply.__func__
    assert elementwise.Mul.apply.__func__ is Function.apply.__func__


def test_gradients_match_finite_differences():
    x = minitorch.tensor(np.linspace(-1.5, 1.5, 7))
    assert minitorch.gradcheck(LegendrePolynomial3.apply, x)
    assert minitorch.gradcheck(Exp.apply, x)
    assert minitorch.gradcheck(lambda t: LegendrePolynomial3.apply(t * 0.5 + 0.1).exp(), x)


def test_a_wrong_backward_formula_fails_gradcheck():
    class WrongDerivative(LegendrePolynomial3):
        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * (5 * input**2 - 1)

    with pytest.raises(minitorch.GradcheckError):
        minitorch.gradcheck(WrongDerivative.apply, minitorch.tensor([0.3, 0.7]))


def test_non_tensor_arguments_anywhere_and_attributes_on_ctx():
    x = minitorch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    out = ScaledPower.apply(3.0, x, 2)
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), 3 * x.detach().numpy() ** 2, rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy(), rtol=1e-6)
    assert minitorch.gradcheck(lambda t: ScaledPower.apply(2.5, t, 3), x)


def test_needs_input_grad_has_one_bool_per_argument():
    seen = []

    class Record(Function):
        @staticmethod
        def forward(ctx, a, k, b):
            seen.append(ctx.needs_input_grad)
            return a * k + b

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None, grad_output

    a = minitorch.tensor([1.0, 2.0], requires_grad=True)
    b = minitorch.tensor([3.0, 4.0])
    Record.apply(a, 2, b)
    Record.apply(b, 2, a)
    with minitorch.no_grad():
        Record.apply(a, 2, a)
    assert seen == [(True, False, False), (False, False, True), (False, False, False)]


class TimesFirstOnly(Function):
    """x * weight, with a gradient for x only (None for weight, whatever it requires)."""

    @staticmethod
    def forward(ctx, x, weight):
        ctx.save_for_backward(weight)
        return x * weight

    @staticmethod
    def backward(ctx, grad_output):
        (weight,) = ctx.saved_tensors
        return grad_output * weight, None


def test_a_gradient_of_none_for_an_input_that_requires_grad():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = minitorch.tensor([3.0, 5.0], requires_grad=True)
    (TimesFirstOnly.apply(x, y) * 2).sum().backward()
    assert x.grad.tolist() == [6.0, 10.0] and y.grad is None


def test_a_gradient_is_summed_back_to_a_broadcast_input():
    class AddRow(Function):
        @staticmethod
        def forward(ctx, matrix, row):
            return matrix + row

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, grad_output  # the row's has the matrix's shape

    matrix = minitorch.ones(3, 2, requires_grad=True)
    row = minitorch.ones(2, requires_grad=True)
    AddRow.apply(matrix, row).sum().backward()
    assert row.grad.tolist() == [3.0, 3.0] and matrix.grad.shape == (3, 2)


def _backward_returning(result):
    class Returns(Function):
        @staticmethod
        def forward(ctx, k, x):
            return x * k

        @staticmethod
        def backward(ctx, grad_output):
            return result(grad_output)

    x = minitorch.ones(2, 3, requires_grad=True)
    Returns.apply(2.0, x).sum().backward()


def test_a_gradient_of_the_wrong_shape_raises_naming_the_argument():
    with pytest.raises(RuntimeError, match=r"gradient of shape \(3,\) for input 1, which has "
                                           r"shape \(2, 3\)"):
        _backward_returning(lambda g: (None, g[0]))


@pytest.mark.parametrize(("result", "named"), [
    (lambda g: (None, g.numpy()), "ndarray"),
    (lambda g: (None, 1.0), "float"),
    (lambda g: (None, [g]), "list"),
])
def test_a_gradient_that_is_not_a_tensor_raises_type_error(result, named):
    with pytest.raises(TypeError, match=f"returned {named} as the gradient of argument 1: "
                                        "expected a Tensor or None"):
        _backward_returning(result)


def test_a_wrong_number_of_gradients_raises():
    with pytest.raises(RuntimeError, match="returned 1 gradients, expected 2"):
        _backward_returning(lambda g: g)


def test_forward_must_return_tensors():
    class Number(Function):
        @staticmethod
        def forward(ctx, x):
            return 2.0

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    with pytest.raises(TypeError, match="must return a Tensor or a tuple with Tensors, got float"):
        Number.apply(minitorch.ones(2, requires_grad=True))


def test_forward_runs_with_recording_off_and_the_output_is_one_node():
    inside = []

    class Probe(LegendrePolynomial3):
        @staticmethod
        def forward(ctx, input):
            cube = input**3
            inside.append((minitorch.is_grad_enabled(), cube.requires_grad, cube.grad_fn))
            return LegendrePolynomial3.forward(ctx, input)

    x = minitorch.tensor([0.5, 0.25], requires_grad=True)
    out = Probe.apply(x)
    assert inside == [(False, False, None)]
    assert minitorch.is_grad_enabled()
    assert out.requires_grad and repr(out.grad_fn).startswith("<ProbeBackward object at 0x")
    assert out.grad_fn.parents == (x,)
    with minitorch.no_grad():
        assert not Probe.apply(x).requires_grad
    assert not Probe.apply(minitorch.tensor([0.5])).requires_grad  # no input requires grad


def test_backward_records_only_under_create_graph():
    modes = []

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            modes.append(minitorch.is_grad_enabled())
            (x,) = ctx.saved_tensors
            return 2 * grad_output * x

    x = minitorch.tensor([3.0], requires_grad=True)
    Square.apply(x).backward()
    (first,) = grad(Square.apply(x), x, create_graph=True)
    assert modes == [False, True] and x.grad.tolist() == [6.0] and first.requires_grad


def test_an_input_returned_as_it_is_stays_a_leaf():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2

    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    out = Identity.apply(x)
    assert out is not x and x.is_leaf and out.grad_fn is not None
    out.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_second_derivatives_through_the_handwritten_backward():
    x = minitorch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    (first,) = grad(LegendrePolynomial3.apply(x).sum(), x, create_graph=True)
    values = x.detach().numpy()
    np.testing.assert_allclose(first.detach().numpy(), 1.5 * (5 * values**2 - 1), rtol=1e-6)
    (second,) = grad(first.sum(), x)
    np.testing.assert_allclose(second.numpy(), 15 * values, rtol=1e-6)
    points = minitorch.tensor([0.3, -0.8], dtype=minitorch.float64)
    assert minitorch.gradgradcheck(LegendrePolynomial3.apply, points)
    assert minitorch.gradgradcheck(Exp.apply, points)  # backward reads the saved output
    assert minitorch.gradgradcheck(lambda t: ScaledPower.apply(1.5, t, 3), points)


def test_a_saved_input_changed_in_place_makes_backward_raise():
    x = minitorch.tensor([0.5, 1.0], requires_grad=True)
    loss = LegendrePolynomial3.apply(x).sum()
    with minitorch.no_grad():
        x += 1  # as an optimizer step would
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_a_saved_input_that_needs_no_grad_changed_in_place_makes_backward_raise():
    x = minitorch.tensor([0.5, 1.0], requires_grad=True)
    weight = minitorch.tensor([2.0, 3.0])
    loss = TimesFirstOnly.apply(x, weight).sum()
    weight.mul_(2)
    with pytest.raises(RuntimeError, match="TimesFirstOnlyBackward: a saved tensor was modified"):
        loss.backward()


def test_a_saved_output_changed_in_place_makes_backward_raise():
    x = minitorch.tensor([0.5, 1.0], requires_grad=True)
    out = Exp.apply(x)
    with minitorch.no_grad():
        out.mul_(2)
    with pytest.raises(RuntimeError, match="ExpBackward: its output was modified"):
        out.backward(minitorch.ones(2))  # from the output itself: no later node checks it


def test_the_graph_is_freed_after_backward_unless_retained():
    x = minitorch.tensor([0.5, 1.0], requires_grad=True)
    loss = LegendrePolynomial3.apply(x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    twice = 2 * 1.5 * (5 * x.detach().numpy() ** 2 - 1)
    np.testing.assert_allclose(x.grad.numpy(), twice, rtol=1e-6)
    with pytest.raises(RuntimeError, match="already freed"):
        loss.backward()


def test_a_saved_output_makes_no_reference_cycle():
    gc.disable()
    try:
        out = Exp.apply(minitorch.tensor([1.0], requires_grad=True))
        node = weakref.ref(out.grad_fn)
        del out
        assert node() is None  # freed by reference counting alone
    finally:
        gc.enable()


# ----- several outputs, setup_context, non-differentiable outputs -------------------------------


class Sinh(Function):
    """PyTorch's double-backward tutorial: intermediate results returned as extra outputs,
    so that the saved tensors are in the graph for the second derivative."""

    @staticmethod
    def forward(ctx, x):
        expx = minitorch.exp(x)
        expnegx = minitorch.exp(-x)
        ctx.save_for_backward(expx, expnegx)
        return (expx - expnegx) / 2, expx, expnegx

    @staticmethod
    def backward(ctx, grad_out, _grad_out_exp, _grad_out_negexp):
        expx, expnegx = ctx.saved_tensors
        grad_input = grad_out * (expx + expnegx) / 2
        grad_input += _grad_out_exp * expx
        grad_input -= _grad_out_negexp * expnegx
        return grad_input


def sinh(x):
    return Sinh.apply(x)[0]


class Cube(Function):
    """forward without ctx and a separate setup_context (PyTorch 2's style), two outputs."""

    @staticmethod
    def forward(x):
        return x**3, 3 * x**2

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.save_for_backward(x, output[1])

    @staticmethod
    def backward(ctx, grad_output, grad_dx):
        x, dx = ctx.saved_tensors
        return grad_output * dx + grad_dx * 6 * x


def test_several_outputs_first_and_second_derivatives():
    points = minitorch.tensor([0.3, -1.2, 2.0], dtype=minitorch.float64, requires_grad=True)
    assert minitorch.gradcheck(sinh, points)
    assert minitorch.gradgradcheck(sinh, points)
    (first,) = grad(sinh(points).sum(), points, create_graph=True)
    (second,) = grad(first.sum(), points)
    np.testing.assert_allclose(first.detach().numpy(), np.cosh(points.detach().numpy()))
    np.testing.assert_allclose(second.numpy(), np.sinh(points.detach().numpy()))


def test_setup_context_style_with_two_outputs():
    x = minitorch.tensor([0.5, -2.0], dtype=minitorch.float64, requires_grad=True)
    cube, slope = Cube.apply(x)
    assert cube.grad_fn.name() == slope.grad_fn.name() == "CubeBackward"
    assert repr(slope.grad_fn) == repr(cube.grad_fn)  # one node, as in PyTorch
    (cube + slope).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * x.detach().numpy() ** 2 + 6 * x.detach().numpy())
    assert minitorch.gradcheck(lambda t: Cube.apply(t)[1], x)  # only the second output used
    assert minitorch.gradgradcheck(lambda t: sum(o.sum() for o in Cube.apply(t)), x)


def test_each_output_reaches_backward_once_with_zeros_for_the_unused():
    seen = []

    class Split(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3, x * 4

        @staticmethod
        def backward(ctx, *grads):
            seen.append([g.numpy().tolist() for g in grads])
            return grads[0] * 2 + grads[1] * 3 + grads[2] * 4

    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    _, b, c = Split.apply(x)
    (b.sum() + 10 * c.sum()).backward()
    assert seen == [[[0.0, 0.0], [1.0, 1.0], [10.0, 10.0]]]
    np.testing.assert_allclose(x.grad.numpy(), [43.0, 43.0])


def test_unused_output_gradients_can_be_none():
    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            assert grad_b is None
            return grad_a * 2

    x = minitorch.tensor([1.0], requires_grad=True)
    Two.apply(x)[0].sum().backward()
    assert x.grad.item() == 2.0


def test_non_differentiable_outputs_stay_out_of_the_graph():
    class SortValues(Function):
        @staticmethod
        def forward(ctx, x):
            values, indices = minitorch.sort(x)
            flags = values > 0
            ctx.mark_non_differentiable(flags)
            ctx.save_for_backward(indices)
            return values, indices, flags

        @staticmethod
        def backward(ctx, grad_values, grad_indices, grad_flags):
            (indices,) = ctx.saved_tensors
            grad_input = minitorch.zeros_like(grad_values)
            grad_input[indices] = grad_values
            return grad_input

    x = minitorch.tensor([3.0, -1.0, 2.0], requires_grad=True)
    values, indices, flags = SortValues.apply(x)
    assert values.requires_grad and not indices.requires_grad and not flags.requires_grad
    (values * minitorch.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 1.0, 2.0])


def test_another_saved_output_changed_in_place_makes_backward_raise():
    x = minitorch.tensor([0.5, 1.0], requires_grad=True)
    value, expx, _ = Sinh.apply(x)
    with minitorch.no_grad():
        expx.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        value.sum().backward()



def test_backward_through_another_output_of_a_freed_node_raises():
    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_a, grad_b):
            return grad_a * 2 + grad_b * 3

    x = minitorch.tensor([1.0], requires_grad=True)
    a, b = Two.apply(x)
    a.sum().backward()
    with pytest.raises(RuntimeError, match="already freed"):
        b.sum().backward()
