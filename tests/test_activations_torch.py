"""The activation layers against PyTorch's: outputs, input gradients, in-place forms, reprs,
and PReLU's state dict."""

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.nn import functional as F

torch = pytest.importorskip("torch")

# (constructor arguments, as given to both frameworks' class of the same name)
MODULES = [
    ("ReLU", ()), ("ReLU", (True,)), ("LeakyReLU", (0.2, True)), ("LeakyReLU", ()),
    ("SiLU", (True,)), ("ELU", ()), ("ELU", (0.5, True)), ("SELU", ()), ("SELU", (True,)),
    ("CELU", (2.0,)), ("CELU", (0.5, True)), ("Hardtanh", ()), ("Hardtanh", (-2, 0.5, True)),
    ("ReLU6", ()), ("ReLU6", (True,)), ("Softplus", ()), ("Softplus", (2, 1)),
    ("Softsign", ()), ("LogSigmoid", ()), ("Mish", ()), ("Mish", (True,)), ("Hardswish", ()),
    ("Hardswish", (True,)), ("Hardsigmoid", ()), ("Hardsigmoid", (True,)), ("PReLU", ()),
    ("PReLU", (3, 0.1)), ("Threshold", (0.1, 20)), ("Threshold", (0.1, -2.0, True)),
    ("Tanhshrink", ()), ("Softmin", (1,)), ("GELU", ("tanh",)), ("Dropout", (0.5, False)),
    ("Dropout", (0.3, True)),
]


def _input() -> np.ndarray:
    """(2, 3, 4) values in [-8, 8], away from every kink (0, +-1, +-3, 6, the thresholds)."""
    values = np.random.default_rng(0).uniform(-8, 8, (2, 3, 4))
    kinks = np.array([0, 0.1, 0.5, 1, 3, 6, 20])
    close = np.abs(np.abs(values)[..., None] - kinks).min(-1) < 0.05
    return np.where(close, values + 0.1, values).astype(np.float32)


@pytest.mark.parametrize("name, args", MODULES, ids=[f"{n}{a}" for n, a in MODULES])
def test_module_matches_torch(name, args):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    if name == "Dropout":  # random: the identity in evaluation mode, inplace or not
        ours.eval(), theirs.eval()
    x = _input()
    # in-place layers change their input: a computed one (x * 1), as in a network
    mx = mt.Tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    m_in, t_in = mx * 1.0, tx * 1.0
    m_out, t_out = ours(m_in), theirs(t_in)
    assert (m_out is m_in) == (t_out is t_in)  # inplace, or Dropout's evaluation mode
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    weights = np.random.default_rng(1).normal(size=x.shape).astype(np.float32)
    (m_out * mt.Tensor(weights)).sum().backward()
    (t_out * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    if name == "PReLU":
        np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(),
                                   rtol=1e-5, atol=1e-5)


FUNCTIONS = ["relu", "leaky_relu", "silu", "elu", "selu", "celu", "hardtanh", "relu6",
             "hardswish", "hardsigmoid", "mish"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_inplace_function_matches_torch(name):
    x = _input()
    ours, theirs = mt.Tensor(x), torch.tensor(x)
    m_out = getattr(F, name)(ours, inplace=True)
    t_out = getattr(torch.nn.functional, name)(theirs, inplace=True)
    assert m_out is ours and t_out is theirs
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_inplace_on_a_leaf_that_requires_grad_raises_as_in_torch():
    x = _input()
    with pytest.raises(RuntimeError, match="leaf"):
        torch.nn.ReLU(inplace=True)(torch.tensor(x, requires_grad=True))
    with pytest.raises(RuntimeError, match="leaf"):
        nn.ReLU(inplace=True)(mt.Tensor(x, requires_grad=True))


def test_relu_after_linear_inplace_matches_torch():
    torch_model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(inplace=True),
                                      torch.nn.Linear(5, 2), torch.nn.LeakyReLU(0.2, True))
    model = nn.Sequential(nn.Linear(4, 5), nn.ReLU(inplace=True), nn.Linear(5, 2),
                          nn.LeakyReLU(0.2, True))
    model.load_state_dict({k: v.detach().numpy() for k, v in torch_model.state_dict().items()})
    x = np.random.default_rng(2).normal(size=(6, 4)).astype(np.float32)
    model(mt.Tensor(x)).sum().backward()
    torch_model(torch.tensor(x)).sum().backward()
    for (name, p), (_, q) in zip(model.named_parameters(), torch_model.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)


def test_tensor_relu_inplace_matches_torch():
    x = _input()
    ours, theirs = mt.Tensor(x), torch.tensor(x)
    assert ours.relu_() is ours and theirs.relu_() is theirs
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_softplus_and_logsigmoid_of_extreme_inputs_match_torch():
    x = np.array([-200.0, -40.0, -1e-3, 0.0, 15.0, 40.0, 200.0], dtype=np.float32)
    for beta, threshold in [(1.0, 20.0), (0.5, 5.0)]:
        np.testing.assert_allclose(F.softplus(mt.Tensor(x), beta, threshold).numpy(),
                                   torch.nn.functional.softplus(torch.tensor(x), beta,
                                                                threshold).numpy(), rtol=1e-6)
    np.testing.assert_allclose(F.logsigmoid(mt.Tensor(x)).numpy(),
                               torch.nn.functional.logsigmoid(torch.tensor(x)).numpy(),
                               rtol=1e-6)


def test_prelu_state_dict_loads_into_torch_and_back():
    ours = nn.PReLU(3)
    ours.weight.data[:] = [0.1, 0.2, 0.3]
    theirs = torch.nn.PReLU(3)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    assert list(theirs.state_dict()) == list(ours.state_dict()) == ["weight"]
    theirs.weight.data.mul_(2)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(ours.weight.detach().numpy(), [0.2, 0.4, 0.6], rtol=1e-6)
