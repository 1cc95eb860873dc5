"""Convolution, pooling and batch norm: forward against plain loops (tests/image_references.py
and here), backward against finite differences, and the errors a user sees for wrong shapes
and arguments. The PyTorch comparisons are in tests/test_conv_torch.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from image_references import avg_pool2d_loops, conv2d_loops, max_pool2d_loops

import minitorch as mt
from minitorch import nn, optim
from minitorch.data import DataLoader, TensorDataset
from minitorch.nn import functional as F
from minitorch.ops.conv import AvgPool2d, BatchNorm, Conv2d, MaxPool2d, max_pool_indices, pair

# ----- plain reference implementations --------------------------------------------------------


def batch_norm_plain(x, weight, bias, eps=1e-5):
    axes = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight.reshape(shape) + bias.reshape(shape)


# ----- strategies: small shapes where every window fits ----------------------------------------


def arrays(data, shape):
    return data.draw(st.integers(0, 2**32 - 1).map(
        lambda seed: np.random.default_rng(seed).uniform(-2, 2, shape)))


def distinct(data, shape):
    """Values 0.1 apart in random order: no two tie for a window's maximum."""
    seed = data.draw(st.integers(0, 2**32 - 1))
    values = np.random.default_rng(seed).permutation(int(np.prod(shape))) * 0.1 - 1
    return values.reshape(shape)


@st.composite
def conv_cases(draw):
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    h = draw(st.integers(max(1, kernel[0] - 2 * padding[0]), 7))
    w = draw(st.integers(max(1, kernel[1] - 2 * padding[1]), 7))
    with_bias = draw(st.booleans())
    return (n, c, h, w), (o, c, *kernel), with_bias, stride, padding


@st.composite
def pool_cases(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)),
             draw(st.integers(kernel[0], 7)), draw(st.integers(kernel[1], 7)))
    return shape, kernel, stride


def conv(x, weight, bias, stride, padding):
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return Conv2d.apply(*inputs, stride=stride, padding=padding)


# ----- Conv2d --------------------------------------------------------------------------------


@settings(max_examples=40)
@given(case=conv_cases(), data=st.data(), channels_first=st.booleans())
def test_conv2d_forward_matches_loops(case, data, channels_first):
    """Also on input laid out (C, N, H, W), as a convolution's output is, which the padding
    keeps."""
    x_shape, w_shape, with_bias, stride, padding = case
    x, weight = arrays(data, x_shape), arrays(data, w_shape)
    if channels_first:
        x = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    bias = arrays(data, (w_shape[0],)) if with_bias else None
    expected = conv2d_loops(x, weight, bias, stride, padding)
    tensors = [None if a is None else mt.Tensor(a, dtype=np.float64) for a in (x, weight, bias)]
    np.testing.assert_allclose(conv(*tensors, stride, padding).data, expected, rtol=1e-10,
                               atol=1e-12)
    tensors32 = [None if a is None else mt.Tensor(a, dtype=np.float32) for a in (x, weight, bias)]
    out32 = conv(*tensors32, stride, padding)
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32.data, expected, rtol=1e-4, atol=1e-4)


@settings(max_examples=25)
@given(case=conv_cases(), data=st.data())
def test_conv2d_gradients(case, data):
    x_shape, w_shape, with_bias, stride, padding = case
    inputs = [arrays(data, x_shape), arrays(data, w_shape)]
    if with_bias:
        inputs.append(arrays(data, (w_shape[0],)))
    assert mt.gradcheck(lambda *t: Conv2d.apply(*t, stride=stride, padding=padding), *inputs)


@pytest.mark.parametrize("in_channels, out_channels, groups", [(1, 12, 1), (3, 2, 1),
                                                               (2, 24, 2), (4, 2, 2)])
def test_conv2d_weight_gradient_in_either_product_order(in_channels, out_channels, groups):
    """dL/dW is computed as (X @ G^T)^T when X has more rows (C/G*KH*KW) than G (O/G), else as
    G @ X^T: both orders are checked against finite differences."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, in_channels, 5, 4))
    weight = rng.standard_normal((out_channels, in_channels // groups, 3, 3))
    assert mt.gradcheck(
        lambda *t: Conv2d.apply(*t, stride=(2, 1), padding=(1, 0), groups=groups), x, weight
    )


def test_conv2d_gradients_stay_float32_and_skip_inputs_without_grad():
    x = mt.randn(2, 3, 6, 6)  # no grad wanted: the input gradient is not computed
    weight = mt.randn(4, 3, 3, 3, requires_grad=True)
    bias = mt.zeros(4, requires_grad=True)
    Conv2d.apply(x, weight, bias, stride=(1, 1), padding=(1, 1)).sum().backward()
    assert x.grad is None
    assert weight.grad.dtype == np.float32 and weight.grad.shape == weight.shape
    assert bias.grad.dtype == np.float32
    np.testing.assert_allclose(bias.grad, np.full(4, 2 * 6 * 6))


def test_conv_pool_batchnorm_chain_gradients():
    """Layers fed with each other's non-contiguous outputs and gradients, as in a network."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 2, 6, 6))
    w1, w2 = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal((2, 3, 2, 2))
    gamma, beta = rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)

    def network(x, w1, gamma, beta, w2):
        h = Conv2d.apply(x, w1, stride=(1, 1), padding=(1, 1))
        h = BatchNorm.apply(h, gamma, beta).tanh()
        h = AvgPool2d.apply(h, kernel_size=(2, 2), stride=(2, 2))
        return Conv2d.apply(h, w2, stride=(1, 1), padding=(0, 0))

    assert mt.gradcheck(network, x, w1, gamma, beta, w2)


