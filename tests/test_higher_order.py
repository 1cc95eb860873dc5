"""Higher-order gradients: create_graph, autograd.grad, gradgradcheck and the functional API."""

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_registry import OPS, OpSpec

import minitorch as mt
from minitorch import Tensor
from minitorch.autograd import grad
from minitorch.autograd.functional import hessian, hvp, jacobian
from minitorch.nn import functional as F

# A tenth of the profile's examples: each one differentiates a recorded backward pass
# element by element (10 in CI, 100 with HYPOTHESIS_PROFILE=thorough).
SECOND_ORDER = settings(max_examples=max(settings.default.max_examples // 10, 1))


def _seeded_dropout(x):
    mt.manual_seed(0)  # the same mask at every call, so finite differences make sense
    return F.dropout(x, 0.3)


def _rand(seed, *shape):
    return np.random.default_rng(seed).standard_normal(shape)


LABELS = np.array([0, 2, 1])
# The fused layers and losses, which are not in the registry: (name, fn, inputs).
FUSED = [
    ("linear", F.linear, [_rand(0, 2, 3, 4), _rand(1, 5, 4), _rand(2, 5)]),
    ("linear_no_bias", F.linear, [_rand(3, 3, 4), _rand(4, 2, 4)]),
    ("cross_entropy", lambda z: F.cross_entropy(z, LABELS), [_rand(5, 3, 4)]),
    ("cross_entropy_sum", lambda z: F.cross_entropy(z, LABELS, reduction="sum"),
     [_rand(6, 3, 4)]),
    ("cross_entropy_none", lambda z: F.cross_entropy(z, LABELS, reduction="none"),
     [_rand(7, 3, 4)]),
    ("cross_entropy_probabilities", F.cross_entropy,
     [_rand(8, 3, 4), np.abs(_rand(9, 3, 4))]),
    ("cross_entropy_options", lambda z: F.cross_entropy(
        z, [0, -100, 3], weight=[1.0, 2.0, 0.5, 1.5], label_smoothing=0.2), [_rand(29, 3, 4)]),
    ("nll_loss", lambda z: F.nll_loss(z, LABELS), [_rand(10, 3, 4)]),
    ("nll_loss_options", lambda z: F.nll_loss(z, [1, 3, 3], weight=[1.0, 2.0, 0.5, 1.5],
                                              ignore_index=1), [_rand(30, 3, 4)]),
    ("binary_cross_entropy", F.binary_cross_entropy,
     [np.linspace(0.1, 0.9, 6).reshape(3, 2), np.linspace(0, 1, 6).reshape(2, 3).T]),
    ("binary_cross_entropy_with_logits", F.binary_cross_entropy_with_logits,
     [_rand(11, 3, 2), np.linspace(0, 1, 6).reshape(3, 2)]),
    ("binary_cross_entropy_with_logits_pos_weight",
     lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=[2.0, 0.5]),
     [_rand(31, 3, 2), np.linspace(0, 1, 6).reshape(3, 2)]),
    ("mse_loss", F.mse_loss, [_rand(12, 3, 2), _rand(13, 3, 2)]),
    ("dropout", _seeded_dropout, [_rand(14, 3, 4)]),
    ("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
     [_rand(15, 2, 2, 5, 4), _rand(16, 3, 2, 3, 2), _rand(17, 3)]),
    ("conv2d_no_bias", F.conv2d, [_rand(18, 1, 2, 4, 4), _rand(19, 2, 2, 2, 2)]),
    ("max_pool2d", lambda x: F.max_pool2d(x, 2), [_rand(20, 2, 2, 4, 5)]),
    ("max_pool2d_overlapping", lambda x: F.max_pool2d(x, 3, 1), [_rand(21, 1, 2, 4, 4)]),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, 2, 1), [_rand(22, 2, 2, 3, 3)]),
    ("batch_norm_training", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     [_rand(23, 4, 3, 2, 2), _rand(24, 3), _rand(25, 3)]),
    ("batch_norm_eval", lambda x, w, b: F.batch_norm(x, np.zeros(3), np.full(3, 2.0), w, b),
     [_rand(26, 4, 3), _rand(27, 3), _rand(28, 3)]),
]


