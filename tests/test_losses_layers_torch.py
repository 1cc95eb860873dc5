"""The element-wise losses, adaptive pooling, channel dropout, padding layers, Unflatten and
nearest upsampling against PyTorch: the same outputs and input gradients, the same reprs and
the same kinds of errors. Runs where torch is installed."""

import warnings

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.nn import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]


def _same_results(ours, theirs, *arrays, tolerance=1e-10):
    """Both functions of the same float64 arrays: outputs, and every input's gradient for
    the same upstream gradient; then again in float32, within float32 rounding."""
    for dtype, tol in ((np.float64, tolerance), (np.float32, 1e-5)):
        our_inputs = [mt.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
        their_inputs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
        with warnings.catch_warnings():  # kl_div's note on reduction='mean', in both
            warnings.simplefilter("ignore", UserWarning)
            expected = theirs(*their_inputs)
            out = ours(*our_inputs)
        upstream = np.random.default_rng(1).standard_normal(tuple(expected.shape)).astype(dtype)
        expected.backward(torch.tensor(upstream))
        out.backward(mt.tensor(upstream))
        assert out.dtype == dtype
        np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=tol,
                                   atol=tol)
        for mine, their in zip(our_inputs, their_inputs, strict=True):
            np.testing.assert_allclose(mine.grad.numpy(), their.grad.numpy(), rtol=tol, atol=tol)


# ----- losses ---------------------------------------------------------------------------------

INPUT, TARGET = RNG.standard_normal((4, 3)) * 1.5, RNG.standard_normal((4, 3))
SIGNS = np.where(RNG.standard_normal((4, 3)) > 0, 1.0, -1.0)
LOG_PROBS = np.log(RNG.dirichlet(np.ones(5), size=3))
PROBS = RNG.dirichlet(np.ones(5), size=3)