# ----- pooling ---------------------------------------------------------------------------------


@settings(max_examples=40)
@given(case=pool_cases(), data=st.data())
def test_pools_forward_match_loops(case, data):
    shape, kernel, stride = case
    x = arrays(data, shape)
    for function, loops in ((MaxPool2d, max_pool2d_loops), (AvgPool2d, avg_pool2d_loops)):
        out = function.apply(mt.Tensor(x, dtype=np.float64), kernel_size=kernel, stride=stride)
        np.testing.assert_allclose(out.data, loops(x, kernel, stride), rtol=1e-12)
        out32 = function.apply(mt.Tensor(x, dtype=np.float32), kernel_size=kernel, stride=stride)
        assert out32.dtype == np.float32


@settings(max_examples=25)
@given(case=pool_cases(), data=st.data())
def test_pools_gradients(case, data):
    shape, kernel, stride = case
    x = distinct(data, shape)
    for function in (MaxPool2d, AvgPool2d):
        assert mt.gradcheck(lambda t, f=function: f.apply(t, kernel_size=kernel, stride=stride), x)


def test_max_pool_gives_a_tied_window_gradient_to_its_first_maximum():
    x = mt.Tensor([[[[1.0, 3.0, 3.0],
                     [3.0, 0.0, 2.0],
                     [0.0, 0.0, 0.0]]]], requires_grad=True)
    out = MaxPool2d.apply(x, kernel_size=(2, 2), stride=(1, 1))
    np.testing.assert_array_equal(out.data, [[[[3, 3], [3, 2]]]])
    out.backward(np.array([[[[1.0, 10.0], [100.0, 1000.0]]]], dtype=np.float32))
    # Windows 1 and 2 both pick the 3 at (0, 1): the first maximum in row-major order.
    np.testing.assert_array_equal(x.grad, [[[[0, 11, 0], [100, 0, 1000], [0, 0, 0]]]])



def test_max_pool_gives_the_last_position_the_windows_no_earlier_position_claimed():
    # Window 1: its maximum at the last position; window 2: all tied, so the first position.
    x = mt.Tensor([[[[0.0, 1.0, 0.0, 0.0],
                     [1.0, 2.0, 0.0, 0.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).backward(np.array([[[[5.0, 7.0]]]], dtype=np.float32))
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0, 0, 7, 0], [0, 5, 0, 0]]]])
    one_by_one = mt.Tensor(np.arange(4.0).reshape(1, 1, 2, 2), requires_grad=True)
    F.max_pool2d(one_by_one, 1).backward(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(one_by_one.grad.numpy(), np.ones((1, 1, 2, 2)))


@settings(max_examples=40)
@given(case=pool_cases(), data=st.data(), tiled=st.booleans(), channels_first=st.booleans())
def test_max_pool_gradient_goes_where_max_pool_indices_points(case, data, tiled,
                                                              channels_first):
    """Windows side by side (stride == kernel) take a separable path, overlapping ones the
    general one; both send each window's gradient to the first maximum that argmax finds,
    with many ties (values from {0, 1, 2}) and in a convolution's (C, N, H, W) layout too."""
    shape, kernel, stride = case
    stride = kernel if tiled else stride
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, shape).astype(np.float64)
    if channels_first:
        x = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    where = max_pool_indices(x, kernel, stride, (0, 0), (1, 1), False)
    grad = rng.normal(size=where.shape)
    expected = np.zeros((shape[0], shape[1], shape[2] * shape[3]))
    n, c = np.indices(where.shape[:2])
    np.add.at(expected, (n[..., None, None], c[..., None, None], where), grad)
    t = mt.Tensor(x, requires_grad=True)
    out = MaxPool2d.apply(t, kernel_size=kernel, stride=stride)
    np.testing.assert_array_equal(out.detach().numpy(), max_pool2d_loops(x, kernel, stride))
    out.backward(grad)
    # Overlapping windows that share a maximum add their gradients, in another order.
    np.testing.assert_allclose(t.grad.numpy(), expected.reshape(shape), rtol=1e-12, atol=1e-12)

# ----- batch norm ------------------------------------------------------------------------------

NORM_SHAPES = st.sampled_from([(4, 3), (2, 2), (3, 2, 4), (2, 3, 3, 2), (1, 2, 2, 3)])


@settings(max_examples=20)
@given(shape=NORM_SHAPES, data=st.data())
def test_batch_norm_training_forward_and_gradients(shape, data):
    x = arrays(data, shape) * 3 + 1
    weight, bias = arrays(data, shape[1:2]), arrays(data, shape[1:2])
    out = BatchNorm.apply(*(mt.Tensor(a, dtype=np.float64) for a in (x, weight, bias)))
    np.testing.assert_allclose(out.data, batch_norm_plain(x, weight, bias), rtol=1e-10,
                               atol=1e-12)
    assert mt.gradcheck(lambda *t: BatchNorm.apply(*t), x, weight, bias)


