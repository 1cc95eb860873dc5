import numpy as np
import pytest

from minitorch import Tensor, gradcheck, nn
from minitorch.nn import functional as F
from minitorch.ops.nn import CrossEntropy

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(5, 4)) * 2
LABELS = np.array([0, 3, 1, 1, 2])
ONE_HOT = np.eye(4)[LABELS]
PROBS = RNG.dirichlet(np.ones(4), size=5)


def log_softmax_reference(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_reference(z):
    return np.exp(log_softmax_reference(z))


def reduce_reference(losses, reduction):
    return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]


# ----- cross-entropy --------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_indices_matches_numpy(reduction):
    loss = F.cross_entropy_loss(Tensor(LOGITS), LABELS, reduction=reduction)
    expected = -log_softmax_reference(LOGITS)[np.arange(5), LABELS]
    np.testing.assert_allclose(loss.data, reduce_reference(expected, reduction), rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_probabilities_matches_numpy(reduction):
    loss = F.cross_entropy_loss(Tensor(LOGITS), PROBS, reduction=reduction)
    expected = -(PROBS * log_softmax_reference(LOGITS)).sum(axis=1)
    np.testing.assert_allclose(loss.data, reduce_reference(expected, reduction), rtol=1e-12)


def test_one_hot_and_index_targets_agree():
    by_index = F.cross_entropy(Tensor(LOGITS), LABELS)
    by_one_hot = F.cross_entropy(Tensor(LOGITS), ONE_HOT)
    np.testing.assert_allclose(by_index.data, by_one_hot.data, rtol=1e-12)
    assert F.cross_entropy is F.cross_entropy_loss


def test_cross_entropy_gradient_is_softmax_minus_target_over_n():
    for target in (LABELS, ONE_HOT):
        logits = Tensor(LOGITS, requires_grad=True)
        F.cross_entropy_loss(logits, target).backward()
        np.testing.assert_allclose(
            logits.grad, (softmax_reference(LOGITS) - ONE_HOT) / 5, rtol=1e-10
        )


def test_cross_entropy_is_one_fused_node():
    loss = F.cross_entropy_loss(Tensor(LOGITS, requires_grad=True), LABELS)
    assert isinstance(loss.grad_fn, CrossEntropy)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target", [LABELS, ONE_HOT], ids=["indices", "one_hot"])
def test_cross_entropy_gradcheck(reduction, target):
    assert gradcheck(lambda z: F.cross_entropy_loss(z, target, reduction=reduction), LOGITS)


def test_cross_entropy_gradcheck_through_a_probability_target():
    assert gradcheck(lambda z, p: F.cross_entropy_loss(z, p, reduction="none"), LOGITS, PROBS)


def test_cross_entropy_retain_graph_backward_twice_gives_the_same_gradient():
    logits = Tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy_loss(logits, LABELS)
    loss.backward(retain_graph=True)
    first = logits.grad.clone()
    loss.backward()
    np.testing.assert_allclose(logits.grad, 2 * first)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = Tensor(
        np.array([[1000.0, 0.0, -1000.0], [-5000.0, 5000.0, 0.0]], dtype=np.float32),
        requires_grad=True,
    )
    loss = F.cross_entropy_loss(logits, [2, 1], reduction="none")
    np.testing.assert_allclose(loss.data, [2000.0, 0.0])
    loss.sum().backward()
    assert np.all(np.isfinite(logits.grad))


def test_cross_entropy_accepts_every_kind_of_target():
    logits = Tensor(LOGITS.astype(np.float32))
    expected = F.cross_entropy_loss(logits, LABELS).data
    for target in (
        LABELS.tolist(),
        LABELS.astype(np.int32),
        LABELS.astype(np.uint8),
        Tensor(LABELS.tolist()),  # a float32 tensor of whole numbers
        Tensor(LABELS, dtype=np.int64),
        ONE_HOT,
        ONE_HOT.astype(np.int64),
        Tensor(ONE_HOT),
    ):
        np.testing.assert_allclose(F.cross_entropy_loss(logits, target).data, expected, rtol=1e-6)


def test_float32_logits_with_float64_labels_stay_float32():
    logits = Tensor(LOGITS.astype(np.float32), requires_grad=True)
    loss = F.cross_entropy_loss(logits, ONE_HOT)  # np.eye gives float64
    assert loss.dtype == np.float32 and loss.shape == ()
    loss.backward()
    assert logits.grad.dtype == np.float32
    assert f"{loss.data:.4f}" == f"{float(loss.data):.4f}"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            [0, 3, 1, 1, 4],
            r"class index 4 at position 4 is out of range for 4 classes \(expected 0..3\)",
        ),
        ([0, -1, 1, 1, 2], r"class index -1 at position 1 is out of range"),
        ([0.0, 1.5, 1, 1, 2], r"class indices must be whole numbers, got 1.5 at position 1"),
        ([0.0, np.nan, 1, 1, 2], r"target contains NaN"),
        ([0, 1, 2], r"target has batch size 3 but the input has batch size 5"),
        (np.zeros((4, 4)), r"target has batch size 4 but the input has batch size 5"),
        (
            np.zeros((5, 3)),
            r"expected a target of shape \(5, 4\) like the input, got shape \(5, 3\)",
        ),
        (LABELS[:, None], r"expected a target of shape \(5, 4\)"),
        (
            np.zeros((5, 4, 1)),
            r"expected class indices of shape \(5,\) or class probabilities of "
            r"shape \(5, 4\), got a target of shape \(5, 4, 1\)",
        ),
        (np.array(3), r"expected class indices .* got a target of shape \(\)"),
        (np.where(ONE_HOT == 1, np.nan, 0.0), r"target contains NaN"),
        (np.ones(5, dtype=bool), r"class indices must be integers, got booleans"),
    ],
)
def test_cross_entropy_rejects_bad_targets(target, message):
    with pytest.raises(ValueError, match="cross_entropy: " + message):
        F.cross_entropy_loss(Tensor(LOGITS), target)


