"""minitorch keeps the memory of freed arrays for reuse (minitorch/memory.py)."""

import os
import subprocess
import sys

import pytest

from minitorch.memory import keep_freed_memory

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
