"""makemore parts 3, 4 and 5 (the programs in makemore_lectures.py) run by minitorch, with
what the lectures show checked in numbers; and, where PyTorch is installed, the same text
run by PyTorch, to compare.

A uniform guess over the 27 characters has loss ln(27) = 3.296; the lectures' full runs
reach about 2.1 (parts 3 and 4) and 2.0 (part 5). These runs are a few hundred steps long,
so the thresholds sit in between: well below chance, above what a full run reaches.
"""

import functools
import math

import makemore_lectures as lectures
import pytest

import minitorch

pytestmark = pytest.mark.skipif(not lectures.NAMES.is_file(), reason="names.txt absent")
CHANCE = math.log(27)


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """The matrices here are small: a second BLAS thread only waits for a free core, which a
    busy two-core machine may not have (the WaveNet run then takes several times longer)."""
    before = minitorch.get_num_threads()
    minitorch.set_num_threads(1)
    yield
    minitorch.set_num_threads(before)


@functools.cache
def ours(program: str) -> dict:
    """A program's results with minitorch, run once for the tests that look at them."""
    return getattr(lectures, program)()


def test_batch_norm_by_hand():
    result = ours("batchnorm_mlp")
    assert abs(result["first_loss"] - CHANCE) < 0.2  # the scaled-down init starts at chance
    assert result["last_loss"] < CHANCE - 0.7
    # evaluated with the running statistics, which track those of the whole training set
    assert result["train"] < CHANCE - 0.7 and result["val"] < CHANCE - 0.7
    assert result["running_mean_error"] < 0.2 and result["running_std_error"] < 0.1


def test_deep_network_and_its_diagnostics():
    result = ours("deep_network")
    assert result["last_loss"] < CHANCE - 0.5
    assert result["train"] < CHANCE - 0.5 and result["val"] < CHANCE - 0.5
    # batch norm and the 5/3 gain keep every tanh layer alive: a spread near 0.65, few
    # saturated units, and gradients of about the same size in every layer
    for summary, std, saturated, histogram_area, centres in result["activations"]:
        assert summary.startswith("layer ") and "saturated" in summary
        assert 0.5 < std < 0.8 and saturated < 10
        assert abs(histogram_area - 1) < 1e-5 and tuple(centres) == (100,)
    grad_stds = [std for std, _ in result["gradients"]]
    assert all(std > 0 for std in grad_stds) and max(grad_stds) < 3 * min(grad_stds)
    assert all(tuple(shape) == (100,) for _, shape in result["gradients"])
    # updates of about 1/1000 to 1/10 of the values, as the lecture's plot shows
    assert all(-4 < ratio < -1 for ratio in result["last_update_ratios"])
    assert len(result["weight_lines"]) == 7
    assert result["weight_lines"][2].startswith("weight (100, 100) | mean ")
    assert all(name.endswith(".") for name in result["names"])


def test_gradient_spread_through_a_linear_layer():
    stats = ours("linear_statistics")
    # c = b @ a with 1000 unit-normal terms: std sqrt(1000); a.grad = b.T @ c.grad likewise
    assert abs(stats["c"][0] / math.sqrt(1000) - 1) < 0.1
    assert abs(stats["a"][1] / math.sqrt(1000) - 1) < 0.1
    assert abs(stats["b"][1] - 1) < 0.1 and abs(stats["c"][1] - 1) < 0.1


def test_backprop_by_hand_matches_autograd():
    result = ours("manual_backprop")
    assert abs(result["loss"] - CHANCE) < 0.2
    assert result["all_float32"]
    for name, _, close, maxdiff in result["step_by_step"]:
        assert close and maxdiff < 1e-6, (name, maxdiff)
    # the steps PyTorch itself gets bit for bit, minitorch too
    exact_by_name = {name: exact for name, exact, _, _ in result["step_by_step"]}
    assert all(exact_by_name[name] for name in ["logprobs", "probs", "counts_sum_inv",
                                                 "counts_sum", "counts", "norm_logits",
                                                 "logit_maxes", "logits", "h", "W2", "b2"])
    # the fused formulas of cross-entropy and batch norm agree to float32 rounding
    for name, _, _, maxdiff in result["fused"]:
        assert maxdiff < 1e-7, (name, maxdiff)
    assert abs(result["loss_diff"]) < 1e-6 and result["forward_diff"] < 1e-5


def test_training_with_the_backward_pass_by_hand():
    result = ours("train_by_hand")
    for shape, _, _, maxdiff in result["first_step"]:
        assert maxdiff < 1e-6, (shape, maxdiff)
    assert result["last_loss"] < CHANCE - 0.6
    assert result["train"] < CHANCE - 0.6 and result["val"] < CHANCE - 0.6


def test_wavenet():
    result = ours("wavenet")
    assert result["parameters"] == 76579  # as the lecture counts for this network
    assert result["examples"][:3] == ["........ --> y", ".......y --> u", "......yu --> h"]
    assert result["pairs_are_a_view"]
    assert [tuple(shape) for shape in result["shapes"]] == [
        (32, 8, 24),
        (32, 4, 48), (32, 4, 128), (32, 4, 128), (32, 4, 128),
        (32, 2, 256), (32, 2, 128), (32, 2, 128), (32, 2, 128),
        (32, 256), (32, 128), (32, 128), (32, 128),
        (32, 27),
    ]
    curve = result["curve"]  # mean log10 loss of each 100 steps
    assert curve[-1] < curve[0] - 0.05
    assert result["train"] < CHANCE - 0.9 and result["val"] < CHANCE - 0.9
    assert result["batch_diff"] < 1e-5  # one example at a time gives the batch's rows
    assert all(name.endswith(".") for name in result["names"])


# ----- the same text run by PyTorch ---------------------------------------------------------


@pytest.fixture(scope="module")
def theirs():
    """A program's results with PyTorch, run once."""
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    programs = lectures.with_pytorch()
    yield functools.cache(lambda program: programs[program]())
    torch.set_num_threads(before)


# The lecture prints tensors that require grad with %-formatting, which PyTorch warns about.
@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")
@pytest.mark.parametrize("program", ["batchnorm_mlp", "deep_network", "train_by_hand",
                                     "wavenet"])
def test_pytorch_trains_to_the_same_losses(theirs, program):
    # different random numbers, the same program: the losses agree closely
    assert abs(theirs(program)["train"] - ours(program)["train"]) < 0.1
    assert abs(theirs(program)["val"] - ours(program)["val"]) < 0.1


def test_pytorch_backprop_by_hand_checks_the_same(theirs):
    torch_result, result = theirs("manual_backprop"), ours("manual_backprop")
    assert torch_result["all_float32"] and result["all_float32"]
    pairs = zip(torch_result["step_by_step"] + torch_result["fused"],
                result["step_by_step"] + result["fused"])
    for (name, _, close, maxdiff), (our_name, _, our_close, our_maxdiff) in pairs:
        assert name == our_name and close and our_close
        assert maxdiff < 1e-6 and our_maxdiff < 1e-6
    for shape, _, _, maxdiff in theirs("train_by_hand")["first_step"]:
        assert maxdiff < 1e-6, (shape, maxdiff)