# (name, our loss of (input, target), theirs): the target is differentiable where PyTorch's is.
PAIR_LOSSES = [
    ("l1", lambda r: lambda x, t: F.l1_loss(x, t, reduction=r),
     lambda r: lambda x, t: TF.l1_loss(x, t, reduction=r)),
    ("smooth_l1", lambda r: lambda x, t: F.smooth_l1_loss(x, t, reduction=r, beta=0.7),
     lambda r: lambda x, t: TF.smooth_l1_loss(x, t, reduction=r, beta=0.7)),
    ("smooth_l1_beta_0", lambda r: lambda x, t: F.smooth_l1_loss(x, t, reduction=r, beta=0.0),
     lambda r: lambda x, t: TF.smooth_l1_loss(x, t, reduction=r, beta=0.0)),
    ("huber", lambda r: lambda x, t: F.huber_loss(x, t, r, 1.3),
     lambda r: lambda x, t: TF.huber_loss(x, t, r, 1.3)),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, ours, theirs", PAIR_LOSSES, ids=[c[0] for c in PAIR_LOSSES])
def test_regression_losses_match_torch(name, ours, theirs, reduction):
    _same_results(ours(reduction), theirs(reduction), INPUT, TARGET)


@pytest.mark.parametrize("reduction", [*REDUCTIONS, "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    target = np.log(PROBS) if log_target else PROBS
    _same_results(lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target),
                  lambda x, t: TF.kl_div(x, t, reduction=reduction, log_target=log_target),
                  LOG_PROBS, target)


def test_kl_div_of_a_zero_probability_is_zero_as_in_torch():
    target = PROBS.copy()
    target[0, 1] = 0.0
    _same_results(lambda x: F.kl_div(x, target, reduction="sum"),
                  lambda x: TF.kl_div(x, torch.tensor(target).to(x.dtype), reduction="sum"),
                  LOG_PROBS)


def test_kl_div_warns_for_mean_as_torch_does():
    with pytest.warns(UserWarning, match="batchmean"):
        TF.kl_div(torch.tensor(LOG_PROBS), torch.tensor(PROBS))
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(mt.tensor(LOG_PROBS), PROBS)
    with pytest.warns(UserWarning, match="batchmean"):
        nn.KLDivLoss()(mt.tensor(LOG_PROBS), PROBS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(mt.tensor(LOG_PROBS), PROBS, reduction="batchmean")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss_matches_torch(reduction):
    _same_results(lambda x: F.soft_margin_loss(x, SIGNS, reduction=reduction),
                  lambda x: TF.soft_margin_loss(x, torch.tensor(SIGNS).to(x.dtype),
                                                reduction=reduction), INPUT)


LOSS_MODULES = [
    (lambda m: m.L1Loss(reduction="sum"), INPUT, TARGET),
    (lambda m: m.SmoothL1Loss(beta=0.5), INPUT, TARGET),
    (lambda m: m.HuberLoss("none", 2.0), INPUT, TARGET),
    (lambda m: m.KLDivLoss(reduction="batchmean", log_target=True), LOG_PROBS, np.log(PROBS)),
    (lambda m: m.SoftMarginLoss(), INPUT, SIGNS),
    (lambda m: m.MSELoss(), INPUT, TARGET),
]


@pytest.mark.parametrize("make, x, t", LOSS_MODULES)
def test_loss_modules_match_torch_and_print_alike(make, x, t):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    _same_results(lambda a: ours(a, t), lambda a: theirs(a, torch.tensor(t).to(a.dtype)), x)


@pytest.mark.parametrize("name, options", [
    ("l1_loss", {"reduction": "average"}), ("kl_div", {"reduction": "batch"}),
    ("huber_loss", {"reduction": "batchmean"}), ("smooth_l1_loss", {"reduction": "batchmean"}),
])
def test_bad_reductions_raise_value_error_as_in_torch(name, options):
    with pytest.raises(ValueError):
        getattr(TF, name)(torch.tensor(LOG_PROBS), torch.tensor(PROBS), **options)
    with pytest.raises(ValueError, match="reduction must be one of"):
        getattr(F, name)(mt.tensor(LOG_PROBS), PROBS, **options)


# ----- images ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape, output_size", [
    ((2, 3, 7, 5), (3, 2)), ((3, 7, 5), (1, 1)), ((2, 3, 7, 5), 1), ((2, 3, 7, 5), (None, 4)),
    ((1, 2, 4, 6), 2), ((1, 2, 3, 3), 5),
])
def test_adaptive_pooling_matches_torch(shape, output_size):
    image = RNG.permutation(int(np.prod(shape))).reshape(shape) * 0.1  # no ties for max
    _same_results(lambda x: F.adaptive_avg_pool2d(x, output_size),
                  lambda x: TF.adaptive_avg_pool2d(x, output_size), image)
    _same_results(nn.AdaptiveMaxPool2d(output_size), torch.nn.AdaptiveMaxPool2d(output_size),
                  image)
    _, ours = F.adaptive_max_pool2d(mt.tensor(image), output_size, return_indices=True)
    _, theirs = TF.adaptive_max_pool2d(torch.tensor(image), output_size, return_indices=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_adaptive_avg_pool_to_one_pixel_is_the_mean_over_the_image():
    image = mt.tensor(RNG.standard_normal((2, 3, 4, 5)))
    np.testing.assert_array_equal(nn.AdaptiveAvgPool2d((1, 1))(image).numpy(),
                                  image.mean((2, 3), keepdim=True).numpy())


@pytest.mark.parametrize("shape, options", [
    ((1, 2, 3, 4), {"scale_factor": 2}), ((2, 3, 4), {"scale_factor": 3}),
    ((1, 1, 3, 4), {"size": (5, 7)}), ((1, 1, 3, 4), {"size": 2}),
    ((2, 1, 5, 7), {"scale_factor": 0.5}), ((1, 1, 3, 4), {"scale_factor": (2, 3)}),
    ((1, 1, 2, 3, 4), {"scale_factor": 2}),
    ((1, 1, 5, 7), {"scale_factor": 1.7, "recompute_scale_factor": True}),
])
def test_nearest_interpolation_matches_torch(shape, options):
    image = RNG.standard_normal(shape)
    _same_results(lambda x: F.interpolate(x, **options),
                  lambda x: TF.interpolate(x, **options), image)
    if len(shape) == 4:
        _same_results(nn.Upsample(**options), torch.nn.Upsample(**options), image)


PAD_LAYERS = [
    lambda m: m.ZeroPad2d(2), lambda m: m.ZeroPad2d((1, 0, -1, 2)),
    lambda m: m.ConstantPad2d((0, 1, 2, 1), 3.5), lambda m: m.ConstantPad2d(1, -1.0),
    lambda m: m.ReflectionPad2d(1), lambda m: m.ReflectionPad2d((2, 0, 1, 2)),
    lambda m: m.ReplicationPad2d(2), lambda m: m.ReplicationPad2d((0, 3, 1, 0)),
]


@pytest.mark.parametrize("shape", [(2, 2, 3, 4), (2, 3, 4)])
@pytest.mark.parametrize("make", PAD_LAYERS)
def test_padding_layers_match_torch_and_print_alike(make, shape):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    _same_results(ours, theirs, RNG.standard_normal(shape))


@pytest.mark.parametrize("make", [
    lambda m: m.AdaptiveAvgPool2d((1, None)), lambda m: m.AdaptiveAvgPool2d(3),
    lambda m: m.AdaptiveMaxPool2d((2, 3)), lambda m: m.AdaptiveMaxPool2d(2, return_indices=True),
    lambda m: m.Dropout2d(), lambda m: m.Dropout2d(0.2, inplace=True),
    lambda m: m.Unflatten(1, (2, 3)), lambda m: m.Unflatten(-1, [2, -1]),
    lambda m: m.Upsample(scale_factor=2), lambda m: m.Upsample(size=(4, 5)),
    lambda m: m.Upsample(size=4, mode="nearest"), lambda m: m.Upsample(scale_factor=(2, 3)),
])
def test_image_modules_print_alike(make):
    assert repr(make(nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("dim, sizes, shape", [
    (1, (2, 3), (4, 6)), (-1, [2, -1], (4, 6)), (1, (1, 2, 2), (3, 4, 5)), (0, (2, 1), (2,)),
])
def test_unflatten_matches_torch(dim, sizes, shape):
    _same_results(nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes),
                  RNG.standard_normal(shape))


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (2, 3, 4)])
def test_dropout2d_keeps_or_drops_what_torch_would_and_is_the_identity_in_eval(shape):
    image = RNG.standard_normal(shape) + 5.0  # no zero of its own
    ours, theirs = nn.Dropout2d(0.4), torch.nn.Dropout2d(0.4)
    with warnings.catch_warnings():  # both warn about reading a 3-D input as (N, C, L)
        warnings.simplefilter("ignore", UserWarning)
        for layer, framework in ((ours, mt), (theirs, torch)):
            out = layer(framework.tensor(image)).numpy()
            dropped = (out == 0).reshape(*shape[:2], -1)
            # A (sample, channel) plane is dropped whole, or kept and scaled by 1 / (1 - p).
            assert (dropped.all(-1) | ~dropped.any(-1)).all()
            kept = ~dropped.any(-1)
            np.testing.assert_allclose(out.reshape(*shape[:2], -1)[kept],
                                       image.reshape(*shape[:2], -1)[kept] / 0.6, rtol=1e-12)
            layer.eval()
            np.testing.assert_array_equal(layer(framework.tensor(image)).numpy(), image)


def test_errors_are_of_torch_types():
    image = np.ones((1, 1, 2, 2))
    for framework, functional, make in ((mt, F, nn), (torch, TF, torch.nn)):
        x = framework.tensor(image)
        with pytest.raises(ValueError):  # both size and scale_factor
            functional.interpolate(x, size=4, scale_factor=2)
        with pytest.raises(ValueError):  # neither
            functional.interpolate(x)
        with pytest.raises(ValueError):
            functional.interpolate(x, scale_factor=2, align_corners=True)
        with pytest.raises(NotImplementedError):
            functional.interpolate(x, scale_factor=2, mode="cubic")
        with pytest.raises(ValueError):
            functional.dropout2d(x, p=1.5)
        with pytest.raises(ValueError):
            make.Dropout2d(p=-0.1)
        with pytest.raises(TypeError):
            make.Unflatten(1, 6)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_element_weighted_losses_match_torch(name, reduction):
    x, y, weight = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4)), RNG.random((3, 4))
    _same_results(
        lambda a, b, w: getattr(F, name)(a, b, reduction=reduction, weight=w),
        lambda a, b, w: getattr(TF, name)(a, b, reduction=reduction, weight=w),
        x, y, weight,
    )


@pytest.mark.parametrize("legacy", [dict(size_average=False), dict(reduce=False),
                                    dict(size_average=False, reduce=True)])
def test_legacy_reduction_arguments_match_torch(legacy):
    logits, labels = RNG.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = F.cross_entropy(mt.tensor(logits), mt.tensor(labels), **legacy)
        theirs = TF.cross_entropy(torch.tensor(logits), torch.tensor(labels), **legacy)
        assert nn.SmoothL1Loss(**legacy).reduction == torch.nn.SmoothL1Loss(**legacy).reduction
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("options", [dict(max_norm=1.0), dict(max_norm=0.5, norm_type=1.0),
                                     dict(scale_grad_by_freq=True, padding_idx=2)])
def test_embedding_options_match_torch(options):
    table, ids = RNG.standard_normal((6, 3)), np.array([[1, 2, 1], [4, 1, 5]])
    ours, theirs = mt.tensor(table, requires_grad=True), torch.tensor(table, requires_grad=True)
    out = F.embedding(mt.tensor(ids), ours, **options)
    expected = TF.embedding(torch.tensor(ids), theirs, **options)
    upstream = RNG.standard_normal(tuple(expected.shape))
    out.backward(mt.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