def _first_derivatives_agree(fn, arrays):
    """Under create_graph the gradients have the values of the first-order pass."""
    inputs = [Tensor(a, requires_grad=True) if a.dtype.kind == "f" else a for a in arrays]
    floating = [t for t in inputs if isinstance(t, Tensor)]
    out = fn(*inputs)
    v = _rand(99, *out.shape)
    plain = grad(out, floating, v, retain_graph=True, allow_unused=True)
    recorded = grad(out, floating, v, create_graph=True, allow_unused=True)
    for a, b in zip(plain, recorded):
        if a is None:
            assert b is None
        else:
            np.testing.assert_allclose(b.detach().numpy(), a.numpy(), rtol=1e-10, atol=1e-12)


# ----- every op, to second order ------------------------------------------------------------


@pytest.mark.parametrize("spec", OPS, ids=repr)
@SECOND_ORDER
@given(data=st.data())
def test_second_derivatives_match_finite_differences(spec: OpSpec, data: st.DataObject) -> None:
    arrays, options = spec.draw(data)
    fn = lambda *xs: spec.fn(*xs, **options)  # noqa: E731
    _first_derivatives_agree(fn, arrays)
    assert mt.gradgradcheck(fn, *arrays)


@pytest.mark.parametrize("name, fn, arrays", FUSED, ids=[case[0] for case in FUSED])
def test_fused_ops_second_derivatives(name, fn, arrays):
    _first_derivatives_agree(fn, arrays)
    assert mt.gradgradcheck(fn, *arrays)


def test_third_derivative():
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True, dtype=np.float64)
    (d1,) = grad((x**4).sum(), x, create_graph=True)
    (d2,) = grad(d1.sum(), x, create_graph=True)
    (d3,) = grad(d2.sum(), x)
    np.testing.assert_allclose(d1.detach().numpy(), 4 * x.detach().numpy() ** 3)
    np.testing.assert_allclose(d2.detach().numpy(), 12 * x.detach().numpy() ** 2)
    np.testing.assert_allclose(d3.numpy(), 24 * x.detach().numpy())


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class FrozenSquare(mt.Function):
        """d(x^2)/dx = 2x, but written with a copy of x that drops out of the graph."""

        def forward(self, x):
            self.twice = 2 * x  # a saved value that varies with x: not allowed
            return x * x

        def backward(self, grad):
            return grad * self.twice

    x = np.array([1.0, 2.0])
    assert mt.gradcheck(FrozenSquare.apply, x)
    with pytest.raises(mt.GradcheckError, match="input 0"):
        mt.gradgradcheck(FrozenSquare.apply, x)


def test_numpy_function_on_a_tensor_inside_a_recorded_formula_raises():
    class NumpyExp(mt.Function):
        def forward(self, x):
            self.x = x
            return np.exp(x)

        def backward(self, grad):
            return grad * np.exp(self.x)  # not generic: np.exp of a Tensor under create_graph

    x = Tensor([1.0], requires_grad=True)
    grad(NumpyExp.apply(x).sum(), x)  # first order: arrays, fine
    with pytest.raises(TypeError, match="NumPy function was given a Tensor.*create_graph"):
        grad(NumpyExp.apply(x).sum(), x, create_graph=True)
    np.asarray(x.detach())  # and outside a formula, tensors convert as usual


# ----- against PyTorch -----------------------------------------------------------------------


def _mlp_loss(lib, x, labels, w1, b1, w2):
    if lib is mt:
        hidden = F.linear(x, w1.T, b1).tanh()  # F.linear takes PyTorch's (out, in) weight
        return F.cross_entropy(hidden @ w2, labels)
    hidden = (x @ w1 + b1).tanh()
    return lib.nn.functional.cross_entropy(hidden @ w2, labels)