def test_cross_entropy_rejects_bad_logits_and_arguments():
    bad = LOGITS.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"logits with NaN or \+inf, or only -inf, in row 2"):
        F.cross_entropy_loss(Tensor(bad), LABELS)
    with pytest.raises(ValueError, match=r"expected logits of shape \(batch, classes\), "):
        F.cross_entropy_loss(Tensor(LOGITS[0, 0]), 1)
    with pytest.raises(ValueError, match="reduction must be one of .*got 'avg'"):
        F.cross_entropy_loss(Tensor(LOGITS), LABELS, reduction="avg")
    with pytest.raises(TypeError, match="target must be numeric"):
        F.cross_entropy_loss(Tensor(LOGITS), ["a", "b", "c", "d", "e"])
    # the mean of an empty batch is NaN, as in PyTorch
    assert np.isnan(F.cross_entropy_loss(Tensor(np.zeros((0, 3))), np.zeros(0, dtype=int)).item())
    assert F.cross_entropy_loss(Tensor(np.zeros((0, 3))), [], reduction="sum").item() == 0


def test_minus_infinity_logits_are_allowed_for_other_classes():
    logits = Tensor([[0.0, -np.inf, 0.0]])
    np.testing.assert_allclose(F.cross_entropy_loss(logits, [0]).data, np.log(2))


# ----- nll ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_numpy_and_gradcheck(reduction):
    log_probs = log_softmax_reference(LOGITS)
    loss = F.nll_loss(Tensor(log_probs), LABELS, reduction=reduction)
    np.testing.assert_allclose(
        loss.data, reduce_reference(-log_probs[np.arange(5), LABELS], reduction)
    )
    assert gradcheck(lambda x: F.nll_loss(x, LABELS, reduction=reduction), log_probs)


def test_log_softmax_then_nll_equals_cross_entropy():
    logits = Tensor(LOGITS, requires_grad=True)
    F.nll_loss(F.log_softmax(logits, dim=1), LABELS).backward()
    via_nll = logits.grad
    logits.grad = None
    F.cross_entropy_loss(logits, LABELS).backward()
    np.testing.assert_allclose(via_nll, logits.grad, rtol=1e-10)


def test_nll_loss_rejects_bad_targets():
    with pytest.raises(ValueError, match="nll_loss: class index 7"):
        F.nll_loss(Tensor(LOGITS), [0, 1, 2, 3, 7])
    with pytest.raises(ValueError, match=r"nll_loss: expected class indices of shape \(5,\), got"):
        F.nll_loss(Tensor(LOGITS), ONE_HOT)
    with pytest.raises(ValueError, match="nll_loss: the input contains NaN"):
        F.nll_loss(Tensor(np.full((2, 3), np.nan)), [0, 1])


