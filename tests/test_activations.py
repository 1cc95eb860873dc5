"""Activation layers: ``inplace=True`` semantics, options, reprs and argument errors (values
and gradients are checked in tests/op_registry.py, PyTorch parity in
tests/test_activations_torch.py)."""

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.nn import functional as F

VALUES = [-2.0, -0.5, 0.5, 2.0]

INPLACE_LAYERS = [
    (nn.ReLU(inplace=True), [0.0, 0.0, 0.5, 2.0]),
    (nn.LeakyReLU(0.2, inplace=True), [-0.4, -0.1, 0.5, 2.0]),
    (nn.ReLU6(inplace=True), [0.0, 0.0, 0.5, 2.0]),
    (nn.Hardtanh(-1.0, 1.0, True), [-1.0, -0.5, 0.5, 1.0]),
    (nn.Threshold(0.0, 9.0, True), [9.0, 9.0, 0.5, 2.0]),
    (nn.ELU(inplace=True), list(np.where(np.array(VALUES) > 0, VALUES, np.expm1(VALUES)))),
]


@pytest.mark.parametrize("layer, expected", INPLACE_LAYERS, ids=lambda v: repr(v)[:20])
def test_inplace_layer_changes_and_returns_its_input(layer, expected):
    x = mt.Tensor(VALUES)
    assert layer(x) is x
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-6)


def test_inplace_function_and_tensor_relu_():
    x = mt.Tensor(VALUES)
    assert F.relu(x, inplace=True) is x and x.tolist() == [0.0, 0.0, 0.5, 2.0]
    y = mt.Tensor(VALUES)
    assert y.relu_() is y and y.tolist() == [0.0, 0.0, 0.5, 2.0]
    z = mt.Tensor(VALUES)
    assert F.relu(z) is not z and z.tolist() == VALUES  # out of place by default


def test_inplace_dropout_in_training_and_evaluation():
    x = mt.Tensor(np.ones(1000))
    layer = nn.Dropout(0.5, inplace=True)
    assert layer(x) is x
    assert set(np.unique(x.numpy())) == {0.0, 2.0}
    layer.eval()
    y = mt.Tensor(VALUES)
    assert layer(y) is y and y.tolist() == VALUES


def test_inplace_on_a_leaf_that_requires_grad_raises():
    x = mt.Tensor(VALUES, requires_grad=True)
    for layer in (nn.ReLU(inplace=True), nn.Dropout(0.5, inplace=True), nn.SiLU(inplace=True)):
        with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
            layer(x)
    with mt.no_grad():  # as an optimizer changes parameters
        assert nn.ReLU(inplace=True)(x) is x
    assert x.tolist() == [0.0, 0.0, 0.5, 2.0]


@pytest.mark.parametrize("activation", ["ReLU", "LeakyReLU", "SiLU", "ELU", "Hardswish"])
def test_backward_through_an_inplace_layer_after_linear_matches_out_of_place(activation):
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    grads = []
    for inplace in (False, True):
        mt.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), getattr(nn, activation)(inplace=inplace),
                              nn.Linear(4, 2))
        model(mt.Tensor(x)).pow(2).sum().backward()
        grads.append([p.grad.numpy() for p in model.parameters()])
    for plain, in_place in zip(*grads):
        np.testing.assert_allclose(in_place, plain, rtol=1e-6, atol=1e-7)


def test_inplace_activation_of_a_tensor_saved_for_backward():
    w = mt.Tensor([-1.0, 2.0, 3.0, 4.0], requires_grad=True)
    hidden = w * 2.0
    out = hidden * w  # saves hidden for w's gradient
    F.relu(hidden, inplace=True)  # recorded: hidden moves to new memory, the saved value stays
    out.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 4.0 * np.array([-1.0, 2.0, 3.0, 4.0]))
    # when the changed tensor needs no grad, the change writes into its memory: backward raises
    data = mt.Tensor(VALUES)
    out = data * w
    nn.LeakyReLU(0.1, inplace=True)(data)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        out.sum().backward()


def test_reprs():
    assert repr(nn.LeakyReLU(0.2, inplace=True)) == "LeakyReLU(negative_slope=0.2, inplace=True)"
    assert repr(nn.ReLU()) == "ReLU()" and repr(nn.ReLU(True)) == "ReLU(inplace=True)"
    assert repr(nn.ELU()) == "ELU(alpha=1.0)"
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(nn.ReLU6(True)) == "ReLU6(inplace=True)"
    assert repr(nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    assert repr(nn.Threshold(0.1, 20)) == "Threshold(threshold=0.1, value=20)"
    assert repr(nn.PReLU(3)) == "PReLU(num_parameters=3)"
    assert repr(nn.Hardswish(True)) == "Hardswish()"
    assert repr(nn.Dropout(0.5, inplace=False)) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Softmin()) == "Softmin(dim=None)"


def test_prelu_weight_is_a_parameter_broadcast_over_channels():
    layer = nn.PReLU(2, init=0.5)
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert layer.weight.shape == (2,) and layer.weight.tolist() == [0.5, 0.5]
    layer.weight.data[:] = [0.1, 0.2]
    x = mt.Tensor(-np.ones((1, 2, 2)))
    np.testing.assert_allclose(layer(x).detach().numpy(), [[[-0.1, -0.1], [-0.2, -0.2]]], rtol=1e-6)
    with pytest.raises(RuntimeError, match="parameter numbers = 2 and channel size = 3"):
        layer(mt.Tensor(np.ones((1, 3))))


def test_selu_constants():
    out = F.selu(mt.Tensor([1.0, -50.0], dtype=np.float64)).numpy()
    np.testing.assert_allclose(out, [1.0507009873554805, -1.0507009873554805 *
                                     1.6732632423543772], rtol=1e-15)


def test_softplus_keeps_extreme_values_finite_and_exact():
    x = mt.Tensor([-800.0, -40.0, 40.0, 800.0], dtype=np.float64, requires_grad=True)
    out = F.softplus(x)
    np.testing.assert_allclose(out.detach().numpy(), [np.exp(-800.0), np.exp(-40.0), 40, 800])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, np.exp(-40.0), 1.0, 1.0], atol=1e-300)
    np.testing.assert_allclose(F.logsigmoid(mt.Tensor([800.0, -800.0], dtype=np.float64))
                               .numpy(), [-np.exp(-800.0), -800.0])


def test_softmin_dim():
    x = mt.Tensor([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(nn.Softmin(1)(x).numpy(), nn.Softmax(1)(-x).numpy())
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        implicit = nn.Softmin()(x)  # dimension 1 of a 2-d input, as in PyTorch
    np.testing.assert_allclose(implicit.numpy(), nn.Softmin(1)(x).numpy())
    with pytest.raises(IndexError, match="dimension out of range"):
        F.softmin(x, 2)


def test_argument_errors():
    with pytest.raises(TypeError):
        nn.Threshold(0.1)  # threshold and value are both required
    with pytest.raises(TypeError):
        F.threshold(mt.Tensor(VALUES))
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(mt.Tensor(VALUES), 1.0, -1.0)
    with pytest.raises(RuntimeError, match="elu_ on a tensor of shape"):
        F.elu(mt.tensor([1, -1]), inplace=True)  # a float result does not fit an int64 tensor
