"""Denormal numbers flushed to zero: set_flush_denormal, and the optimizer step's scope."""

from __future__ import annotations

import platform
import sys
import threading
from collections.abc import Iterator

import numpy as np
import pytest

import minitorch
from minitorch import nn, optim
from minitorch.denormals import denormals_flushed

SUPPORTED = sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64")
needs_support = pytest.mark.skipif(not SUPPORTED, reason="flushing is set on Linux x86-64 only")
DENORMAL = np.float32(1e-39)  # below float32's smallest normal number, 1.18e-38


def flushes() -> bool:
    """Whether this thread's arithmetic flushes denormals now."""
    return float((np.array([DENORMAL]) * np.float32(1))[0]) == 0.0


@pytest.fixture(autouse=True)
def mode_restored() -> Iterator[None]:
    yield
    minitorch.set_flush_denormal(False)


def test_the_arithmetic_keeps_denormals_by_default_as_in_pytorch() -> None:
    assert not flushes()


@needs_support
def test_set_flush_denormal_switches_the_mode_both_ways() -> None:
    assert minitorch.set_flush_denormal(True) is True
    assert flushes()
    assert float((minitorch.tensor([1e-39]) * 1).item()) == 0.0
    assert float((np.array([1e-310]) * 1.0)[0]) == 0.0  # float64's denormals too
    assert minitorch.set_flush_denormal(False) is True
    assert not flushes()


@pytest.mark.skipif(SUPPORTED, reason="the unsupported case")
def test_where_the_mode_cannot_be_set_it_says_so_and_nothing_changes() -> None:
    assert minitorch.set_flush_denormal(True) is False
    assert not flushes()


def test_set_flush_denormal_rejects_what_is_not_a_bool() -> None:
    with pytest.raises(TypeError, match="expected a bool, got int"):
        minitorch.set_flush_denormal(1)  # type: ignore[arg-type]


@needs_support
@pytest.mark.parametrize("flushing_before", [False, True])
def test_the_scope_flushes_inside_and_gives_the_mode_back_even_on_error(
    flushing_before: bool,
) -> None:
    minitorch.set_flush_denormal(flushing_before)
    with pytest.raises(RuntimeError, match="inside"):
        with denormals_flushed():
            assert flushes()
            raise RuntimeError("inside")
    assert flushes() == flushing_before


@needs_support
def test_the_mode_belongs_to_the_thread_that_sets_it() -> None:
    seen = []

    def worker() -> None:
        minitorch.set_flush_denormal(True)
        seen.append(flushes())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [True]
    assert not flushes()


@needs_support
@pytest.mark.parametrize("make_optimizer", [
    lambda params: optim.Adam(params, lr=1e-3),
    lambda params: optim.SGD(params, lr=1e-2, momentum=0.9),
])
def test_running_averages_of_zero_gradients_reach_zero_without_turning_denormal(
    make_optimizer,
) -> None:
    """A weight whose gradient stays zero after one step (an input that is always 0): its
    average shrinks by 0.9 a step, below 1.18e-38 after about 800 steps. Before the step
    flushed denormals, the averages stayed denormal, and every pass over them was slow."""
    layer = nn.Linear(4, 1)
    optimizer = make_optimizer(layer.parameters())
    layer(minitorch.ones(1, 4)).sum().backward()
    optimizer.step()
    for _ in range(900):
        layer.weight.grad = minitorch.zeros_like(layer.weight)
        layer.bias.grad = minitorch.zeros_like(layer.bias)
        optimizer.step()
    for state in optimizer.state.values():
        average = np.asarray(state.get("exp_avg", state.get("momentum_buffer")))
        assert np.all(average == 0), average
    assert not flushes()  # the caller's own mode is back after every step


@needs_support
def test_a_c_library_whose_environment_does_not_flush_is_left_alone() -> None:
    """The flags are tried once before use: an fesetenv that does not set them (as with a
    fenv_t laid out otherwise) makes flushing unsupported instead of writing blindly."""
    from minitorch import denormals

    fegetenv, fesetenv = denormals._calls()
    assert denormals._flags_flush(fegetenv, fesetenv)
    assert not denormals._flags_flush(fegetenv, lambda env: 0)  # accepts, changes nothing
    assert not flushes()
