"""PyTorch's "Learning PyTorch with Examples" (pytorch/tutorials, beginner_source/examples_*)
and its autograd and tensor tutorials (blitz/autograd_tutorial, basics/autogradqs_tutorial,
basics/tensorqs_tutorial), written once for a module that is either library and run with
``import minitorch as torch``.

Each polynomial program is the tutorial's, with its loop shortened by ``steps`` and the losses
it prints returned instead. Against PyTorch, both libraries take their random draws from one
NumPy stream (:func:`same_draws`), so each starts from the same weights and the printed losses
must agree. (pytorch/tutorials is BSD-3-Clause licensed, copyright the PyTorch contributors.)
"""

import contextlib
import math
import random
import re

import numpy as np
import pytest

import minitorch

STEPS = 500


@contextlib.contextmanager
def same_draws(torch, seed: int = 0):
    """``torch.randn`` and the initial weights of ``nn.Linear`` drawn from a NumPy stream, and
    Python's ``random`` seeded, so that both libraries run a program from the same values."""
    rng = np.random.default_rng(seed)

    def randn(*size, dtype=None, requires_grad=False, device=None):
        size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return torch.tensor(rng.standard_normal(size).astype(np.float32),
                            dtype=dtype or torch.float32, requires_grad=requires_grad)

    def linear_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        bound = 1 / math.sqrt(self.weight.shape[1])
        with torch.no_grad():
            for p in (self.weight, self.bias):  # the programs' layers all have a bias
                p.copy_(torch.tensor(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))

    original_randn, original_init = torch.randn, torch.nn.Linear.__init__
    torch.randn, torch.nn.Linear.__init__ = randn, linear_init
    random.seed(seed)
    try:
        yield
    finally:
        torch.randn, torch.nn.Linear.__init__ = original_randn, original_init


# ----- the programs ---------------------------------------------------------------------------


def polynomial_tensor(torch, steps=2000):
    """examples_tensor/polynomial_tensor.py: the gradients written by hand."""
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.randn((), device=device, dtype=dtype)
    b = torch.randn((), device=device, dtype=dtype)
    c = torch.randn((), device=device, dtype=dtype)
    d = torch.randn((), device=device, dtype=dtype)
    learning_rate = 1e-6
    losses = []
    for t in range(steps):
        y_pred = a + (b * x) + (c * x.pow(2)) + (d * x.pow(3))
        loss = (y_pred - y).pow(2).sum().item()
        if t % 100 == 99:
            losses.append(loss)
        grad_y_pred = -2.0 * (y - y_pred)
        grad_a = grad_y_pred.sum()
        grad_b = torch.matmul(input=grad_y_pred, other=x).sum()
        grad_c = torch.matmul(input=grad_y_pred, other=x.pow(2)).sum()
        grad_d = torch.matmul(input=grad_y_pred, other=x.pow(3)).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    return losses, f"y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3"


def polynomial_autograd(torch, steps=2000):
    """examples_autograd/polynomial_autograd.py: autograd, updated under no_grad."""
    dtype = torch.float
    device = (torch.accelerator.current_accelerator().type if torch.accelerator.is_available()
              else "cpu")
    torch.set_default_device(device)
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a = torch.randn((), dtype=dtype, requires_grad=True)
    b = torch.randn((), dtype=dtype, requires_grad=True)
    c = torch.randn((), dtype=dtype, requires_grad=True)
    d = torch.randn((), dtype=dtype, requires_grad=True)
    learning_rate = 1e-6
    losses = []
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
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
    return losses, f"y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3"


def polynomial_custom_function(torch, steps=2000):
    """examples_autograd/polynomial_custom_function.py: a torch.autograd.Function."""

    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    losses = []
    for t in range(steps):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
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
    return losses, f"y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)"