@settings(max_examples=10)
@given(shape=NORM_SHAPES, data=st.data())
def test_batch_norm_with_given_statistics_forward_and_gradients(shape, data):
    x, weight, bias = arrays(data, shape), arrays(data, shape[1:2]), arrays(data, shape[1:2])
    mean, var = arrays(data, shape[1:2]), np.abs(arrays(data, shape[1:2])) + 0.5
    per_channel = (1, -1) + (1,) * (len(shape) - 2)
    expected = ((x - mean.reshape(per_channel)) / np.sqrt(var.reshape(per_channel) + 1e-5)
                * weight.reshape(per_channel) + bias.reshape(per_channel))

    def normalize(*t):
        return BatchNorm.apply(*t, running_mean=mean, running_var=var, training=False)

    np.testing.assert_allclose(normalize(*(mt.Tensor(a, dtype=np.float64) for a in (
        x, weight, bias))).data, expected, rtol=1e-10)
    assert mt.gradcheck(normalize, x, weight, bias)


def test_batch_norm_updates_running_statistics_with_the_unbiased_variance():
    x = np.arange(12, dtype=np.float32).reshape(2, 2, 3)  # channel 0: 0..2, 6..8
    running_mean, running_var = np.zeros(2, np.float32), np.ones(2, np.float32)
    BatchNorm.apply(mt.Tensor(x), mt.ones(2), mt.zeros(2), running_mean=running_mean,
                    running_var=running_var, momentum=0.25)
    per_channel = x.transpose(1, 0, 2).reshape(2, -1)
    np.testing.assert_allclose(running_mean, 0.25 * per_channel.mean(axis=1))
    np.testing.assert_allclose(running_var, 0.75 + 0.25 * per_channel.var(axis=1, ddof=1))
    assert running_mean.dtype == np.float32


# ----- errors ----------------------------------------------------------------------------------


def test_conv2d_errors_name_expected_and_given_shapes():
    x, weight = mt.zeros(1, 3, 5, 5), mt.zeros(4, 2, 3, 3)
    with pytest.raises(ValueError, match="input has 3 channels, but the weight"):
        Conv2d.apply(x, weight, stride=(1, 1), padding=(0, 0))
    with pytest.raises(ValueError, match=r"2x2 pixels \(padded: 2x2\) is smaller than the 3x3"):
        Conv2d.apply(mt.zeros(1, 2, 2, 2), weight, stride=(1, 1), padding=(0, 0))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, C, H, W\), got 3-D"):
        Conv2d.apply(mt.zeros(2, 5, 5), weight, stride=(1, 1), padding=(0, 0))
    with pytest.raises(ValueError, match=r"expected a bias of shape \(4,\), got \(3,\)"):
        Conv2d.apply(mt.zeros(1, 2, 5, 5), weight, mt.zeros(3), stride=(1, 1), padding=(0, 0))


def test_pool_and_batch_norm_errors():
    with pytest.raises(ValueError, match="smaller than the 3x3 kernel"):
        MaxPool2d.apply(mt.zeros(1, 1, 2, 5), kernel_size=(3, 3), stride=(3, 3))
    with pytest.raises(ValueError, match="got 2-D shape"):
        AvgPool2d.apply(mt.zeros(4, 4), kernel_size=(2, 2), stride=(2, 2))
    with pytest.raises(ValueError, match="input has 3 channels, expected 2"):
        BatchNorm.apply(mt.zeros(4, 3), mt.ones(2), mt.zeros(2))
    with pytest.raises(ValueError, match="more than one value per channel"):
        BatchNorm.apply(mt.zeros(1, 2), mt.ones(2), mt.zeros(2))


def test_pair_checks_sizes():
    assert pair(3, "kernel_size", 1) == (3, 3)
    assert pair((2, 1), "stride", 1) == (2, 1)
    with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
        pair(0, "stride", 1)
    with pytest.raises(ValueError, match=r"padding must be >= 0, got \(1, -1\)"):
        pair((1, -1), "padding", 0)
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair of ints"):
        pair(2.5, "kernel_size", 1)
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair of ints"):
        pair((1, 2, 3), "kernel_size", 1)


# ----- modules and functional forms ------------------------------------------------------------


def test_conv2d_module_shapes_parameters_and_dtype():
    layer = nn.Conv2d(3, 8, (3, 2), stride=(2, 1), padding=1)
    assert layer.weight.shape == (8, 3, 3, 2) and layer.bias.shape == (8,)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    out = layer(mt.Tensor(np.zeros((2, 3, 9, 8))))  # float64 input runs in the layer's float32
    assert out.shape == (2, 8, 5, 9) and out.dtype == np.float32
    assert nn.Conv2d(3, 8, 3, bias=False).bias is None
    assert repr(layer) == "Conv2d(3, 8, kernel_size=(3, 2), stride=(2, 1), padding=(1, 1))"


def test_conv2d_module_matches_functional_form():
    layer = nn.Conv2d(2, 3, 3, padding=1)
    x = mt.randn(2, 2, 5, 5)
    expected = conv2d_loops(x.data, layer.weight.data, layer.bias.data, (1, 1), (1, 1))
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(F.conv2d(x, layer.weight, layer.bias, padding=1).data,
                                  layer(x).data)


def test_pool_modules_default_stride_to_kernel_size():
    x = mt.randn(2, 3, 7, 7)
    for module, function, loops in ((nn.MaxPool2d, F.max_pool2d, max_pool2d_loops),
                                    (nn.AvgPool2d, F.avg_pool2d, avg_pool2d_loops)):
        assert module(2).stride == 2  # kept as given, as PyTorch keeps it
        expected = loops(x.data, (2, 2))
        np.testing.assert_allclose(module(2)(x).data, expected, rtol=1e-6)
        np.testing.assert_allclose(function(x, 2).data, expected, rtol=1e-6)
        assert module(3, stride=1)(x).shape == (2, 3, 5, 5)


