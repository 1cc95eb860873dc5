"""minitorch keeps the memory of freed arrays for reuse and starts parameters on a cache line
(minitorch/memory.py)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import minitorch
from minitorch import nn
from minitorch.memory import CACHE_LINE, aligned_empty_like, cache_aligned, keep_freed_memory

GLIBC = sys.platform.startswith("linux") and bool(os.confstr("CS_GNU_LIBC_VERSION"))

# Two 12 MB arrays around a 1.2 MB one, allocated and freed 50 times: with glibc's defaults
# every round faults all their pages in again (about 1,000 faults a round), because the
# freed memory goes back to the system; once minitorch is imported it is reused.
STEPS = """
import resource, numpy as np
import minitorch
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
    arrays = [np.ones(n, np.float32) for n in (3_000_000, 300_000, 3_000_000)]; del arrays
before = faults()
for _ in range(50):
    arrays = [np.ones(n, np.float32) for n in (3_000_000, 300_000, 3_000_000)]; del arrays
print((faults() - before) / 50)
"""


@pytest.mark.skipif(not GLIBC, reason="the setting is for glibc's malloc")
def test_importing_minitorch_makes_freed_array_memory_reused():
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", STEPS], env=env, capture_output=True,
                         text=True, check=True)
    assert float(out.stdout) < 50  # page faults per round of allocations


@pytest.mark.skipif(not GLIBC, reason="the setting is for glibc's malloc")
def test_settings_are_applied_on_glibc():
    assert keep_freed_memory() is True


def test_the_environments_own_malloc_settings_stand(monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert keep_freed_memory() is False


# ----- parameters start on a cache line ----------------------------------------------------


def _starts_on_cache_line(array: np.ndarray) -> bool:
    return array.ctypes.data % CACHE_LINE == 0


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("offset", [0, 4, 16, 48])
def test_cache_aligned_copies_a_misplaced_array_keeping_shape_dtype_order_and_values(order, offset):
    raw = np.empty(3 * 5 * 4 + CACHE_LINE + offset, dtype=np.uint8)
    start = -raw.ctypes.data % CACHE_LINE + offset
    array = raw[start : start + 60].view(np.float32).reshape((3, 5), order=order)
    array[...] = np.arange(15).reshape(3, 5)
    aligned = cache_aligned(array)
    assert _starts_on_cache_line(aligned)
    assert (aligned is array) == (offset == 0)
    assert aligned.shape == (3, 5) and aligned.dtype == np.float32
    assert aligned.flags.f_contiguous == (order == "F")
    assert aligned.flags.c_contiguous == (order == "C")
    np.testing.assert_array_equal(aligned, np.arange(15).reshape(3, 5))


def test_cache_aligned_makes_a_strided_view_contiguous():
    view = np.arange(20.0).reshape(4, 5)[:, ::2]
    aligned = cache_aligned(view)
    assert _starts_on_cache_line(aligned) and aligned.flags.c_contiguous
    np.testing.assert_array_equal(aligned, view)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.bool_])
def test_aligned_empty_like_takes_a_new_dtype_and_handles_empty_shapes(dtype):
    like = np.zeros((0, 3), dtype=np.float32)
    out = aligned_empty_like(like, dtype)
    assert out.shape == (0, 3) and out.dtype == dtype


def test_parameters_start_on_a_cache_line_through_creation_conversion_and_loading():
    model = nn.Sequential(nn.Linear(7, 5), nn.ReLU(), nn.Linear(5, 3), nn.Conv2d(1, 2, 3))
    weight = model[0].weight._data
    assert weight.flags.f_contiguous  # Linear keeps its (out, in) weight column by column
    assert all(_starts_on_cache_line(p._data) for p in model.parameters())
    assert _starts_on_cache_line(nn.Parameter(np.arange(5.0)[1:])._data)

    state = {k: v + 1 for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    for name, p in model.named_parameters():
        assert _starts_on_cache_line(p._data), name
        np.testing.assert_array_equal(p._data, state[name].numpy())
    assert model[0].weight._data.flags.f_contiguous

    model.double()
    assert all(_starts_on_cache_line(p._data) and p.dtype == minitorch.float64
               for p in model.parameters())
    assert model[0].weight._data.flags.f_contiguous
    np.testing.assert_allclose(model[2].bias._data, state["2.bias"].numpy())