def _linear_layer_result(model) -> str:
    linear_layer = model[0]
    return (f"y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
            f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3")


def polynomial_nn(torch, steps=2000):
    """examples_nn/polynomial_nn.py: nn.Sequential(Linear, Flatten(0, 1)), updated by hand."""
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate = 1e-6
    losses = []
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 100 == 99:
            losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    return losses, _linear_layer_result(model)


def polynomial_optim(torch, steps=2000, optimizer_name="RMSprop", learning_rate=1e-3):
    """examples_nn/polynomial_optim.py (RMSprop at lr 1e-3; an earlier version: SGD at 1e-6)."""
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = getattr(torch.optim, optimizer_name)(model.parameters(), lr=learning_rate)
    losses = []
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 100 == 99:
            losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses, _linear_layer_result(model)


def polynomial_module(torch, steps=2000):
    """examples_nn/polynomial_module.py: a Module of four scalar Parameters, with SGD."""

    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

        def string(self):
            return (f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + "
                    f"{self.d.item()} x^3")

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    losses = []
    for t in range(steps):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if t % 100 == 99:
            losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses, model.string()


def dynamic_net(torch, steps=30000, every=2000):
    """examples_nn/dynamic_net.py: 4 or 5 orders drawn each pass, the last Parameter reused
    for both, SGD with momentum (some steps leave ``e`` without a gradient)."""

    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))
            self.e = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
            for exp in range(4, random.randint(4, 6)):
                y = y + self.e * x ** exp
            return y

        def string(self):
            return (f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + "
                    f"{self.d.item()} x^3 + {self.e.item()} x^4 ? + {self.e.item()} x^5 ?")

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = DynamicNet()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    losses = []
    for t in range(steps):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if t % every == every - 1:
            losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses, model.string()


PROGRAMS = {
    "tensor": polynomial_tensor,
    "autograd": polynomial_autograd,
    "custom_function": polynomial_custom_function,
    "nn": polynomial_nn,
    "optim_rmsprop": polynomial_optim,
    "optim_sgd": lambda torch, steps: polynomial_optim(torch, steps, "SGD", 1e-6),
    "module": polynomial_module,
    "dynamic_net": lambda torch, steps: dynamic_net(torch, steps, every=100),
}


def numbers(result: str) -> list[float]:
    """The coefficients in the result line the program prints."""
    return [float(n) for n in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", result)]


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_program_runs_and_its_loss_falls(name):
    with same_draws(minitorch):
        losses, result = PROGRAMS[name](minitorch, STEPS)
    assert len(losses) == STEPS // 100 and all(map(math.isfinite, losses))
    assert losses[-1] < losses[0] and result.startswith("y = ")
    assert len(numbers(result)) >= 4


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_program_prints_pytorchs_losses_from_the_same_weights(name):
    torch = pytest.importorskip("torch")
    with same_draws(minitorch):
        ours, our_result = PROGRAMS[name](minitorch, STEPS)
    with same_draws(torch):
        theirs, their_result = PROGRAMS[name](torch, STEPS)
    np.testing.assert_allclose(ours, theirs, rtol=2e-5)
    np.testing.assert_allclose(numbers(our_result), numbers(their_result), rtol=1e-4, atol=1e-5)


def test_dynamic_net_keeps_its_momentum_when_e_gets_no_gradient():
    """The first 2000 of dynamic_net's steps bring its loss below 500 (PyTorch: 482.4), as
    SGD's momentum buffer of each 0-d parameter keeps accumulating; a buffer stuck at the first
    gradient left the loss above 10^5."""
    with same_draws(minitorch):
        losses, _ = dynamic_net(minitorch, 2000, every=1000)
    assert losses[-1] < 500


# ----- the autograd and tensor tutorials ------------------------------------------------------


def autogradqs(torch):
    """basics/autogradqs_tutorial.py: one layer's gradients, no_grad and detach, and Jacobian
    products accumulated by backward(gradient, retain_graph=True)."""
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    assert z.grad_fn is not None and loss.grad_fn is not None
    loss.backward()
    flags = [torch.matmul(x, w).add(b).requires_grad]
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    flags.append(z.requires_grad)
    z = torch.matmul(x, w) + b
    flags.append(z.detach().requires_grad)
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    calls = []
    out.backward(torch.ones_like(out), retain_graph=True)
    calls.append(inp.grad.clone())
    out.backward(torch.ones_like(out), retain_graph=True)
    calls.append(inp.grad.clone())
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    calls.append(inp.grad)
    return [w.grad, b.grad, *calls], flags


def blitz_autograd(torch):
    """blitz/autograd_tutorial.py (before its torchvision part): requires_grad_, mean's
    gradient, backward(gradients) of a vector, no_grad; then the current version's
    Q.backward(gradient=external_grad) and frozen parameters."""
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    a = torch.randn(2, 2)
    a = ((a * 3) / (a - 1))
    flags = [a.requires_grad]
    a.requires_grad_(True)
    flags += [a.requires_grad, (a * a).sum().grad_fn is not None]
    out.backward()
    grads = [x.grad]
    x = torch.randn(3, requires_grad=True)
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    gradients = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(gradients)
    grads.append(x.grad)
    flags += [x.requires_grad, (x ** 2).requires_grad]
    with torch.no_grad():
        flags.append((x ** 2).requires_grad)
    a = torch.tensor([2., 3.], requires_grad=True)
    b = torch.tensor([6., 4.], requires_grad=True)
    Q = 3 * a ** 3 - b ** 2
    external_grad = torch.tensor([1., 1.])
    Q.backward(gradient=external_grad)
    flags += (9 * a ** 2 == a.grad).tolist() + (-2 * b == b.grad).tolist()
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 4))
    for param in model.parameters():
        param.requires_grad = False
    model.fc = torch.nn.Linear(16, 10)
    torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    flags.append(sum(p.requires_grad for p in model.parameters()))
    return grads, flags