def test_batch_norm_modules_train_and_eval_like_torch():
    rng = np.random.default_rng(0)
    for layer, shape in ((nn.BatchNorm1d(3, momentum=0.2), (6, 3)),
                         (nn.BatchNorm1d(3, momentum=0.2), (4, 3, 5)),
                         (nn.BatchNorm2d(3, momentum=0.2), (4, 3, 2, 5))):
        batches = [rng.normal(1.0, 2.0, shape).astype(np.float32) for _ in range(2)]
        mean, var = np.zeros(3), np.ones(3)
        for x in batches:
            out = layer(mt.Tensor(x))
            np.testing.assert_allclose(out.data, batch_norm_plain(x, np.ones(3), np.zeros(3)),
                                       rtol=1e-4, atol=1e-5)
            per_channel = np.moveaxis(x, 1, 0).reshape(3, -1)
            mean = 0.8 * mean + 0.2 * per_channel.mean(axis=1)
            var = 0.8 * var + 0.2 * per_channel.var(axis=1, ddof=1)
        np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-5)
        np.testing.assert_allclose(layer.running_var, var, rtol=1e-5)
        layer.eval()
        x = batches[0]
        per_channel = (1, 3) + (1,) * (x.ndim - 2)
        expected = (x - mean.reshape(per_channel)) / np.sqrt(var.reshape(per_channel) + 1e-5)
        np.testing.assert_allclose(layer(mt.Tensor(x)).data, expected, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-5)  # eval leaves them


def test_batch_norm_state_dict_holds_running_statistics():
    layer = nn.BatchNorm2d(2)
    layer(mt.randn(4, 2, 3, 3) * 3 + 2)
    state = layer.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert state["num_batches_tracked"].dtype == np.int64 and state["num_batches_tracked"] == 1
    fresh = nn.BatchNorm2d(2)
    fresh.load_state_dict(state)
    fresh.eval(), layer.eval()
    x = mt.randn(1, 2, 3, 3)
    np.testing.assert_array_equal(fresh(x).data, layer(x).data)
    assert list(nn.BatchNorm1d(4, affine=False).parameters()) == []


def test_batch_norm_gradients_reach_weight_and_bias():
    layer = nn.BatchNorm2d(3)
    x = mt.randn(4, 3, 2, 2, requires_grad=True)
    (layer(x) * mt.randn(4, 3, 2, 2)).sum().backward()
    assert layer.weight.grad.shape == (3,) and layer.bias.grad.shape == (3,)
    # The output of each channel has zero mean, so its gradient does too.
    np.testing.assert_allclose(x.grad.sum(axis=(0, 2, 3)), 0, atol=1e-4)


def test_functional_batch_norm_accepts_tensors_and_checks_statistics():
    running_mean, running_var = mt.zeros(3), mt.ones(3)
    x = mt.randn(5, 3) + 4
    F.batch_norm(x, running_mean, running_var, training=True)
    np.testing.assert_allclose(running_mean.data, 0.1 * x.data.mean(axis=0), rtol=1e-5)
    with pytest.raises(ValueError, match=r"running_var has shape \(2,\), expected \(3,\)"):
        F.batch_norm(x, running_mean, mt.ones(2))
    with pytest.raises(ValueError, match="evaluation mode needs running_mean and running_var"):
        F.batch_norm(x, None, None)


