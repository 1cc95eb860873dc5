"""A port of pytorch/examples' polynomial regression (`regression/main.py`): a Linear layer
learns y = w . (x, x^2, x^3, x^4) + b from random batches with the smooth L1 loss and a
hand-written update through ``param.data.add_``; its report formats 0-d tensors with
``'{:+.2f}'``. The program is written once, for a module that is either library, and run
with ``import minitorch as torch`` (and with PyTorch, when installed, for comparison)."""

import re
from itertools import count

import pytest

import minitorch

POLY_DEGREE = 4
MAX_BATCHES = 3000


def run_regression(torch) -> tuple[float, int, str, str]:
    """The example's program; returns the last loss, the batches it took and the two
    polynomials it prints."""
    F = torch.nn.functional
    torch.manual_seed(0)
    W_target = torch.randn(POLY_DEGREE, 1) * 5
    b_target = torch.randn(1) * 5

    def make_features(x):
        x = x.unsqueeze(1)
        return torch.cat([x**i for i in range(1, POLY_DEGREE + 1)], 1)

    def f(x):
        return x.mm(W_target) + b_target.item()

    def poly_desc(W, b):
        result = "y = "
        for i, w in enumerate(W):
            result += "{:+.2f} x^{} ".format(w, i + 1)  # noqa: UP032 (the example's spelling)
        result += "{:+.2f}".format(b[0])  # noqa: UP032
        return result

    def get_batch(batch_size=32):
        random = torch.randn(batch_size)
        x = make_features(random)
        return x, f(x)

    fc = torch.nn.Linear(W_target.size(0), 1)
    for batch_idx in count(1):
        batch_x, batch_y = get_batch()
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data.add_(-0.1 * param.grad)
        if loss < 1e-3 or batch_idx == MAX_BATCHES:
            break
    return (loss, batch_idx, poly_desc(fc.weight.view(-1), fc.bias),
            poly_desc(W_target.view(-1), b_target))


def coefficients(description: str) -> list[float]:
    return [float(c) for c in re.findall(r"[+-]\d+\.\d\d", description)]


# A smooth L1 loss below 1e-3 on one batch leaves each coefficient within a few tenths
# (the x^4 column dominates the fit; the example prints both polynomials to compare).
CLOSE = 0.3


def test_the_regression_example_learns_the_polynomial():
    loss, batches, learned, actual = run_regression(minitorch)
    assert loss < 1e-3 and batches < MAX_BATCHES
    assert re.fullmatch(r"y = ([+-]\d+\.\d\d x\^\d ){4}[+-]\d+\.\d\d", learned)
    assert coefficients(learned) == pytest.approx(coefficients(actual), abs=CLOSE)


def test_pytorch_runs_the_same_program_to_the_same_kind_of_result():
    torch = pytest.importorskip("torch")
    ours, theirs = run_regression(minitorch), run_regression(torch)
    for loss, batches, learned, actual in (ours, theirs):
        assert loss < 1e-3 and batches < MAX_BATCHES
        assert coefficients(learned) == pytest.approx(coefficients(actual), abs=CLOSE)
