"""PyTorch's "Autograd mechanics" and "Extending PyTorch" notes (docs/source/notes/autograd and
extending) and the examples of ``torch.autograd.functional``'s docstrings, written once for a
module that is either library and run with ``import minitorch as torch``.

Each sample is the documentation's code, returning what it prints; its data come from NumPy
(``torch.tensor`` of one draw) so that both libraries compute from the same values, and
against PyTorch the results must agree. (pytorch/pytorch is BSD-3-Clause licensed, copyright
the PyTorch contributors.)
"""

import numpy as np
import pytest

import minitorch


def draw(torch, *shape, seed=0, **kwargs):
    return torch.tensor(np.random.default_rng(seed).standard_normal(shape), **kwargs)


def uniform(torch, *shape, seed=1):
    """``torch.rand(*shape)``, from NumPy's stream."""
    return torch.tensor(np.random.default_rng(seed).random(shape).astype(np.float32))


def assert_same(ours, theirs):
    """The same structure, values (Tensors to float32's precision, NaN where PyTorch has NaN)
    and, for Tensors, whether they require grad."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    elif hasattr(theirs, "detach"):
        assert ours.requires_grad == theirs.requires_grad
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5,
                                   atol=1e-6, strict=True)
    else:
        assert ours == theirs


def against_pytorch(sample):
    torch = pytest.importorskip("torch")
    assert_same(sample(minitorch), sample(torch))


# ----- Autograd mechanics --------------------------------------------------------------------


def requires_grad_sample(torch):
    x = torch.randn(5, 5)  # requires_grad=False by default
    y = torch.randn(5, 5)  # requires_grad=False by default
    z = torch.randn((5, 5), requires_grad=True)
    a = x + y
    b = a + z
    return a.requires_grad, b.requires_grad


def grad_modes_sample(torch):
    x = torch.ones(2, requires_grad=True)
    seen = []
    with torch.no_grad():
        seen += [(x * 2).requires_grad, torch.is_grad_enabled()]
        with torch.enable_grad():
            seen.append((x * 2).requires_grad)
    with torch.set_grad_enabled(False):
        seen.append((x * 2).requires_grad)
    with torch.inference_mode():
        seen += [(x * 2).requires_grad, torch.is_inference_mode_enabled(), torch.is_grad_enabled()]
        with torch.inference_mode(False):
            seen += [torch.is_inference_mode_enabled(), (x * 2).requires_grad]
        seen.append(torch.is_inference_mode_enabled())
    seen.append(torch.is_inference_mode_enabled())
    return seen


def division_by_zero_sample(torch):
    x = torch.tensor([1., 1.], requires_grad=True)
    div = torch.tensor([0., 1.])
    y = x / div          # Results in [inf, 1]
    mask = div != 0      # [False, True]
    loss = y[mask].sum()
    loss.backward()
    unsafe = x.grad      # [nan, 1], not [0, 1]

    x = torch.tensor([1., 1.], requires_grad=True)
    mask = div != 0
    safe = torch.zeros_like(x)
    safe[mask] = x[mask] / div[mask]
    loss = safe.sum()
    loss.backward()      # Produces safe gradients [0, 1]
    return unsafe, x.grad


def freeze_sample(torch):
    """Finetuning: the base frozen, a new last layer trained (a small stand-in for resnet18)."""
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.base = nn.Linear(3, 4)
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            return self.fc(self.base(x).relu())

    model = Net()
    for param in model.parameters():
        param.requires_grad = False
    # Replace the last fully-connected layer
    # Parameters of newly constructed modules have requires_grad=True by default
    model.fc = nn.Linear(4, 2)
    out = model(draw(torch, 5, 3, dtype=torch.float32)).sum()
    out.backward()
    return [p.requires_grad for p in model.parameters()], model.base.weight.grad is None


def tensor_hooks_sample(torch):
    v = torch.tensor([0., 0., 0.], requires_grad=True)
    h = v.register_hook(lambda grad: grad * 2)  # double the gradient
    v.backward(torch.tensor([1., 2., 3.]))
    doubled = v.grad.clone()
    h.remove()  # removes the hook
    seen = []
    t = torch.tensor(1., requires_grad=True).sin()
    t.cos_()
    t.register_hook(lambda grad: seen.append(grad.clone()))
    t.backward()
    return doubled, seen


def in_place_check_sample(torch):
    """The version check: a saved tensor changed in place makes backward raise. (Changed by
    a recorded in-place operation, minitorch gives it new memory and backward is right where
    PyTorch raises, so the change here is not recorded.)"""
    a = torch.tensor([1., 2.], requires_grad=True)
    b = a.exp()
    c = b * b
    with torch.no_grad():
        b.add_(1)
    try:
        c.sum().backward()
        return "no error"
    except RuntimeError:
        return "RuntimeError"


def threads_sample(torch):
    import threading

    grads = []

    def train_fn():
        x = torch.ones(5, 5, requires_grad=True)
        # forward
        y = (x + 3) * (x + 4) * 0.5
        # backward
        y.sum().backward()
        grads.append(x.grad)

    threads = []
    for _ in range(4):
        p = threading.Thread(target=train_fn, args=())
        p.start()
        threads.append(p)
    for p in threads:
        p.join()
    return grads


@pytest.mark.parametrize("sample", [
    requires_grad_sample, grad_modes_sample, division_by_zero_sample, freeze_sample,
    tensor_hooks_sample, in_place_check_sample, threads_sample,
])
def test_autograd_mechanics(sample):
    with np.errstate(divide="ignore", invalid="ignore"):
        assert sample(minitorch) is not None
        against_pytorch(sample)


# ----- Extending torch.autograd --------------------------------------------------------------


def linear_function(torch):
    """The note's LinearFunction, with forward and setup_context apart, and its wrapper."""

    class LinearFunction(torch.autograd.Function):
        @staticmethod
        def forward(input, weight, bias):
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def setup_context(ctx, inputs, output):
            input, weight, bias = inputs
            ctx.save_for_backward(input, weight, bias)

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    def linear(input, weight, bias=None):
        return LinearFunction.apply(input, weight, bias)

    return LinearFunction, linear


