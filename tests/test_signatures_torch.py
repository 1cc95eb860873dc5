"""Every function, layer and optimizer that minitorch shares with PyTorch takes PyTorch's
arguments: the same names, in the same order, with the same defaults, so that calls written
for PyTorch (positional or by keyword) mean the same thing here.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any

import pytest

import minitorch
import minitorch.nn.functional as F
from minitorch import nn, optim
from minitorch.optim import lr_scheduler

torch = pytest.importorskip("torch")

def _arguments(function: Any) -> list[tuple[str, Any]] | None:
    """(name, default) of each named argument, or None where there is no Python signature
    (PyTorch's C functions) or it is only ``*args`` (PyTorch's overload dispatchers). A
    function that takes only ``*args`` but declares its arguments in a ``typing.overload``
    (the constructors of nn.RNN, nn.LSTM and nn.GRU) is read from the first overload that
    names them."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    named = _named(signature)
    if not named and any(p.kind == p.VAR_POSITIONAL for p in signature.parameters.values()):
        overloads = typing.get_overloads(function) if hasattr(function, "__module__") else []
        return next(filter(None, (_named(inspect.signature(o)) for o in overloads)), None)
    return named


def _named(signature: inspect.Signature) -> list[tuple[str, Any]]:
    return [  # minitorch has no out= arguments: every result is a new tensor
        (p.name, p.default)
        for p in signature.parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in ("self", "out")
    ]


def _pairs() -> list[tuple[str, Any, Any]]:
    """(label, PyTorch's callable, minitorch's) for everything both define."""
    pairs = []
    for name in sorted(dir(F)):
        if not name.startswith("_") and callable(getattr(torch.nn.functional, name, None)):
            pairs.append((f"F.{name}", getattr(torch.nn.functional, name), getattr(F, name)))
    for prefix, ours, theirs in (
        ("nn", nn, torch.nn),
        ("optim", optim, torch.optim),
        ("lr_scheduler", lr_scheduler, torch.optim.lr_scheduler),
    ):
        for name in sorted(dir(ours)):
            mine, reference = getattr(ours, name), getattr(theirs, name, None)
            if name.startswith("_") or not inspect.isclass(mine) or not inspect.isclass(reference):
                continue
            for method in ("__init__", "forward", "step"):
                if method in vars(reference) or method in vars(mine):
                    if hasattr(reference, method) and hasattr(mine, method):
                        pairs.append((f"{prefix}.{name}.{method}", getattr(reference, method),
                                      getattr(mine, method)))
    return pairs


PAIRS = _pairs()


def _same_default(a: Any, b: Any) -> bool:
    if a is inspect.Parameter.empty or b is inspect.Parameter.empty:
        return a is b
    try:
        return bool(a == b)
    except Exception:  # a dtype or tensor default that has no plain equality
        return type(a) is type(b)


def test_the_comparison_covers_the_api():
    labels = {label for label, _, _ in PAIRS}
    assert {"F.cross_entropy", "nn.Linear.__init__", "nn.Conv2d.forward",
            "optim.Adam.__init__", "lr_scheduler.StepLR.__init__", "nn.LSTM.__init__",
            "nn.GRUCell.forward"} <= labels
    # PyTorch's recurrent layers declare their constructors' arguments in an overload
    for name in ("RNN", "LSTM", "GRU"):
        assert _arguments(getattr(torch.nn, name).__init__)[:2] == [
            ("input_size", inspect.Parameter.empty), ("hidden_size", inspect.Parameter.empty)]
    assert len(PAIRS) > 150


@pytest.mark.parametrize(("label", "reference", "mine"), PAIRS, ids=[p[0] for p in PAIRS])
def test_arguments_match_pytorch(label, reference, mine):
    theirs, ours = _arguments(reference), _arguments(mine)
    if theirs is None or ours is None:
        pytest.skip("no Python signature to compare")
    assert [name for name, _ in ours] == [name for name, _ in theirs]
    different = [(name, default, dict(ours)[name]) for name, default in theirs
                 if not _same_default(default, dict(ours)[name])]
    assert not different, f"defaults (name, PyTorch's, minitorch's): {different}"


def test_minitorch_layers_take_device_and_dtype_by_keyword():
    layer = nn.Linear(2, 3, device=minitorch.device("cpu"), dtype=minitorch.float64)
    assert layer.weight.dtype == minitorch.float64