# ----- mse ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_matches_numpy_and_gradcheck(reduction):
    x, y = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    np.testing.assert_allclose(
        F.mse_loss(Tensor(x), y, reduction=reduction).data,
        reduce_reference((x - y) ** 2, reduction),
    )
    assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), x, y)


def test_mse_loss_errors():
    with pytest.raises(
        ValueError,
        match=r"mse_loss: expected a target of shape \(4, 1\) like the input, got shape \(4,\)",
    ):
        F.mse_loss(Tensor(np.ones((4, 1))), np.ones(4))
    with pytest.raises(ValueError, match="mse_loss: target contains NaN"):
        F.mse_loss(Tensor(np.ones(2)), [1.0, np.nan])
    with pytest.raises(ValueError, match="mse_loss: the input contains NaN"):
        F.mse_loss(Tensor([1.0, np.nan]), [1.0, 2.0])
    with pytest.raises(ValueError, match="mean loss of an empty input"):
        F.mse_loss(Tensor(np.ones(0)), np.ones(0))


# ----- binary cross-entropy -------------------------------------------------------------------


def bce_reference(p, t):
    return -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log(1 - p), -100))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_matches_numpy_and_gradcheck(reduction):
    p = RNG.uniform(0.05, 0.95, size=(3, 4))
    t = RNG.uniform(size=(3, 4))
    np.testing.assert_allclose(
        F.binary_cross_entropy(Tensor(p), t, reduction=reduction).data,
        reduce_reference(bce_reference(p, t), reduction),
    )
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction), p, t)


def test_binary_cross_entropy_clamps_the_log_at_minus_100():
    p = Tensor([0.0, 1.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(p, [1.0, 0.0, 1.0], reduction="none")
    np.testing.assert_allclose(loss.data, [100.0, 100.0, 0.0])
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad))


def test_binary_cross_entropy_errors():
    with pytest.raises(ValueError, match=r"expected input probabilities in \[0, 1\], got 1.5"):
        F.binary_cross_entropy(Tensor([0.5, 1.5]), [0.0, 1.0])
    with pytest.raises(ValueError, match=r"expected input probabilities in \[0, 1\], got nan"):
        F.binary_cross_entropy(Tensor([0.5, np.nan]), [0.0, 1.0])
    with pytest.raises(
        ValueError, match=r"binary_cross_entropy: expected a target of shape \(2,\)"
    ):
        F.binary_cross_entropy(Tensor([0.5, 0.5]), [[0.0, 1.0]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_with_logits_matches_numpy_and_gradcheck(reduction):
    x = RNG.normal(size=(3, 4)) * 3
    t = RNG.uniform(size=(3, 4))
    expected = bce_reference(1 / (1 + np.exp(-x)), t)
    loss = F.binary_cross_entropy_with_logits(Tensor(x), t, reduction=reduction)
    np.testing.assert_allclose(loss.data, reduce_reference(expected, reduction), rtol=1e-10)
    assert gradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction), x, t
    )


def test_binary_cross_entropy_with_logits_is_stable():
    x = Tensor([1000.0, -1000.0, 1000.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, [1.0, 0.0, 0.0], reduction="none")
    np.testing.assert_allclose(loss.data, [0.0, 0.0, 1000.0])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.0, 1.0])
    with pytest.raises(
        ValueError, match="binary_cross_entropy_with_logits: the input contains NaN"
    ):
        F.binary_cross_entropy_with_logits(Tensor([np.nan]), [1.0])


# ----- loss modules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "function", "inputs"),
    [
        (nn.CrossEntropyLoss, F.cross_entropy_loss, (LOGITS, LABELS)),
        (nn.NLLLoss, F.nll_loss, (log_softmax_reference(LOGITS), LABELS)),
        (nn.MSELoss, F.mse_loss, (LOGITS, PROBS)),
        (nn.BCELoss, F.binary_cross_entropy, (PROBS, ONE_HOT)),
        (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits, (LOGITS, ONE_HOT)),
    ],
)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_modules_call_their_functions(module, function, inputs, reduction):
    x, target = inputs
    loss_fn = module(reduction=reduction)
    np.testing.assert_array_equal(
        loss_fn(Tensor(x), target).data, function(Tensor(x), target, reduction=reduction).data
    )
    assert repr(loss_fn) == f"{module.__name__}()"  # PyTorch's: the options are not shown


def test_loss_module_rejects_a_bad_reduction():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="average")


# ----- PyTorch's options: weight, ignore_index, label_smoothing, more dimensions -----------