def combined_linear_function(torch):
    """The same Function with ctx as forward's first argument."""

    class LinearFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    return LinearFunction


def linear_sample(torch):
    _, linear = linear_function(torch)
    x = draw(torch, 3, 4, seed=1, requires_grad=True)
    w = draw(torch, 2, 4, seed=2, requires_grad=True)
    b = draw(torch, 2, seed=3, requires_grad=True)
    y = linear(x, w, b)
    (y * y).sum().backward()
    frozen = linear(x, w.detach())  # needs_input_grad[1] is False: no weight gradient
    frozen.sum().backward()
    return y, x.grad, w.grad, b.grad


def gradcheck_sample(torch):
    gradcheck = torch.autograd.gradcheck

    _, linear = linear_function(torch)
    # gradcheck takes a tuple of tensors as input, check if your gradient
    # evaluated with these tensors are close enough to numerical
    # approximations and returns True if they all verify this condition.
    input = (draw(torch, 6, 5, dtype=torch.double, requires_grad=True),
             draw(torch, 4, 5, seed=1, dtype=torch.double, requires_grad=True))
    test = gradcheck(linear, input, eps=1e-6, atol=1e-4)
    combined = combined_linear_function(torch)
    with_bias = input + (draw(torch, 4, seed=2, dtype=torch.double, requires_grad=True),)
    return (test, gradcheck(combined.apply, with_bias, eps=1e-6, atol=1e-4),
            torch.autograd.gradgradcheck(combined.apply, with_bias))


def mul_constant_sample(torch):
    class MulConstant(torch.autograd.Function):
        @staticmethod
        def forward(tensor, constant):
            return tensor * constant

        @staticmethod
        def setup_context(ctx, inputs, output):
            tensor, constant = inputs
            ctx.set_materialize_grads(False)
            ctx.constant = constant

        @staticmethod
        def backward(ctx, grad_output):
            if grad_output is None:
                return None, None
            return grad_output * ctx.constant, None

    x = draw(torch, 3, requires_grad=True)
    y = MulConstant.apply(x, 5.5)
    y.sum().backward()
    return y, x.grad


