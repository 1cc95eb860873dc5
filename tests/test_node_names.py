"""Every recorded operation shows PyTorch's node name (``print(loss.grad_fn)``,
``grad_fn.name()``, ``next_functions``), as the tutorials print them. The table holds
PyTorch 2.13's names; where PyTorch is installed, the table itself is checked against it."""

import numpy as np
import pytest

import minitorch as mt
import minitorch.nn.functional as mt_functional

# (expression on a 3x4 float tensor `a` that requires grad, PyTorch's node name)
NAMES = [
    ("a + a", "AddBackward0"), ("a - a", "SubBackward0"), ("1 - a", "RsubBackward1"),
    ("a * a", "MulBackward0"), ("a / 2", "DivBackward0"), ("a ** 2", "PowBackward0"),
    ("a ** a", "PowBackward1"), ("2 ** a", "PowBackward2"),
    ("a[0]", "SelectBackward0"), ("a[-1]", "SelectBackward0"), ("a[0, 1]", "SelectBackward0"),
    ("a[:, 0]", "SelectBackward0"), ("a[..., 0]", "SelectBackward0"),
    ("a[1:][0]", "SelectBackward0"), ("a[1:, 0]", "SelectBackward0"),
    ("a[:]", "SliceBackward0"), ("a[0:3]", "SliceBackward0"), ("a[::2]", "SliceBackward0"),
    ("a[0, 1:]", "SliceBackward0"), ("a[:, :2]", "SliceBackward0"),
    ("a[None, 1:]", "SliceBackward0"), ("a[None]", "UnsqueezeBackward0"),
    ("a[1:, None]", "UnsqueezeBackward0"), ("a[..., None]", "UnsqueezeBackward0"),
    ("a[:, :]", "AliasBackward0"), ("a[...]", "AliasBackward0"),
    ("a[[0, 1]]", "IndexBackward0"), ("a[a > 0]", "IndexBackward0"),
    ("a[:, [0, 1]]", "IndexBackward0"), ("a[1:, [0, 1]]", "IndexBackward0"),
    ("a.narrow(1, 0, 2)", "SliceBackward0"), ("a.split(2, 1)[1]", "SplitBackward0"),
    ("a.chunk(2)[0]", "SplitBackward0"), ("a.unbind(0)[1]", "UnbindBackward0"),
    ("a.flip(0)", "FlipBackward0"), ("a.diagonal()", "DiagonalBackward0"),
    ("a.index_select(0, lib.tensor([0]))", "IndexSelectBackward0"),
    ("a.t()", "TBackward0"), ("a.T", "PermuteBackward0"), ("a.permute(1, 0)", "PermuteBackward0"),
    ("a.transpose(0, 1)", "TransposeBackward0"), ("a.swapaxes(0, 1)", "TransposeBackward0"),
    ("a.mT", "TransposeBackward0"), ("a.view(12)", "ViewBackward0"),
    ("a.unsqueeze(1)", "UnsqueezeBackward0"), ("a[None].squeeze()", "SqueezeBackward0"),
    ("a[None].squeeze(0)", "SqueezeBackward1"), ("a[None].squeeze((0,))", "SqueezeBackward2"),
    ("a.repeat(2, 1)", "RepeatBackward0"), ("a.expand(2, 3, 4)", "ExpandBackward0"),
    ("a.sum()", "SumBackward0"), ("a.sum(1)", "SumBackward1"), ("a.mean()", "MeanBackward0"),
    ("a.mean(0, keepdim=True)", "MeanBackward1"), ("a.prod()", "ProdBackward0"),
    ("a.prod(1)", "ProdBackward1"), ("a.max()", "MaxBackward1"),
    ("a.max(1).values", "MaxBackward0"), ("a.min()", "MinBackward1"),
    ("a.min(1).values", "MinBackward0"), ("a.amax(1)", "AmaxBackward0"),
    ("a.amin(1)", "AminBackward0"), ("a.topk(2).values", "TopkBackward0"),
    ("a.sort(1).values", "SortBackward0"),
    ("a.gather(1, lib.tensor([[0], [1], [2]]))", "GatherBackward0"),
    ("a.sin()", "SinBackward0"), ("a.cosh()", "CoshBackward0"), ("a.log1p()", "Log1PBackward0"),
    ("a.expm1()", "Expm1Backward0"), ("a.log2()", "Log2Backward0"),
    ("a.log10()", "Log10Backward0"), ("a.floor()", "FloorBackward0"),
    ("a.round()", "RoundBackward0"), ("a.round(decimals=1)", "RoundBackward1"),
    ("a.sign()", "SignBackward0"), ("a.tril()", "TrilBackward0"), ("a.triu()", "TriuBackward0"),
    ("F.mse_loss(a, a.detach())", "MseLossBackward0"),
    ("F.mse_loss(a, a.detach(), reduction='none')", "MseLossBackward0"),
    ("F.binary_cross_entropy(a.sigmoid(), a.detach().sigmoid())", "BinaryCrossEntropyBackward0"),
    ("F.binary_cross_entropy_with_logits(a, a.detach().sigmoid())",
     "BinaryCrossEntropyWithLogitsBackward0"),
    ("F.cross_entropy(a, lib.tensor([0, 1, 2]))", "NllLossBackward0"),
    ("F.dropout(a, 0.5)", "MulBackward0"), ("F.linear(a, a)", "MmBackward0"),
    ("F.linear(a, a, a[0, :3])", "AddmmBackward0"), ("F.pad(a, (1, 1))", "ConstantPadNdBackward0"),
    ("F.pad(a[None], (1, 1), mode='reflect')", "ReflectionPad1DBackward0"),
    ("F.pad(a[None, None], (1, 1, 1, 1), mode='replicate')", "ReplicationPad2DBackward0"),
]


def _name(lib, functional, expression: str) -> str:
    lib.manual_seed(0)
    a = lib.randn(3, 4, requires_grad=True)
    return eval(expression, {"lib": lib, "F": functional, "a": a}).grad_fn.name()


@pytest.mark.parametrize(("expression", "name"), NAMES)
def test_nodes_are_named_as_in_pytorch(expression: str, name: str) -> None:
    assert _name(mt, mt_functional, expression) == name


def test_a_name_is_kept_after_backward_and_shows_in_the_repr() -> None:
    a = mt.randn(3, requires_grad=True)
    loss = mt_functional.mse_loss(a[1:], mt.zeros(2))
    assert repr(loss.grad_fn).startswith("<MseLossBackward0 object at 0x")
    (selected, _), (target, _) = loss.grad_fn.next_functions
    assert selected.name() == "SliceBackward0" and target is None
    loss.backward()
    assert loss.grad_fn.name() == "MseLossBackward0"
    np.testing.assert_allclose(a.grad.numpy(), [0.0, *(a.detach().numpy()[1:])])


@pytest.mark.parametrize(("expression", "name"), NAMES)
def test_the_table_holds_pytorchs_names(expression: str, name: str) -> None:
    torch = pytest.importorskip("torch")
    assert _name(torch, torch.nn.functional, expression) == name