CLASS_WEIGHT = np.array([0.5, 2.0, 1.0, 3.0])
WITH_IGNORED = np.array([0, -100, 1, 3, -100])
CE_OPTIONS = [
    dict(weight=CLASS_WEIGHT),
    dict(ignore_index=3),
    dict(label_smoothing=0.2),
    dict(weight=CLASS_WEIGHT, ignore_index=1, label_smoothing=0.1),
]


def ce_reference(z, t, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """PyTorch's documented formula for class indices, written out in NumPy."""
    log_p = log_softmax_reference(z)
    w = np.ones(z.shape[1]) if weight is None else weight
    keep = t != ignore_index
    safe = np.where(keep, t, 0)
    true_part = w[safe] * -log_p[np.arange(len(t)), safe] * keep
    smooth_part = -(log_p * w).sum(axis=1) * keep
    losses = (1 - label_smoothing) * true_part + label_smoothing / z.shape[1] * smooth_part
    if reduction == "mean":
        return losses.sum() / (w[safe] * keep).sum()
    return reduce_reference(losses, reduction)


@pytest.mark.parametrize("options", CE_OPTIONS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_options_match_the_formula_and_gradcheck(options, reduction):
    loss = F.cross_entropy(Tensor(LOGITS), LABELS, reduction=reduction, **options)
    expected = ce_reference(LOGITS, LABELS, reduction=reduction, **options)
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12)
    assert gradcheck(lambda z: F.cross_entropy(z, LABELS, reduction=reduction, **options), LOGITS)


def test_ignored_targets_add_nothing_and_are_not_counted():
    logits = Tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(logits, WITH_IGNORED)
    kept = WITH_IGNORED != -100
    np.testing.assert_allclose(loss.data, F.cross_entropy(LOGITS[kept], WITH_IGNORED[kept]).data)
    loss.backward()
    assert np.all(logits.grad.numpy()[~kept] == 0)
    none = F.cross_entropy(Tensor(LOGITS), WITH_IGNORED, reduction="none").numpy()
    assert np.all(none[~kept] == 0)
    with pytest.raises(ValueError, match="nll_loss: class index -1 at position 0"):
        F.nll_loss(Tensor(LOGITS), [-1, 0, 0, 0, 0], ignore_index=-100)


@pytest.mark.parametrize("loss_fn", [F.cross_entropy, F.nll_loss])
def test_a_mean_over_no_counted_target_is_nan_with_a_zero_gradient(loss_fn):
    # As in PyTorch: a batch whose every target is ignored (a fully masked sequence, as
    # minGPT's adder masks its prompts with -1) gives NaN and leaves training unharmed.
    logits = Tensor(LOGITS, requires_grad=True)
    loss = loss_fn(logits, np.full(5, -1), ignore_index=-1)
    assert np.isnan(loss.item())
    loss.backward()
    assert np.all(logits.grad.numpy() == 0)
    assert loss_fn(Tensor(LOGITS), np.full(5, -1), ignore_index=-1, reduction="sum").item() == 0
    assert np.isnan(loss_fn(Tensor(np.zeros((0, 3))), np.zeros(0, dtype=np.int64)).item())
    with pytest.raises(ValueError, match="NaN"):  # a NaN from the input is still refused
        F.nll_loss(Tensor([[np.nan, 0.0]]), [0])


def test_cross_entropy_over_extra_dimensions_and_a_single_sample():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(2, 4, 3))  # (N, C, d1): classes in dimension 1
    target = np.array([[0, 3, 1], [2, -100, 1]])
    rows = logits.transpose(0, 2, 1).reshape(-1, 4)
    per_position = F.cross_entropy(Tensor(logits), target, reduction="none")
    assert per_position.shape == (2, 3)
    expected = F.cross_entropy(Tensor(rows), target.reshape(-1), reduction="none")
    np.testing.assert_allclose(per_position.numpy().reshape(-1), expected.numpy())
    assert gradcheck(lambda z: F.cross_entropy(z, target, label_smoothing=0.1), logits)
    single = F.cross_entropy(Tensor(LOGITS[0]), 0, reduction="none")
    assert single.shape == ()
    np.testing.assert_allclose(single.item(), -log_softmax_reference(LOGITS[:1])[0, 0])