def my_cube_sample(torch):
    class MyCube(torch.autograd.Function):
        @staticmethod
        def forward(x):
            # We wish to save dx for backward. In order to do so, it must
            # be returned as an output.
            dx = 3 * x ** 2
            result = x ** 3
            return result, dx

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, = inputs
            result, dx = output
            ctx.save_for_backward(x, dx)

        @staticmethod
        def backward(ctx, grad_output, grad_dx):
            x, dx = ctx.saved_tensors
            # In order for the autograd.Function to work with higher-order
            # gradients, we must add the gradient contribution of `dx`,
            # which is grad_dx * 6 * x.
            result = grad_output * dx + grad_dx * 6 * x
            return result

    def my_cube(x):
        result, dx = MyCube.apply(x)
        return result

    x = draw(torch, 3, dtype=torch.double, requires_grad=True)
    first, = torch.autograd.grad(my_cube(x).sum(), x, create_graph=True)
    second, = torch.autograd.grad(first.sum(), x)
    checks = torch.autograd.gradcheck(my_cube, (x,)), torch.autograd.gradgradcheck(my_cube, (x,))
    return first, second, checks


def once_differentiable_sample(torch):
    once_differentiable = torch.autograd.function.once_differentiable

    class Func(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, z):
            w = x * z
            out = x * y + y * z + w * y
            ctx.save_for_backward(x, y, w, out)
            ctx.z = z  # z is not a tensor
            return out

        @staticmethod
        @once_differentiable
        def backward(ctx, grad_out):
            x, y, w, out = ctx.saved_tensors
            z = ctx.z
            gx = grad_out * (y + y * z)
            gy = grad_out * (x + z + w)
            gz = None
            return gx, gy, gz

    a = torch.tensor(1., requires_grad=True, dtype=torch.double)
    b = torch.tensor(2., requires_grad=True, dtype=torch.double)
    c = 4
    d = Func.apply(a, b, c)
    first = torch.autograd.grad(d, (a, b), create_graph=True)  # no graph: a seed of 1
    seed = torch.tensor(1., requires_grad=True, dtype=torch.double)
    ga, gb = torch.autograd.grad(Func.apply(a, b, c), (a, b), seed, create_graph=True)
    try:
        (ga + gb).backward()
        second = "no error"
    except RuntimeError as error:
        second = str(error)
    return first, ga, second


def non_differentiable_sample(torch):
    once_differentiable = torch.autograd.function.once_differentiable

    class Func(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            sorted, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x, idx)
            return sorted, idx

        @staticmethod
        @once_differentiable
        def backward(ctx, g1, g2):  # still need to accept g2
            x, idx = ctx.saved_tensors
            grad_input = torch.zeros_like(x)
            grad_input.index_add_(0, idx, g1)
            return grad_input

    x = draw(torch, 4, requires_grad=True)
    values, idx = Func.apply(x)
    (values * torch.arange(4.0, dtype=torch.double)).sum().backward()
    return values, idx.tolist(), idx.requires_grad, x.grad


