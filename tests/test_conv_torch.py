"""Convolution, pooling and padding against PyTorch: the same arguments give the same outputs,
gradients and indices, the modules print alike and load each other's weights. Runs where
torch is installed."""

import warnings

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.nn import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _same_results(ours, theirs, *arrays, tolerance=1e-10):
    """Both functions of the same float64 arrays: the outputs, and the gradients of every
    input for the same upstream gradient."""
    our_inputs = [mt.tensor(a, requires_grad=True) for a in arrays]
    their_inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    with warnings.catch_warnings():  # PyTorch's note that odd 'same' padding copies the input
        warnings.simplefilter("ignore", UserWarning)
        expected = theirs(*their_inputs)
    upstream = np.random.default_rng(1).standard_normal(tuple(expected.shape))
    expected.backward(torch.tensor(upstream))
    out = ours(*our_inputs)
    out.backward(mt.tensor(upstream))
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(),
                               rtol=tolerance, atol=tolerance)
    for mine, their in zip(our_inputs, their_inputs, strict=True):
        np.testing.assert_allclose(mine.grad.numpy(), their.grad.numpy(), rtol=tolerance,
                                   atol=tolerance)


def _images(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _distinct(*shape, seed=0):
    """No two values tie, so every window has one maximum."""
    return np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.1


# ----- F.conv2d --------------------------------------------------------------------------------

CONV_CASES = [
    dict(kernel=(3, 3)),
    dict(kernel=(3, 3), stride=2, padding=1),
    dict(kernel=(3, 2), stride=(2, 1), padding=(1, 0)),
    dict(kernel=(3, 3), dilation=2),
    dict(kernel=(2, 3), dilation=(2, 1), padding=(2, 1), stride=(1, 2)),
    dict(kernel=(3, 3), groups=2, padding=1),
    dict(kernel=(3, 3), groups=4, padding=1),  # depthwise: one input channel per group
    dict(kernel=(3, 3), groups=2, dilation=2, stride=2, padding=2),
    dict(kernel=(3, 3), padding="same"),
    dict(kernel=(2, 4), padding="same"),  # odd totals: the extra row and column at the end
    dict(kernel=(2, 3), padding="same", dilation=(3, 2)),  # odd total from the dilation
    dict(kernel=(3, 3), padding="same", dilation=2, groups=2),
    dict(kernel=(3, 3), padding="valid", stride=(2, 1)),
    dict(kernel=(3, 3), padding=1, bias=False),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_conv2d_matches_torch(case):
    options = {name: value for name, value in case.items() if name not in ("kernel", "bias")}
    groups = case.get("groups", 1)
    arrays = [_images(2, 4, 7, 6), _images(8, 4 // groups, *case["kernel"], seed=1)]
    if case.get("bias", True):
        arrays.append(_images(8, seed=2))
    _same_results(lambda *t: F.conv2d(*t, **options), lambda *t: TF.conv2d(*t, **options),
                  *arrays)


def test_conv2d_of_one_image_without_a_batch_axis_matches_torch():
    _same_results(lambda x, w: F.conv2d(x, w, padding="same", groups=2),
                  lambda x, w: TF.conv2d(x, w, padding="same", groups=2),
                  _images(4, 5, 6), _images(6, 2, 3, 3, seed=1))


# ----- F.max_pool2d and F.avg_pool2d -----------------------------------------------------------

# (input height and width, kernel_size, stride, padding, dilation, ceil_mode)
POOL_CASES = [
    ((6, 7), 2, None, 0, 1, False),
    ((7, 6), 3, 2, 1, 1, False),
    ((7, 6), 3, 2, 1, 1, True),
    ((5, 5), 2, 2, 0, 1, True),  # ceil_mode adds a window over the last row and column
    ((4, 4), 2, 3, 1, 1, True),  # rounding up would start the last window in the padding
    ((2, 2), 3, 2, 0, 1, True),  # one window larger than the input, which ceil_mode allows
    ((6, 6), 3, 1, 1, 2, False),
    ((7, 7), 3, 2, 1, 2, True),
    ((7, 6), (3, 2), (2, 1), (1, 0), (1, 2), True),
    ((5, 8), (1, 4), (1, 3), (0, 2), 1, True),
]


@pytest.mark.parametrize("size, kernel, stride, padding, dilation, ceil_mode", POOL_CASES)
def test_max_pool2d_values_gradients_and_indices_match_torch(size, kernel, stride, padding,
                                                             dilation, ceil_mode):
    args = (kernel, stride, padding, dilation, ceil_mode)
    x = _distinct(2, 3, *size)
    _same_results(lambda t: F.max_pool2d(t, *args), lambda t: TF.max_pool2d(t, *args), x)
    values, indices = F.max_pool2d(mt.tensor(x), *args, return_indices=True)
    their_values, their_indices = TF.max_pool2d(torch.tensor(x), *args, return_indices=True)
    np.testing.assert_array_equal(values.numpy(), their_values.numpy())
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.numpy(), their_indices.numpy())


def test_max_pool2d_ties_go_to_the_first_maximum_as_in_torch():
    """After a ReLU many windows are all zero: the index and the gradient pick the same
    position PyTorch picks, also with padding and dilation."""
    x = np.maximum(_images(2, 2, 7, 7), 0).round(0)
    for args in ((2, None, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 2, False)):
        _same_results(lambda t, a=args: F.max_pool2d(t, *a),
                      lambda t, a=args: TF.max_pool2d(t, *a), x)
        _, indices = F.max_pool2d(mt.tensor(x), *args, return_indices=True)
        _, their_indices = TF.max_pool2d(torch.tensor(x), *args, return_indices=True)
        np.testing.assert_array_equal(indices.numpy(), their_indices.numpy())


@pytest.mark.parametrize("size, kernel, stride, padding, dilation, ceil_mode",
                         [case for case in POOL_CASES if case[4] == 1])
@pytest.mark.parametrize("count_include_pad, divisor_override",
                         [(True, None), (False, None), (True, 5)])
def test_avg_pool2d_matches_torch(size, kernel, stride, padding, dilation, ceil_mode,
                                  count_include_pad, divisor_override):
    args = (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
    _same_results(lambda t: F.avg_pool2d(t, *args), lambda t: TF.avg_pool2d(t, *args),
                  _images(2, 3, *size))


def test_pools_of_one_image_without_a_batch_axis_match_torch():
    x = _distinct(3, 5, 6)
    _same_results(lambda t: F.max_pool2d(t, 3, 2, 1, ceil_mode=True),
                  lambda t: TF.max_pool2d(t, 3, 2, 1, ceil_mode=True), x)
    _same_results(lambda t: F.avg_pool2d(t, 2, 1, 1), lambda t: TF.avg_pool2d(t, 2, 1, 1), x)
    _, indices = F.max_pool2d(mt.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(indices.numpy(),
                                  TF.max_pool2d(torch.tensor(x), 2, return_indices=True)[1])


# ----- F.pad -------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(1, 2), (0, 3, 2, 1), (2, 2, 2, 2), (-1, 2, 1, -2), (3, 0, 0, 3)])
def test_pad_matches_torch(mode, pad):
    value = {"value": 1.5} if mode == "constant" else {}
    shape = (3, 4, 5) if len(pad) == 2 and mode != "constant" else (2, 3, 4, 5)
    _same_results(lambda t: F.pad(t, pad, mode=mode, **value),
                  lambda t: TF.pad(t, pad, mode=mode, **value), _images(*shape))


# ----- modules -----------------------------------------------------------------------------------

CONV_MODULES = [
    dict(kernel_size=3),
    dict(kernel_size=3, stride=2, padding=1, dilation=2, groups=2, bias=False,
         padding_mode="reflect"),
    dict(kernel_size=(3, 1), padding="same"),
    dict(kernel_size=(2, 4), padding="same", dilation=(1, 2), groups=4,
         padding_mode="circular"),
    dict(kernel_size=3, padding="valid", stride=(1, 2)),
    dict(kernel_size=(3, 2), padding=(2, 1), padding_mode="replicate", groups=2),
    dict(kernel_size=3, padding="same", padding_mode="reflect", dilation=2),
]


@pytest.mark.parametrize("options", CONV_MODULES, ids=str)
def test_conv2d_module_weights_load_into_torch_with_the_same_outputs_and_repr(options):
    mt.manual_seed(0)
    ours = nn.Conv2d(4, 8, **options)
    theirs = torch.nn.Conv2d(4, 8, **options)
    theirs.load_state_dict({name: torch.from_numpy(np.asarray(value))
                            for name, value in ours.state_dict().items()}, strict=True)
    assert repr(ours) == repr(theirs)
    x = _images(2, 4, 9, 8).astype(np.float32)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(mt.tensor(x)).detach().numpy(), expected, rtol=1e-5,
                               atol=1e-5)


def test_torch_conv2d_weights_load_into_minitorch():
    torch.manual_seed(0)
    theirs = torch.nn.Conv2d(6, 4, 3, padding="same", dilation=2, groups=2)
    ours = nn.Conv2d(6, 4, 3, padding="same", dilation=2, groups=2)
    ours.load_state_dict({name: value.numpy() for name, value in theirs.state_dict().items()},
                         strict=True)
    x = _images(1, 6, 7, 7).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(mt.tensor(x)).detach().numpy(), expected, rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("make", [
    lambda library: library.nn.MaxPool2d(2),
    lambda library: library.nn.MaxPool2d(3, 2, 1, 2, ceil_mode=True),
    lambda library: library.nn.MaxPool2d((3, 2), stride=(2, 1), padding=(1, 0)),
    lambda library: library.nn.AvgPool2d(2),
    lambda library: library.nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda library: library.nn.AvgPool2d(3, 1, divisor_override=4),
])
def test_pool_modules_print_and_compute_like_torch(make):
    ours, theirs = make(mt), make(torch)
    assert repr(ours) == repr(theirs)
    x = _distinct(2, 3, 7, 6)
    np.testing.assert_allclose(ours(mt.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(),
                               rtol=1e-12)


def test_max_pool_module_returns_indices_like_torch():
    x = _distinct(1, 2, 6, 6)
    values, indices = nn.MaxPool2d(3, 2, 1, return_indices=True)(mt.tensor(x))
    their_values, their_indices = torch.nn.MaxPool2d(3, 2, 1, return_indices=True)(
        torch.tensor(x))
    np.testing.assert_array_equal(values.numpy(), their_values.numpy())
    np.testing.assert_array_equal(indices.numpy(), their_indices.numpy())


@pytest.mark.parametrize("args, output_size", [
    ((2,), (7, 7)), ((2,), (1, 3, 7, 7)), ((3, 1), None), ((3, 2, 1), None),
    ((3, 2, 1), (2, 3, 8, 7)),
])
def test_max_unpool2d_matches_torch(args, output_size):
    """Pooled with indices, then put back; overlapping windows share maxima (repeated
    indices), whose values are put once and whose gradients each get."""
    x = np.maximum(_images(2, 3, 7, 7), 0).round(0)
    values, indices = F.max_pool2d(mt.tensor(x), *args, return_indices=True)
    their_indices = TF.max_pool2d(torch.tensor(x), *args, return_indices=True)[1]
    np.testing.assert_array_equal(indices.numpy(), their_indices.numpy())
    _same_results(lambda v: F.max_unpool2d(v, indices, *args, output_size=output_size),
                  lambda v: TF.max_unpool2d(v, their_indices, *args, output_size=output_size),
                  values.numpy())
    layer, their_layer = nn.MaxUnpool2d(*args), torch.nn.MaxUnpool2d(*args)
    assert repr(layer) == repr(their_layer)
    np.testing.assert_array_equal(
        layer(values, indices, output_size).numpy(),
        their_layer(torch.from_numpy(values.numpy()), their_indices, output_size).numpy())
