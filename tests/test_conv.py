"""Convolution, pooling and batch norm: forward against plain loops written out here, backward
against finite differences, and the errors a user sees for wrong shapes and arguments."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
from minitorch.ops.conv import AvgPool2d, BatchNorm, Conv2d, MaxPool2d, pair

# ----- plain reference implementations --------------------------------------------------------


def conv2d_loops(x, weight, bias, stride, padding):
    n, c, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    (sh, sw), (ph, pw) = stride, padding
    padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    padded[:, :, ph : ph + h, pw : pw + w] = x
    oh = (h + 2 * ph - kh) // sh + 1
    ow = (w + 2 * pw - kw) // sw + 1
    out = np.zeros((n, out_channels, oh, ow))
    for b in range(n):
        for o in range(out_channels):
            for i in range(oh):
                for j in range(ow):
                    window = padded[b, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
                    out[b, o, i, j] = np.sum(window * weight[o]) + (0 if bias is None else bias[o])
    return out


def pool_loops(x, kernel, stride, combine):
    n, c, h, w = x.shape
    (kh, kw), (sh, sw) = kernel, stride
    out = np.zeros((n, c, (h - kh) // sh + 1, (w - kw) // sw + 1))
    for b, ch, i, j in np.ndindex(*out.shape):
        out[b, ch, i, j] = combine(x[b, ch, i * sh : i * sh + kh, j * sw : j * sw + kw])
    return out


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
@given(case=conv_cases(), data=st.data())
def test_conv2d_forward_matches_loops(case, data):
    x_shape, w_shape, with_bias, stride, padding = case
    x, weight = arrays(data, x_shape), arrays(data, w_shape)
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
    for function, combine in ((MaxPool2d, np.max), (AvgPool2d, np.mean)):
        out = function.apply(mt.Tensor(x, dtype=np.float64), kernel_size=kernel, stride=stride)
        np.testing.assert_allclose(out.data, pool_loops(x, kernel, stride, combine), rtol=1e-12)
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