def test_probability_targets_with_weight_and_smoothing():
    smoothed = PROBS * 0.8 + 0.2 / 4
    expected = -(smoothed * CLASS_WEIGHT * log_softmax_reference(LOGITS)).sum(axis=1).mean()
    loss = F.cross_entropy(Tensor(LOGITS), PROBS, CLASS_WEIGHT, label_smoothing=0.2)
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12)


def test_weighted_nll_loss_divides_by_the_targets_weight():
    log_probs = log_softmax_reference(LOGITS)
    loss = F.nll_loss(Tensor(log_probs), LABELS, CLASS_WEIGHT)
    picked = log_probs[np.arange(5), LABELS]
    expected = -(CLASS_WEIGHT[LABELS] * picked).sum() / CLASS_WEIGHT[LABELS].sum()
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12)
    assert gradcheck(lambda x: F.nll_loss(x, WITH_IGNORED, CLASS_WEIGHT), log_probs)


def test_bad_loss_options_are_named():
    with pytest.raises(ValueError, match=r"expected a class weight of shape \(4,\), one per"):
        F.cross_entropy(Tensor(LOGITS), LABELS, weight=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        F.cross_entropy(Tensor(LOGITS), LABELS, label_smoothing=1.5)
    with pytest.raises(ValueError, match="weight contains NaN"):
        F.nll_loss(Tensor(LOGITS), LABELS, weight=[1.0, np.nan, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"pos_weight of shape \(3,\) does not broadcast"):
        F.binary_cross_entropy_with_logits(Tensor(LOGITS), ONE_HOT, pos_weight=[1.0, 2.0, 3.0])


def test_binary_losses_with_weight_and_pos_weight_gradcheck():
    positive = np.array([1.0, 3.0, 0.5, 2.0])
    assert gradcheck(
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=positive), LOGITS, PROBS
    )
    weighted = F.binary_cross_entropy(Tensor(PROBS), ONE_HOT, CLASS_WEIGHT, reduction="none")
    plain = F.binary_cross_entropy(Tensor(PROBS), ONE_HOT, reduction="none")
    np.testing.assert_allclose(weighted.numpy(), plain.numpy() * CLASS_WEIGHT)


def test_loss_module_options_and_weight_buffer():
    loss_fn = nn.CrossEntropyLoss(CLASS_WEIGHT, ignore_index=1, label_smoothing=0.1)
    assert loss_fn.ignore_index == 1 and loss_fn.label_smoothing == 0.1
    assert list(loss_fn.state_dict()) == ["weight"]  # a buffer, as in PyTorch
    expected = F.cross_entropy(Tensor(LOGITS), LABELS, CLASS_WEIGHT, ignore_index=1,
                               label_smoothing=0.1)
    np.testing.assert_array_equal(loss_fn(Tensor(LOGITS), LABELS).data, expected.data)
    assert nn.NLLLoss().state_dict() == {}


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("cross_entropy", dict(weight=CLASS_WEIGHT, ignore_index=1, label_smoothing=0.1)),
        ("cross_entropy", dict(label_smoothing=0.3, reduction="sum")),
        ("nll_loss", dict(weight=CLASS_WEIGHT, ignore_index=3)),
        ("binary_cross_entropy_with_logits", dict(pos_weight=np.array([1.0, 3.0, 0.5, 2.0]))),
        ("binary_cross_entropy", dict(weight=CLASS_WEIGHT, reduction="sum")),
    ],
)
def test_loss_options_match_torch(name, options):
    torch = pytest.importorskip("torch")
    inputs = {
        "cross_entropy": (LOGITS, LABELS),
        "nll_loss": (log_softmax_reference(LOGITS), LABELS),
        "binary_cross_entropy_with_logits": (LOGITS, PROBS),
        "binary_cross_entropy": (PROBS, ONE_HOT),
    }[name]
    x, target = inputs
    ours_x = Tensor(x, requires_grad=True)
    ours = getattr(F, name)(ours_x, target, **options)
    ours.backward()
    theirs_x = torch.tensor(x, requires_grad=True)
    torch_options = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                     for k, v in options.items()}
    theirs = getattr(torch.nn.functional, name)(theirs_x, torch.tensor(target), **torch_options)
    theirs.backward()
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-10)
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-9, atol=1e-12)


# ----- one home for the functional forms ------------------------------------------------------