def materialize_grads_sample(torch):
    once_differentiable = torch.autograd.function.once_differentiable

    class SimpleFunc(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone(), x.clone()

        @staticmethod
        @once_differentiable
        def backward(ctx, g1, g2):
            return g1 + g2  # No check for None necessary

    class Func(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            ctx.save_for_backward(x)
            return x.clone(), x.clone()

        @staticmethod
        @once_differentiable
        def backward(ctx, g1, g2):
            x, = ctx.saved_tensors
            grad_input = torch.zeros_like(x)
            if g1 is not None:  # We must check for None now
                grad_input += g1
            if g2 is not None:
                grad_input += g2
            return grad_input

    grads = []
    for function in (SimpleFunc, Func):
        a = torch.tensor(1., requires_grad=True)
        b, _ = function.apply(a)  # induces g2 to be undefined
        b.backward()
        grads.append(a.grad)
    return grads


def module_sample(torch):
    """Extending torch.nn: a Linear module on the LinearFunction."""
    nn = torch.nn
    LinearFunction, _ = linear_function(torch)

    class Linear(nn.Module):
        def __init__(self, input_features, output_features, bias=True):
            super().__init__()
            self.input_features = input_features
            self.output_features = output_features
            self.weight = nn.Parameter(torch.empty(output_features, input_features))
            if bias:
                self.bias = nn.Parameter(torch.empty(output_features))
            else:
                self.register_parameter('bias', None)
            nn.init.uniform_(self.weight, -0.1, 0.1)
            if self.bias is not None:
                nn.init.uniform_(self.bias, -0.1, 0.1)

        def forward(self, input):
            return LinearFunction.apply(input, self.weight, self.bias)

        def extra_repr(self):
            return 'input_features={}, output_features={}, bias={}'.format(  # noqa: UP032
                self.input_features, self.output_features, self.bias is not None
            )

    with_bias, without = Linear(4, 3), Linear(4, 3, bias=False)
    with torch.no_grad():
        for p in [*with_bias.parameters(), *without.parameters()]:  # the same values in both
            p.copy_(draw(torch, *p.shape, seed=p.numel(), dtype=torch.float32))
    x = draw(torch, 2, 4, dtype=torch.float32)
    with_bias(x).sum().backward()
    without(x).pow(2).sum().backward()
    return (repr(with_bias), repr(without), [n for n, _ in without.named_parameters()],
            with_bias.weight.grad, with_bias.bias.grad, without.weight.grad)


@pytest.mark.parametrize("sample", [
    linear_sample, gradcheck_sample, mul_constant_sample, my_cube_sample,
    once_differentiable_sample, non_differentiable_sample, materialize_grads_sample,
    module_sample,
])
def test_extending_autograd(sample):
    assert sample(minitorch) is not None
    against_pytorch(sample)


def test_gradcheck_results():
    assert gradcheck_sample(minitorch) == (True, True, True)
    _, _, second = once_differentiable_sample(minitorch)
    assert second == ("trying to differentiate twice a function that was marked with "
                      "@once_differentiable")


# ----- torch.autograd's functions ------------------------------------------------------------


def grad_sample(torch):
    x = draw(torch, 3, requires_grad=True)
    unused = torch.tensor([1.], requires_grad=True)
    y = x ** 3
    g, = torch.autograd.grad(y, x, grad_outputs=torch.ones_like(y), retain_graph=True,
                             create_graph=True)
    gg, none = torch.autograd.grad(g.sum(), [x, unused], allow_unused=True)
    again, = torch.autograd.grad(y.sum(), x)
    w = torch.tensor([3., 4.], requires_grad=True)
    z = torch.tensor([1., 2.], requires_grad=True)
    (z * w).sum().backward(inputs=[z])
    torch.autograd.backward((z * w).sum(), inputs=w)
    return g, gg, none, again, z.grad, w.grad


def functional_sample(torch):
    F = torch.autograd.functional

    def exp_reducer(x):
        return x.exp().sum(dim=1)

    def adder(x, y):
        return 2 * x + 3 * y

    def exp_adder(x, y):
        return 2 * x.exp() + 3 * y

    def pow_reducer(x):
        return x.pow(3).sum()

    def pow_adder_reducer(x, y):
        return (2 * x.pow(2) + 3 * y.pow(2)).sum()

    def linear_model(x):
        W = torch.tensor([[2.0, -1.0], [0.0, 1.0]])
        b = torch.tensor([1.0, 0.5])
        return x @ W.T + b

    inputs, pair = uniform(torch, 4, 4), (uniform(torch, 2), uniform(torch, 2, seed=2))
    square = uniform(torch, 2, 2)
    return [
        F.vjp(exp_reducer, inputs, torch.ones(4)),
        F.vjp(exp_reducer, inputs, torch.ones(4), create_graph=True),
        F.vjp(adder, pair, torch.ones(2)),
        F.jvp(exp_reducer, inputs, torch.ones(4, 4)),
        F.jvp(exp_reducer, inputs, torch.ones(4, 4), create_graph=True),
        F.jvp(adder, pair, (torch.ones(2), torch.ones(2))),
        F.jacobian(exp_reducer, square),
        F.jacobian(exp_reducer, square, create_graph=True),
        F.jacobian(exp_adder, pair),
        tuple(F.jacobian(linear_model, uniform(torch, 4, 2), vectorize=True).shape),
        F.hessian(pow_reducer, square),
        F.hessian(pow_reducer, square, create_graph=True),
        F.hessian(pow_adder_reducer, pair),
        F.vhp(pow_reducer, square, torch.ones(2, 2)),
        F.vhp(pow_reducer, square, torch.ones(2, 2), create_graph=True),
        F.vhp(pow_adder_reducer, pair, (torch.zeros(2), torch.ones(2))),
        F.hvp(pow_reducer, square, torch.ones(2, 2)),
        F.hvp(pow_reducer, square, torch.ones(2, 2), create_graph=True),
        F.hvp(pow_adder_reducer, pair, (torch.zeros(2), torch.ones(2))),
        F.vjp(pow_reducer, square),  # v left out for a one-element output
    ]


@pytest.mark.parametrize("sample", [grad_sample, functional_sample])
def test_autograd_functions(sample):
    assert sample(minitorch) is not None
    against_pytorch(sample)


# ----- the pieces added for these samples, on their own ---------------------------------------


def test_gradcheck_takes_pytorchs_tuple_and_checks_only_inputs_that_require_grad():
    x = minitorch.tensor([0.5, 1.5], dtype=minitorch.float64, requires_grad=True)
    constant = minitorch.tensor([2.0, 3.0], dtype=minitorch.float32)
    seen = []

    def fn(a, c):
        seen.append((a.dtype, a.requires_grad, c is constant))
        return a * c

    assert minitorch.autograd.gradcheck(fn, (x, constant))
    assert all(c for *_, c in seen)  # the constant passed through as it is
    wrong = type("Wrong", (minitorch.autograd.Function,), {
        "forward": staticmethod(lambda ctx, t: t * t),
        "backward": staticmethod(lambda ctx, g: g),
    })
    assert minitorch.autograd.gradcheck(wrong.apply, (x,), raise_exception=False) is False
    with pytest.raises(minitorch.GradcheckError):
        minitorch.autograd.gradcheck(wrong.apply, (x,))
    assert minitorch.autograd.gradgradcheck(lambda a, c: a ** 3 * c, (x, constant))


def test_numpy_of_a_tensor_that_requires_grad_works_with_recording_off():
    x = minitorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad"):
        x.numpy()
    with minitorch.no_grad():
        assert x.numpy() is x._data


def test_once_differentiable_backward_runs_with_recording_off():
    from minitorch.autograd.function import once_differentiable

    modes = []

    class Square(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            modes.append(minitorch.is_grad_enabled())
            x, = ctx.saved_tensors
            return 2 * x * grad

    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    seed = minitorch.ones(2, requires_grad=True)
    g, = minitorch.autograd.grad(Square.apply(x), x, seed, create_graph=True)
    assert modes == [False] and g.tolist() == [2.0, 4.0] and g.grad_fn.name() == "Error"
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()
    Square.apply(x).sum().backward()  # first order as usual
    assert x.grad.tolist() == [2.0, 4.0]


def test_is_inference_mode_enabled_follows_nesting_and_decoration():
    assert not minitorch.is_inference_mode_enabled()

    @minitorch.inference_mode()
    def inside():
        return minitorch.is_inference_mode_enabled(), minitorch.is_grad_enabled()

    assert inside() == (True, False)
    with minitorch.inference_mode():
        with minitorch.no_grad():
            assert minitorch.is_inference_mode_enabled()
        with minitorch.inference_mode(False):
            assert not minitorch.is_inference_mode_enabled() and minitorch.is_grad_enabled()
        assert minitorch.is_inference_mode_enabled()
    assert not minitorch.is_inference_mode_enabled()


def test_functional_strict_and_v_checks_as_pytorch():
    F = minitorch.autograd.functional
    x = minitorch.ones(2)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        F.jacobian(lambda a, b: a * 2, (x, x), strict=True)
    assert F.jacobian(lambda a, b: a * 2, (x, x))[1].tolist() == [[0.0, 0.0], [0.0, 0.0]]
    with pytest.raises(RuntimeError, match="v can be left out only"):
        F.vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match=r"v has shape \(3,\)"):
        F.jvp(lambda a: a * 2, x, minitorch.ones(3))
    out, product = F.jvp(lambda a: (a * 2, a.sum()), x, minitorch.ones(2))
    assert [t.tolist() for t in product] == [[2.0, 2.0], 2.0]