def test_mlp_hessian_and_hvp_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, labels = rng.standard_normal((5, 3)), np.array([0, 1, 2, 1, 0])
    w1, b1, w2 = rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 3))
    v = rng.standard_normal(w1.shape)

    def ours(w):
        return _mlp_loss(mt, Tensor(x), labels, w, Tensor(b1), Tensor(w2))

    def theirs(w):
        return _mlp_loss(torch, torch.tensor(x), torch.tensor(labels), w, torch.tensor(b1),
                         torch.tensor(w2))

    expected = torch.autograd.functional.hessian(theirs, torch.tensor(w1)).numpy()
    np.testing.assert_allclose(hessian(ours, Tensor(w1)).numpy(), expected, atol=1e-12)
    _, product = hvp(ours, Tensor(w1), Tensor(v))
    _, expected_product = torch.autograd.functional.hvp(theirs, torch.tensor(w1), torch.tensor(v))
    np.testing.assert_allclose(product.numpy(), expected_product.numpy(), atol=1e-12)


def test_gradient_penalty_matches_pytorch():
    """WGAN-GP style: the norm of d(critic)/d(input) is part of the loss, so training it
    differentiates through a gradient."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))

    def penalty(x, w, differentiate):
        scores = (x @ w).tanh().sum()
        (input_grad,) = differentiate(scores, x)
        return (((input_grad * input_grad).sum(1).sqrt() - 1) ** 2).mean()

    xs, ws = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
    penalty(xs, ws, lambda y, t: grad(y, t, create_graph=True)).backward()
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    penalty(xt, wt, lambda y, t: torch.autograd.grad(y, t, create_graph=True)).backward()
    np.testing.assert_allclose(ws.grad.numpy(), wt.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(xs.grad.numpy(), xt.grad.numpy(), atol=1e-12)


def test_conv_net_hessian_vector_product_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 1, 5, 5)), rng.standard_normal((2, 1, 3, 3)), \
        rng.standard_normal(2)
    gamma, beta, v = rng.standard_normal(2), rng.standard_normal(2), rng.standard_normal(w.shape)

    def ours(weight):
        y = F.conv2d(Tensor(x), weight, Tensor(b), padding=1)
        y = F.batch_norm(y, None, None, Tensor(gamma), Tensor(beta), training=True)
        return F.max_pool2d(y.tanh(), 2).sum() + (F.avg_pool2d(y, 2) ** 2).sum()

    def theirs(weight):
        nn = torch.nn.functional
        y = nn.conv2d(torch.tensor(x), weight, torch.tensor(b), padding=1)
        y = nn.batch_norm(y, None, None, torch.tensor(gamma), torch.tensor(beta), training=True)
        return nn.max_pool2d(y.tanh(), 2).sum() + (nn.avg_pool2d(y, 2) ** 2).sum()

    _, ours_product = hvp(ours, Tensor(w), Tensor(v))
    _, expected = torch.autograd.functional.hvp(theirs, torch.tensor(w), torch.tensor(v))
    np.testing.assert_allclose(ours_product.numpy(), expected.numpy(), atol=1e-10)


# ----- autograd.grad and backward ------------------------------------------------------------


def test_grad_returns_gradients_without_touching_dot_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 4.0], requires_grad=True)
    gx, gw = grad((x * w).sum(), [x, w])
    np.testing.assert_array_equal(gx.numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(gw.numpy(), [1.0, 2.0])
    assert x.grad is None and w.grad is None
    assert not gx.requires_grad


def test_grad_of_several_outputs_and_intermediate_inputs():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3.0
    y1, y2 = (hidden * hidden).sum(), hidden.sum()
    (g_hidden,) = grad([y1, y2], hidden)
    np.testing.assert_array_equal(g_hidden.numpy(), [7.0, 13.0])  # 2 * hidden + 1
    y = (x * x * 2.0).sum()
    gx, g_y = grad(y, [x, y])
    np.testing.assert_array_equal(gx.numpy(), [4.0, 8.0])
    assert g_y.item() == 1.0
    (g_out,) = grad(x * 2.0, x, grad_outputs=Tensor([1.0, 10.0]))
    np.testing.assert_array_equal(g_out.numpy(), [2.0, 20.0])


def test_grad_error_cases():
    x = Tensor([1.0, 2.0], requires_grad=True)
    unused = Tensor([5.0], requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError, match=r"one-element tensor, got shape \(2,\)"):
        grad(y, x)
    with pytest.raises(RuntimeError, match="input 1 .* not used .* allow_unused=True"):
        grad(y.sum(), [x, unused])
    gx, none = grad(y.sum(), [x, unused], allow_unused=True)
    assert none is None and gx is not None
    with pytest.raises(RuntimeError, match=r"input 0 \(shape \(2,\)\) does not require grad"):
        grad(y.sum(), Tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="does not require grad"):
        grad(Tensor([1.0]) * 2.0, x)
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\), expected .*\(2,\)"):
        grad(y, x, grad_outputs=np.ones(3))
    loss = (x.exp() * x).sum()
    grad(loss, x)
    with pytest.raises(RuntimeError, match="already freed.*retain_graph=True"):
        grad(loss, x)


def test_grad_keeps_the_graph_with_retain_graph_or_create_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x.exp() * x).sum()
    first = grad(loss, x, retain_graph=True)[0]
    np.testing.assert_array_equal(grad(loss, x, create_graph=True)[0].detach().numpy(),
                                  first.numpy())
    np.testing.assert_array_equal(grad(loss, x)[0].numpy(), first.numpy())


def test_grad_through_a_tensor_whose_own_graph_was_freed():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x.exp()
    hidden.sum().backward()  # frees the Exp node
    (g,) = grad((hidden * hidden).sum(), hidden)
    np.testing.assert_allclose(g.numpy(), 2 * np.exp([1.0, 2.0]), rtol=1e-6)


def test_backward_create_graph_accumulates_differentiable_grads():
    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    with pytest.warns(UserWarning, match="reference cycle"):
        (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    np.testing.assert_array_equal(x.grad.detach().numpy(), [3.0, 12.0])
    (second,) = grad(x.grad.sum(), x)
    np.testing.assert_array_equal(second.numpy(), [6.0, 12.0])
    with pytest.warns(UserWarning):
        (x**3).sum().backward(create_graph=True)  # adds out of place
    np.testing.assert_array_equal(x.grad.detach().numpy(), [6.0, 24.0])


def test_backward_inputs_accumulates_only_into_them():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 4.0], requires_grad=True)
    hidden = x * w
    hidden.sum().backward(inputs=[w], retain_graph=True)
    assert x.grad is None
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0])
    hidden.sum().backward(inputs=hidden)  # a computed tensor gets a .grad too
    np.testing.assert_array_equal(hidden.grad.numpy(), [1.0, 1.0])
    mt.autograd.backward([(x * 2.0).sum(), (x * x).sum()])
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 6.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2.0).sum().backward(inputs=[Tensor([1.0])])


def test_hooks_and_retain_grad_see_tensor_gradients_under_create_graph():
    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    hidden = x * x
    hidden.retain_grad()
    hidden.register_hook(lambda g: g * 2.0)  # doubles what flows on to x
    (gx,) = grad((hidden * x).sum(), x, create_graph=True)
    # d/dx of sum(x^2 * x) with the x^2 path doubled: 2 * x * 2x + x^2
    np.testing.assert_array_equal(gx.detach().numpy(), [5.0, 20.0])
    # gx = 5 x^2, but its x^2 term is the product hidden * 1, so differentiating gx passes
    # through hidden again, whose hook doubles that part: 4 * 2x + 4x
    (second,) = grad(gx.sum(), x)
    np.testing.assert_array_equal(second.numpy(), [12.0, 24.0])


def test_graphs_built_under_create_graph_are_freed_without_garbage_collector():
    gc.collect()
    gc.disable()
    try:
        x = Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
        w = Tensor(np.ones((2, 1, 3, 3)), requires_grad=True)
        hidden = F.conv2d(x, w, padding=1).tanh()  # a composite, recomputed on aliases
        loss = F.max_pool2d(hidden, 2).sum()
        gx, gw = grad(loss, [x, w], create_graph=True)
        penalty = (gx * gx).sum() + (gw * gw).sum()
        probes = [weakref.ref(t) for t in (hidden, loss, gx, gw, penalty)]
        probes += [weakref.ref(t.grad_fn) for t in (gx, gw, penalty)]
        grad(penalty, [x, w])
        del hidden, loss, gx, gw, penalty
        assert all(probe() is None for probe in probes)
    finally:
        gc.enable()


# ----- gradgradcheck and the functional API --------------------------------------------------


def test_gradgradcheck_with_given_grad_outputs_and_integer_inputs():
    x = np.array([[0.5, -1.0], [2.0, 0.3]])
    assert mt.gradgradcheck(lambda t: (t * t).tanh(), x, grad_outputs=np.ones((2, 2)))
    assert mt.gradgradcheck(lambda t, index: t[index] ** 3, x, np.array([1, 0, 1]))
    with pytest.raises(ValueError, match="at least one floating-point input"):
        mt.gradgradcheck(lambda i: Tensor([1.0]), np.array([1]))


def test_jacobian_shapes_and_values():
    x = np.array([1.0, 2.0, 3.0])
    jac = jacobian(lambda t: (t * t)[:2], Tensor(x))
    np.testing.assert_array_equal(jac.numpy(), [[2.0, 0.0, 0.0], [0.0, 4.0, 0.0]])
    ja, jb = jacobian(lambda a, b: a * b, (Tensor(x), Tensor(2 * x)))
    np.testing.assert_array_equal(ja.numpy(), np.diag(2 * x))
    np.testing.assert_array_equal(jb.numpy(), np.diag(x))
    (j1, j2) = jacobian(lambda t: (t.sum(), t * 0.0 + 1.0), Tensor(x))  # tuple of outputs
    assert j1.shape == (3,) and j2.shape == (3, 3) and not j2.numpy().any()


def test_hessian_of_several_inputs_and_create_graph():
    a, b = Tensor([1.0, 2.0], dtype=np.float64), Tensor([3.0], dtype=np.float64)
    (haa, hab), (hba, hbb) = hessian(lambda u, v: (u * u * v).sum(), (a, b))
    np.testing.assert_array_equal(haa.numpy(), np.diag([6.0, 6.0]))
    np.testing.assert_array_equal(hab.numpy(), [[2.0], [4.0]])
    np.testing.assert_array_equal(hba.numpy(), [[2.0, 4.0]])
    np.testing.assert_array_equal(hbb.numpy(), [[0.0]])
    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    h = hessian(lambda t: (t**3).sum(), x, create_graph=True)  # 6x on the diagonal
    (third,) = grad(h.sum(), x)
    np.testing.assert_array_equal(third.numpy(), [6.0, 6.0])
    with pytest.raises(RuntimeError, match=r"one-element tensor, got shape \(2,\)"):
        hessian(lambda t: t * t, x)


def test_hvp_returns_value_and_product():
    x = Tensor([1.0, 2.0], dtype=np.float64)
    value, product = hvp(lambda t: (t**3).sum(), x, Tensor([1.0, 1.0]))
    assert value.item() == 9.0 and not value.requires_grad
    np.testing.assert_array_equal(product.numpy(), [6.0, 12.0])
    _, flat = hvp(lambda t: t.sum() * 2.0, x, Tensor([1.0, 1.0]))  # a linear function
    np.testing.assert_array_equal(flat.numpy(), [0.0, 0.0])
    with pytest.raises(RuntimeError, match=r"v has shape \(3,\)"):  # as PyTorch
        hvp(lambda t: t.sum(), x, Tensor([1.0, 1.0, 1.0]))