@pytest.mark.parametrize(("module_name", "names"), [
    ("minitorch.nn.losses", ["cross_entropy", "cross_entropy_loss", "nll_loss", "mse_loss",
                             "binary_cross_entropy", "binary_cross_entropy_with_logits",
                             "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
                             "soft_margin_loss"]),
    ("minitorch.loss", ["cross_entropy", "cross_entropy_loss", "nll_loss", "mse_loss",
                        "binary_cross_entropy", "binary_cross_entropy_with_logits"]),
    ("minitorch.nn.sequence", ["embedding", "layer_norm", "scaled_dot_product_attention"]),
    ("minitorch.nn.conv", ["conv2d", "max_pool2d", "avg_pool2d", "batch_norm"]),
])
def test_functional_forms_are_defined_once_in_nn_functional(module_name, names):
    import importlib

    module = importlib.import_module(module_name)
    for name in names:
        assert getattr(module, name) is getattr(F, name)  # the old paths still import
        assert getattr(F, name).__module__ == "minitorch.nn.functional"


def test_loss_modules_call_the_functional_forms():
    for module, function in ((nn.CrossEntropyLoss, F.cross_entropy), (nn.NLLLoss, F.nll_loss),
                             (nn.MSELoss, F.mse_loss), (nn.BCELoss, F.binary_cross_entropy),
                             (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits),
                             (nn.L1Loss, F.l1_loss), (nn.SmoothL1Loss, F.smooth_l1_loss),
                             (nn.HuberLoss, F.huber_loss), (nn.KLDivLoss, F.kl_div),
                             (nn.SoftMarginLoss, F.soft_margin_loss)):
        assert module.function is function


# ----- element-wise losses: L1, smooth L1, Huber, KL divergence, soft margin ----------------