def tensorqs(torch):
    """basics/tensorqs_tutorial.py: factories, indexing, out=, in-place changes and the
    memory shared with NumPy both ways."""
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    x_np = torch.from_numpy(np.array(data))
    x_ones = torch.ones_like(x_data)
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    assert x_ones.dtype == x_np.dtype == torch.int64 and x_rand.dtype == torch.float32
    tensor = torch.rand(3, 4)
    assert str(tensor.device) == "cpu" and tuple(tensor.shape) == (3, 4)
    if torch.cuda.is_available() & (torch.device('cuda').index is not None):
        tensor = tensor.to('cuda')
    tensor = torch.ones(4, 4)
    tensor[:, 1] = 0
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(tensor)
    torch.matmul(tensor, tensor.T, out=y3)
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    agg_item = tensor.sum().item()
    tensor.add_(5)
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    shared = [n.tolist()]
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    shared.append(t.tolist())
    return [t1, y1, y2, y3, z1, z2, z3, tensor], (agg_item, type(agg_item), shared)


TUTORIALS = {"autogradqs": autogradqs, "blitz_autograd": blitz_autograd, "tensorqs": tensorqs}


def test_the_autograd_and_tensor_tutorials_give_their_documented_values():
    with same_draws(minitorch):
        grads, flags = blitz_autograd(minitorch)
    assert grads[0].tolist() == [[4.5, 4.5], [4.5, 4.5]]
    assert flags == [False, True, True, True, True, False, True, True, True, True, 2]
    with same_draws(minitorch):
        tensors, flags = autogradqs(minitorch)
    assert flags == [True, False, False]
    first = 2 * (minitorch.eye(4, 5) + 1)
    for call, expected in zip(tensors[2:], (first, 2 * first, first), strict=True):
        assert call.tolist() == expected.tolist()
    tensors, (agg_item, kind, shared) = tensorqs(minitorch)
    assert agg_item == 12.0 and kind is float and shared == [[2.0] * 5, [2.0] * 5]
    assert tensors[3].tolist() == tensors[1].tolist() == [[3.0] * 4] * 4


@pytest.mark.parametrize("name", TUTORIALS)
def test_the_tutorial_gives_pytorchs_values_from_the_same_draws(name):
    torch = pytest.importorskip("torch")
    with same_draws(minitorch):
        ours, our_flags = TUTORIALS[name](minitorch)
    with same_draws(torch):
        theirs, their_flags = TUTORIALS[name](torch)
    assert str(our_flags) == str(their_flags).replace("torch.", "minitorch.")
    for mine, its in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(mine.numpy(), its.numpy(), rtol=1e-5, atol=1e-6)
