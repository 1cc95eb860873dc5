"""The benchmark workers measure the minitorch of the checkout they belong to."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def workers(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    import workers

    return workers


def test_worker_environment_imports_this_checkouts_minitorch_and_keeps_the_callers_path(
    workers, monkeypatch, tmp_path
):
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    env = workers.worker_env(1)
    assert env["OPENBLAS_NUM_THREADS"] == "1"
    assert env["PYTHONPATH"].split(os.pathsep)[1:] == [str(tmp_path)]
    # Started elsewhere, as a worker script is (its own folder first on the path).
    found = subprocess.run(
        [sys.executable, "-c", "import minitorch; print(minitorch.__file__)"],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert Path(found).resolve() == REPO / "minitorch" / "__init__.py"


def test_every_worker_runs_with_minitorchs_malloc_settings(workers):
    from minitorch.memory import keep_freed_memory

    mmap_threshold, trim_threshold = keep_freed_memory.__defaults__
    env = workers.worker_env(2)
    assert env["MALLOC_MMAP_THRESHOLD_"] == str(mmap_threshold)
    assert env["MALLOC_TRIM_THRESHOLD_"] == str(trim_threshold)