ERRORS = np.array([[-3.0, -0.5, 0.0], [0.25, 1.0, 4.0]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_l1_smooth_l1_and_huber_losses_match_their_formulas(reduction):
    x = Tensor(ERRORS)
    zeros = np.zeros_like(ERRORS)
    size = np.abs(ERRORS)
    huber = np.where(size < 2.0, 0.5 * ERRORS**2, 2.0 * (size - 1.0))
    for loss, expected in ((F.l1_loss(x, zeros, reduction=reduction), size),
                           (F.huber_loss(x, zeros, reduction, delta=2.0), huber),
                           (F.smooth_l1_loss(x, zeros, reduction=reduction, beta=2.0), huber / 2),
                           (F.smooth_l1_loss(x, zeros, reduction=reduction, beta=0.0), size)):
        np.testing.assert_allclose(loss.data, reduce_reference(expected, reduction), rtol=1e-12)


def test_kl_div_is_the_divergence_per_sample_with_batchmean():
    p, q = PROBS, np.roll(PROBS, 1, axis=0)
    loss = F.kl_div(Tensor(np.log(q)), p, reduction="batchmean")
    np.testing.assert_allclose(loss.item(), (p * np.log(p / q)).sum() / len(p), rtol=1e-12)
    as_logs = F.kl_div(Tensor(np.log(q)), np.log(p), reduction="batchmean", log_target=True)
    np.testing.assert_allclose(as_logs.item(), loss.item(), rtol=1e-12)
    absent = p.copy()
    absent[0, 0] = 0.0  # adds nothing, instead of 0 * log(0) = NaN
    terms = F.kl_div(Tensor(np.log(q)), absent, reduction="none").data
    assert terms[0, 0] == 0.0 and np.isfinite(terms).all()


def test_soft_margin_loss_is_the_logistic_loss_without_overflow():
    x = Tensor(np.array([[800.0, -800.0, 0.5]]))
    loss = F.soft_margin_loss(x, [[-1.0, 1.0, 1.0]], reduction="none")
    np.testing.assert_allclose(loss.data, [[800.0, 800.0, np.log1p(np.exp(-0.5))]], rtol=1e-12)


ELEMENTWISE_LOSSES = [F.l1_loss, F.smooth_l1_loss, F.huber_loss, F.kl_div, F.soft_margin_loss]


@pytest.mark.parametrize("loss", ELEMENTWISE_LOSSES, ids=lambda f: f.__name__)
def test_elementwise_losses_check_the_target_and_reduction(loss):
    x = Tensor(np.full((2, 3), -0.5))
    with pytest.raises(ValueError, match=rf"{loss.__name__}: expected a target of shape "
                                         r"\(2, 3\) like the input, got shape \(3,\)"):
        loss(x, np.ones(3), reduction="sum")
    with pytest.raises(ValueError, match=f"{loss.__name__}: target contains NaN"):
        loss(x, np.full((2, 3), np.nan), reduction="sum")
    with pytest.raises(ValueError, match="reduction must be one of .* got 'average'"):
        loss(x, np.ones((2, 3)), reduction="average")
    with pytest.raises(ValueError, match=f"{loss.__name__}: the input contains NaN"):
        loss(Tensor([np.nan, 1.0]), [0.5, 0.5], reduction="sum")


def test_loss_widths_and_batchmean_are_checked():
    with pytest.raises(ValueError, match="smooth_l1_loss: beta must be >= 0, got -1"):
        F.smooth_l1_loss(Tensor([1.0]), [0.0], beta=-1)
    with pytest.raises(ValueError, match="huber_loss: delta must be > 0, got 0"):
        F.huber_loss(Tensor([1.0]), [0.0], delta=0)
    with pytest.raises(ValueError, match="HuberLoss: delta must be > 0, got -2.0"):
        nn.HuberLoss(delta=-2.0)
    with pytest.raises(ValueError, match="SmoothL1Loss: beta must be >= 0"):
        nn.SmoothL1Loss(beta=-0.5)
    with pytest.raises(ValueError, match="reduction must be one of .* got 'batchmean'"):
        nn.L1Loss(reduction="batchmean")  # only KL divergence has it
    assert nn.KLDivLoss(reduction="batchmean").reduction == "batchmean"


def test_new_loss_modules_pass_their_options():
    x, t = Tensor(ERRORS), np.zeros_like(ERRORS)
    np.testing.assert_allclose(nn.HuberLoss("sum", 2.0)(x, t).item(),
                               F.huber_loss(x, t, "sum", 2.0).item())
    np.testing.assert_allclose(nn.SmoothL1Loss(reduction="none", beta=0.5)(x, t).data,
                               F.smooth_l1_loss(x, t, reduction="none", beta=0.5).data)
    assert repr(nn.SmoothL1Loss(beta=0.5)) == "SmoothL1Loss()"


# ----- PyTorch's deprecated size_average / reduce, and element weights ------------------------


@pytest.mark.parametrize(
    ("legacy", "reduction"),
    [(dict(size_average=False), "sum"), (dict(reduce=False), "none"),
     (dict(size_average=True, reduce=True), "mean"),
     (dict(size_average=False, reduce=False), "none")],
)
def test_size_average_and_reduce_choose_the_reduction_with_a_warning(legacy, reduction):
    logits = Tensor(np.array([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]], np.float32))
    labels = np.array([1, 2])
    expected = F.cross_entropy(logits, labels, reduction=reduction).numpy()
    with pytest.warns(UserWarning, match=f"reduction='{reduction}'"):
        np.testing.assert_allclose(F.cross_entropy(logits, labels, **legacy).numpy(), expected)
    with pytest.warns(UserWarning, match=f"reduction='{reduction}'"):
        loss_fn = nn.NLLLoss(**legacy)
    assert loss_fn.reduction == reduction
    with pytest.warns(UserWarning, match=f"reduction='{reduction}'"):
        assert nn.MSELoss(**legacy).reduction == reduction


def test_losses_take_pytorch_positional_arguments():
    x = Tensor(np.array([0.5, -1.0, 2.0], np.float32))
    y = np.zeros(3, np.float32)
    # mse_loss(input, target, size_average, reduce, reduction)
    assert F.mse_loss(x, y, None, None, "sum").item() == pytest.approx(5.25)


@pytest.mark.parametrize(("loss", "divisor"), [(F.mse_loss, "weight"), (F.l1_loss, "weight"),
                                              (F.huber_loss, "count")])
def test_element_weights_scale_each_loss(loss, divisor):
    x = Tensor(np.array([0.5, -1.0, 2.0], np.float32), requires_grad=True)
    y = np.zeros(3, np.float32)
    weight = np.array([1.0, 0.0, 3.0], np.float32)
    plain = loss(x, y, reduction="none").detach().numpy()
    weighted = loss(x, y, reduction="none", weight=weight).detach().numpy()
    np.testing.assert_allclose(weighted, plain * weight)
    # PyTorch's mean divides by the total weight for mse and l1, by the count for huber
    expected = (plain * weight).sum() / (weight.sum() if divisor == "weight" else 3)
    assert loss(x, y, weight=weight).item() == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"weights of the input's shape \(3,\)"):
        loss(x, y, weight=np.ones(1, np.float32))