def test_module_errors_name_expected_and_given():
    with pytest.raises(ValueError, match="Conv2d in_channels must be a positive int, got 0"):
        nn.Conv2d(0, 4, 3)
    with pytest.raises(ValueError, match=r"stride must be >= 1, got \(1, 0\)"):
        nn.Conv2d(1, 4, 3, stride=(1, 0))
    with pytest.raises(ValueError, match="padding must be >= 0, got -1"):
        nn.Conv2d(1, 4, 3, padding=-1)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        nn.MaxPool2d(0)
    with pytest.raises(ValueError, match="input has 1 channels, but the weight expects 3"):
        nn.Conv2d(3, 4, 3)(mt.zeros(2, 1, 5, 5))
    with pytest.raises(ValueError, match="smaller than the 5x5 kernel"):
        nn.Conv2d(1, 4, 5)(mt.zeros(2, 1, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm2d expected input of shape \(N, C, H, W\)"):
        nn.BatchNorm2d(3)(mt.zeros(2, 3))
    with pytest.raises(ValueError, match=r"BatchNorm1d expected input of shape \(N, C\) or"):
        nn.BatchNorm1d(3)(mt.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"BatchNorm1d expected 3 channels \(axis 1\)"):
        nn.BatchNorm1d(3)(mt.zeros(2, 4))
    with pytest.raises(ValueError, match="momentum must be in"):
        nn.BatchNorm2d(3, momentum=2.0)


def test_grouped_and_dilated_convolution_errors_name_expected_and_given():
    x = mt.zeros(1, 4, 5, 5)
    with pytest.raises(ValueError, match="Conv2d in_channels must be divisible by groups, got "
                                         "in_channels=3 and groups=2"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="Conv2d out_channels must be divisible by groups, got "
                                         "out_channels=3 and groups=2"):
        nn.Conv2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="Conv2d groups must be a positive int, got 0"):
        nn.Conv2d(4, 4, 3, groups=0)
    with pytest.raises(ValueError, match=r"input has 4 channels, but the weight expects 6 "
                                         r"\(2 groups of 3\)"):
        F.conv2d(x, mt.zeros(4, 3, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"out_channels must be divisible by groups, got a "
                                         r"weight of shape \(3, 2, 3, 3\)"):
        F.conv2d(x, mt.zeros(3, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match="groups must be a positive int, got -1"):
        F.conv2d(x, mt.zeros(4, 4, 3, 3), groups=-1)
    for dilation in (0, -1, (1, 0)):
        with pytest.raises(ValueError, match=rf"dilation must be >= 1, got {dilation}"
                                             .replace("(", r"\(").replace(")", r"\)")):
            F.conv2d(x, mt.zeros(4, 4, 3, 3), dilation=dilation)
    with pytest.raises(ValueError, match="dilation must be >= 1, got 0"):
        nn.Conv2d(4, 4, 3, dilation=0)
    with pytest.raises(ValueError, match=r"input of 5x5 pixels \(padded: 5x5\) is smaller than "
                                         r"the 3x3 kernel \(dilated: 7x7\)"):
        F.conv2d(x, mt.zeros(4, 4, 3, 3), dilation=3)
    with pytest.raises(ValueError, match=r"conv2d expected a weight of shape \(out_channels, "
                                         r"in_channels / groups, KH, KW\), got shape \(4, 4\)"):
        F.conv2d(x, mt.zeros(4, 4))
    with pytest.raises(ValueError, match=r"conv2d expected input of shape \(N, C, H, W\) or "
                                         r"\(C, H, W\), got shape \(5, 5\)"):
        F.conv2d(mt.zeros(5, 5), mt.zeros(4, 4, 3, 3))


def test_conv_padding_argument_errors():
    x, weight = mt.zeros(1, 2, 6, 6), mt.zeros(2, 2, 3, 3)
    with pytest.raises(ValueError, match=r"padding='same' is not supported for strided "
                                         r"convolutions \(stride must be 1, got stride=\(2, 2\)\)"):
        F.conv2d(x, weight, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(2, 2, 3, stride=(1, 2), padding="same")
    with pytest.raises(ValueError, match="padding must be 'valid', 'same', an int or a pair of "
                                         "ints, got 'full'"):
        F.conv2d(x, weight, padding="full")
    with pytest.raises(ValueError, match="padding must be 'valid', 'same'"):
        nn.Conv2d(2, 2, 3, padding="full")
    with pytest.raises(ValueError, match="Conv2d padding_mode must be one of 'zeros', 'reflect', "
                                         "'replicate', 'circular', got 'mirror'"):
        nn.Conv2d(2, 2, 3, padding_mode="mirror")
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        nn.Conv2d(2, 2, 3, device="cuda")


def test_pool_argument_errors_name_expected_and_given():
    x = mt.zeros(1, 2, 6, 6)
    with pytest.raises(ValueError, match=r"padding should be at most half of kernel_size, got "
                                         r"padding=2 and kernel_size=3 \(padding <= \(1, 1\)\)"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match=r"got padding=\(0, 2\) and kernel_size=\(2, 3\)"):
        F.avg_pool2d(x, (2, 3), padding=(0, 2))
    with pytest.raises(ValueError, match="padding should be at most half of kernel_size"):
        nn.MaxPool2d(2, padding=2)
    with pytest.raises(ValueError, match="padding should be at most half of kernel_size"):
        nn.AvgPool2d(1, padding=1)
    with pytest.raises(ValueError, match="dilation must be >= 1, got 0"):
        F.max_pool2d(x, 2, dilation=0)
    with pytest.raises(ValueError, match=r"dilation must be >= 1, got \(-1, 1\)"):
        nn.MaxPool2d(2, dilation=(-1, 1))
    with pytest.raises(ValueError, match="divisor_override must be a nonzero int or None, got 0"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ValueError, match=r"input of 6x6 pixels \(padded: 6x6\) is smaller than "
                                         r"the 3x3 kernel \(dilated: 7x7\)"):
        F.max_pool2d(x, 3, dilation=3)
    with pytest.raises(ValueError, match=r"max_pool2d expected input of shape \(N, C, H, W\)"):
        F.max_pool2d(mt.zeros(6, 6), 2)


def test_pad_errors_name_expected_and_given():
    x = mt.zeros(1, 2, 3, 4)
    with pytest.raises(ValueError, match="pad mode must be one of 'constant', 'reflect', "
                                         "'replicate', 'circular', got 'mirror'"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match=r"pad mode 'reflect' pads an axis of length 4 by at "
                                         r"most 3 on each side, got \(4, 0\)"):
        F.pad(x, (4, 0), mode="reflect")
    with pytest.raises(ValueError, match=r"pad mode 'circular' pads an axis of length 3 by at "
                                         r"most 3 on each side, got \(0, 4\)"):
        F.pad(x, (0, 0, 0, 4), mode="circular")
    with pytest.raises(ValueError, match="pad mode 'replicate' takes no value, got value=1.0"):
        F.pad(x, (1, 1), mode="replicate", value=1.0)
    with pytest.raises(ValueError, match="pad must have an even length of at most 2 \\* 4"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(TypeError, match=r"pad must be a sequence of ints, got \(1.5, 1\)"):
        F.pad(x, (1.5, 1))
    with pytest.raises(ValueError, match=r"crops more than the input of shape \(1, 2, 3, 4\)"):
        F.pad(x, (-3, -2))


def test_max_unpool2d_puts_values_back_and_names_bad_arguments():
    x = mt.arange(16.0).reshape(1, 1, 4, 4)
    values, indices = F.max_pool2d(x, 2, return_indices=True)
    expected = np.where(np.isin(np.arange(16), [5, 7, 13, 15]), np.arange(16.0), 0)
    np.testing.assert_array_equal(F.max_unpool2d(values, indices, 2).numpy().ravel(), expected)
    layer = nn.MaxUnpool2d(2)
    assert layer(values, indices, output_size=(5, 5)).shape == (1, 1, 5, 5)
    assert F.max_unpool2d(values[0], indices[0], 2).shape == (1, 4, 4)  # no batch axis
    overlapping = np.random.default_rng(0).permutation(25).reshape(1, 1, 5, 5) * 0.1
    _, shared = F.max_pool2d(mt.tensor(overlapping), 3, 1, return_indices=True)
    assert mt.gradgradcheck(lambda v: F.max_unpool2d(v, shared, 3, 1), np.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="max_unpool2d found index 17, outside the 4x4 output"):
        F.max_unpool2d(values, indices + 2, 2)
    with pytest.raises(ValueError, match=r"expected int64 indices of the input's shape "
                                         r"\(1, 1, 2, 2\), got float32 indices of shape"):
        F.max_unpool2d(values, values, 2)
    with pytest.raises(ValueError, match=r"output_size must be \(H, W\) or \(N, C, H, W\) "
                                         r"with H strictly between 2 and 6 .* got \(6, 6\)"):
        F.max_unpool2d(values, indices, 2, output_size=(6, 6))


def test_conv2d_module_arguments_repr_and_device():
    layer = nn.Conv2d(4, 8, 3, stride=2, padding=1, dilation=2, groups=2, bias=False,
                      padding_mode="reflect", device=mt.device("cpu"), dtype=mt.float64)
    assert layer.weight.shape == (8, 2, 3, 3) and layer.weight.dtype == np.float64
    assert repr(layer) == ("Conv2d(4, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), "
                           "dilation=(2, 2), groups=2, bias=False, padding_mode=reflect)")
    assert repr(nn.Conv2d(4, 8, (3, 1), padding="same", device="cpu")) == (
        "Conv2d(4, 8, kernel_size=(3, 1), stride=(1, 1), padding=same)")
    assert layer(mt.zeros(2, 4, 9, 9, dtype=mt.float64)).shape == (2, 8, 4, 4)
    same = nn.Conv2d(2, 3, (2, 4), padding="same", padding_mode="circular")
    assert same(mt.randn(1, 2, 5, 6)).shape == (1, 3, 5, 6)
    assert repr(nn.MaxPool2d(3, 2, 1, ceil_mode=True)) == (
        "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)")
    assert repr(nn.AvgPool2d((2, 3))) == (
        "AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0)")


def test_pool_options_on_a_small_example():
    """Worked out by hand: 4x4 values 0..15, 3x3 windows moved by 2 with padding 1."""
    x = mt.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(F.max_pool2d(x, 3, 2, 1).numpy(), [[[[5, 7], [13, 15]]]])
    values, indices = F.max_pool2d(x, 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(indices.numpy(), [[[[5, 7], [13, 15]]]])
    # ceil_mode: the last windows start at row and column 3, inside the input
    assert F.max_pool2d(x, 3, 2, 1, ceil_mode=True).shape == (1, 1, 3, 3)
    # the top-left window holds 0, 1, 4, 5 and five padding zeros
    assert F.avg_pool2d(x, 3, 2, 1)[0, 0, 0, 0].item() == pytest.approx(10 / 9)
    assert F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)[0, 0, 0, 0].item() == 2.5
    assert F.avg_pool2d(x, 3, 2, 1, divisor_override=2)[0, 0, 0, 0].item() == 5.0
    # ceil_mode's last window reaches past the padding: those pixels are not counted
    corner = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True)[0, 0, 2, 2].item()
    assert corner == pytest.approx(15 / 4)  # 15 and three padding zeros of the 2x2 in reach


def test_small_cnn_learns_to_tell_stripes_apart():
    """Horizontal against vertical stripes: a task a convolution solves in a few steps."""
    mt.manual_seed(0)
    rng = np.random.default_rng(0)
    images = np.zeros((64, 1, 8, 8), np.float32)
    labels = rng.integers(0, 2, 64)
    for image, label, offset in zip(images, labels, rng.integers(0, 2, 64), strict=True):
        if label:
            image[0, offset::2, :] = 1
        else:
            image[0, :, offset::2] = 1
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Conv2d(4, 4, 3), nn.AvgPool2d(2), nn.Flatten(),
                          nn.Linear(4, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    x, y = mt.Tensor(images), mt.Tensor(labels, dtype=np.int64)
    for _ in range(30):
        loss = F.cross_entropy_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    assert np.mean(np.argmax(model(x).data, axis=1) == labels) == 1.0


# ----- the example --------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def cnn_example(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import cnn_example

    return cnn_example


def test_cnn_example_trains_on_the_bundled_digits(cnn_example):
    result = cnn_example.main(["--dataset", "digits", "--epochs", "3", "--channels", "8,16",
                               "--hidden", "32", "--shift", "0", "--batch-size", "32"])
    assert result["test_accuracy"] > 0.75
    assert len(result["history"].test_accuracy) == 3


def test_random_shifts_move_images_without_changing_labels(cnn_example):
    images = np.zeros((50, 36), np.float32)
    images[:, 14] = 1  # one bright pixel at (2, 2) of each 6x6 image
    loader = DataLoader(TensorDataset(images, np.arange(50)), batch_size=50)
    (shifted, labels), = list(cnn_example.RandomShifts(loader, side=6, max_shift=2, seed=0))
    np.testing.assert_array_equal(labels.data, np.arange(50))
    rows, cols = np.nonzero(shifted.data.reshape(50, 6, 6).sum(axis=0))
    assert shifted.data.sum() == 50  # every bright pixel moved by at most 2 stays on the image
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) > 10


def test_max_pool_side_by_side_windows_leave_uncovered_pixels_at_zero_and_keep_the_layout():
    """Stride == kernel (the common 2x2 pooling) writes gradients straight into place."""
    rng = np.random.default_rng(0)
    # Laid out channel-major, as a convolution's output is; 7x5 leaves a row and a column over.
    x = np.ascontiguousarray(np.round(rng.uniform(-2, 2, (3, 2, 7, 5)), 1).transpose(1, 0, 2, 3))
    x[0, 0, :2, :2] = 1.5  # a window whose four values tie
    t = mt.Tensor(x, requires_grad=True)
    out = MaxPool2d.apply(t, kernel_size=(2, 2), stride=(2, 2))
    out.backward(np.ones(out.shape, np.float32))
    grad = np.asarray(t.grad)
    assert grad[0, 0, 0, 0] == 1 and grad[0, 0, :2, :2].sum() == 1  # the first maximum only
    assert not grad[:, :, 6, :].any() and not grad[:, :, :, 4].any()
    assert grad.strides == x.strides
    no_ties = np.random.default_rng(1).permutation(140).reshape(2, 2, 5, 7) * 0.1
    assert mt.gradcheck(lambda a: MaxPool2d.apply(a, kernel_size=(2, 2), stride=(2, 2)), no_ties)


@pytest.mark.parametrize("stride", [(2, 2), (1, 1)])
def test_max_pool_gradient_in_another_memory_layout_gives_the_same_input_gradient(stride):
    """After Flatten the gradient comes back NCHW while the pooled input is channel-major; a
    cropped view is not contiguous at all. Both are read in the output's layout."""
    rng = np.random.default_rng(0)
    x = np.ascontiguousarray(rng.standard_normal((3, 2, 6, 5)).transpose(1, 0, 2, 3))
    oh, ow = (6 - 2) // stride[0] + 1, (5 - 2) // stride[1] + 1
    upstream = rng.standard_normal((2, 3, oh, ow))
    grads = []
    for grad in (upstream,  # NCHW, unlike x
                 np.ascontiguousarray(upstream.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3),
                 np.pad(upstream, ((0, 0), (0, 0), (1, 1), (1, 1)))[:, :, 1:-1, 1:-1]):
        t = mt.Tensor(x, requires_grad=True)
        MaxPool2d.apply(t, kernel_size=(2, 2), stride=stride).backward(grad)
        grads.append(np.asarray(t.grad))
    expected = pool_gradient_loops(x, upstream, (2, 2), stride)
    np.testing.assert_allclose(grads[0], expected, rtol=1e-12)  # overlapping windows: sum order
    for grad in grads[1:]:
        np.testing.assert_array_equal(grad, grads[0])
    assert grads[0].strides == x.strides


def pool_gradient_loops(x, upstream, kernel, stride):
    """Each window's gradient to the first position of its maximum (no ties in the tests)."""
    grad = np.zeros_like(x)
    (kh, kw), (sh, sw) = kernel, stride
    for b, c, i, j in np.ndindex(upstream.shape):
        window = x[b, c, i * sh : i * sh + kh, j * sw : j * sw + kw]
        u, v = np.unravel_index(np.argmax(window), window.shape)
        grad[b, c, i * sh + u, j * sw + v] += upstream[b, c, i, j]
    return grad


def test_batch_norm_of_a_channel_major_input_matches_the_plain_formula():
    rng = np.random.default_rng(0)
    x = np.ascontiguousarray(rng.normal(2, 3, (3, 4, 5, 6)).transpose(1, 0, 2, 3))
    weight, bias = rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)
    out = BatchNorm.apply(*(mt.Tensor(a, dtype=np.float64) for a in (x, weight, bias)))
    np.testing.assert_allclose(out.data, batch_norm_plain(x, weight, bias), rtol=1e-10)
    assert mt.gradcheck(lambda *t: BatchNorm.apply(*t), x, weight, bias)


# ----- adaptive pooling, channel dropout, padding layers, Unflatten, Upsample ----------------


def test_adaptive_avg_pool_windows_follow_the_floor_and_ceil_rule():
    image = mt.tensor(np.arange(5.0).reshape(1, 1, 5, 1))
    # 5 rows into 3 windows: [0, 2), [1, 4), [3, 5), overlapping where 5 / 3 is not whole
    out = F.adaptive_avg_pool2d(image, (3, None))
    np.testing.assert_allclose(out.numpy().ravel(), [0.5, 2.0, 3.5])
    values, indices = F.adaptive_max_pool2d(image, (3, 1), return_indices=True)
    np.testing.assert_array_equal(values.numpy().ravel(), [1.0, 3.0, 4.0])
    np.testing.assert_array_equal(indices.numpy().ravel(), [1, 3, 4])
    assert nn.AdaptiveAvgPool2d(2)(mt.ones(3, 4, 4)).shape == (3, 2, 2)


@pytest.mark.parametrize("output_size", [-1, (1, 2, 3), 1.5, (2, -3), "2"])
def test_adaptive_pooling_rejects_a_bad_output_size(output_size):
    with pytest.raises(ValueError, match="output_size must be an int >= 0 or a pair"):
        F.adaptive_avg_pool2d(mt.ones(1, 1, 4, 4), output_size)
    with pytest.raises(ValueError, match="AdaptiveMaxPool2d: output_size must be"):
        nn.AdaptiveMaxPool2d(output_size)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, C, H, W\) or \(C, H, W\)"):
        F.adaptive_avg_pool2d(mt.ones(4, 4), 2)


def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    mt.manual_seed(0)
    layer = nn.Dropout2d(0.5)
    out = layer(mt.ones(8, 16, 3, 3)).numpy()
    planes = out.reshape(8 * 16, 9)
    assert set(np.unique(planes)) == {0.0, 2.0}
    assert (planes.min(1) == planes.max(1)).all()  # a plane is dropped or kept whole
    assert 0 < (planes[:, 0] == 0).sum() < 8 * 16
    layer.eval()
    np.testing.assert_array_equal(layer(mt.ones(2, 3, 2, 2)).numpy(), np.ones((2, 3, 2, 2)))
    assert not F.dropout2d(mt.ones(2, 3, 2, 2), 1.0).numpy().any()


def test_dropout2d_wants_images_and_reads_3d_input_as_pytorch_does():
    with pytest.raises(ValueError, match=r"dropout2d expected input of shape \(N, C, H, W\)"):
        F.dropout2d(mt.ones(4, 5))
    with pytest.raises(ValueError, match=r"got shape \(1, 2, 3, 4, 5\)"):
        nn.Dropout2d()(mt.ones(1, 2, 3, 4, 5))
    with pytest.raises(ValueError, match="dropout probability must be in"):
        nn.Dropout2d(1.5)
    mt.manual_seed(1)
    with pytest.warns(UserWarning, match=r"read as \(N, C, L\)"):
        rows = F.dropout2d(mt.ones(6, 8, 5)).numpy()
    assert (rows.min(-1) == rows.max(-1)).all()  # each (n, c) row whole


def test_unflatten_splits_a_dimension_and_names_bad_sizes():
    x = mt.tensor(np.arange(24.0).reshape(2, 12))
    np.testing.assert_array_equal(nn.Unflatten(1, (3, -1))(x).numpy(),
                                  np.arange(24.0).reshape(2, 3, 4))
    with pytest.raises(RuntimeError, match=r"sizes \[5, 2\] don't multiply up to the size "
                       r"of dim 1 \(12\)"):
        nn.Unflatten(1, (5, 2))(x)
    with pytest.raises(TypeError, match="unflattened_size must be a tuple or list of ints"):
        nn.Unflatten(1, 12)
    with pytest.raises(IndexError, match="dimension out of range"):
        nn.Unflatten(2, (3, 4))(x)


def test_padding_layers_pad_the_last_two_axes():
    image = mt.tensor(np.arange(4.0).reshape(1, 2, 2))
    np.testing.assert_array_equal(nn.ConstantPad2d((1, 0, 0, 1), 9.0)(image).numpy()[0],
                                  [[9, 0, 1], [9, 2, 3], [9, 9, 9]])
    np.testing.assert_array_equal(nn.ReplicationPad2d((0, 1, 0, 0))(image).numpy()[0],
                                  [[0, 1, 1], [2, 3, 3]])
    np.testing.assert_array_equal(nn.ReflectionPad2d((1, 0, 0, 0))(image).numpy()[0],
                                  [[1, 0, 1], [3, 2, 3]])
    assert nn.ZeroPad2d(1)(mt.ones(2, 2)).shape == (4, 4)
    with pytest.raises(ValueError, match=r"padding must be an int or 4 ints .* got \(1, 2, 3\)"):
        nn.ZeroPad2d((1, 2, 3))
    with pytest.raises(ValueError, match=r"ReflectionPad2d expected input of shape"):
        nn.ReflectionPad2d(1)(mt.ones(3, 3))


def test_upsample_repeats_pixels_and_supports_only_nearest():
    image = mt.tensor(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    np.testing.assert_array_equal(nn.Upsample(scale_factor=2)(image).numpy()[0, 0],
                                  [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    assert F.interpolate(image, size=(3, 5)).shape == (1, 1, 3, 5)
    with pytest.raises(NotImplementedError, match="Upsample implements only mode='nearest', "
                                                  "got 'bilinear'"):
        nn.Upsample(scale_factor=2, mode="bilinear")
    with pytest.raises(NotImplementedError, match="implements only mode='nearest'"):
        F.interpolate(image, scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        F.interpolate(image)
    with pytest.raises(ValueError, match=r"output sizes must be > 0, got \(0, 0\)"):
        F.interpolate(image, scale_factor=0.25)
    with pytest.raises(ValueError, match="one value per spatial axis"):
        F.interpolate(image, size=(2, 2, 2))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, C, L\)"):
        F.interpolate(mt.ones(2, 2), scale_factor=2)
