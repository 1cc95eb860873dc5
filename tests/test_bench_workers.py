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


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_step_phases_compares_minitorch_with_the_same_training_by_hand(
    optimizer, monkeypatch
):
    """benchmarks/step_phases.py times minitorch's step against its NumPy work written out;
    both must compute the same losses and updates for the comparison to mean anything."""
    import numpy as np

    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    from bench_common import MLPSpec, initial_weights
    from step_phases import MinitorchStep, NumpyStep

    spec = MLPSpec((12, 8, 5), optimizer)
    weights = initial_weights(spec.sizes, 0)
    steps = (MinitorchStep(spec, weights), NumpyStep(spec, weights))
    rng = np.random.default_rng(0)
    for _ in range(4):
        images = rng.standard_normal((16, 12), dtype=np.float32)
        labels = rng.integers(0, 5, 16)
        losses = []
        for step in steps:
            step.forward(images)
            step.loss(labels)
            step.backward()
            losses.append(step.update())
        assert losses[0] == pytest.approx(losses[1], rel=1e-5)
    layers = [steps[0].model[0], steps[0].model[2]]
    for layer, weight, bias in zip(layers, steps[1].weights, steps[1].biases, strict=True):
        np.testing.assert_allclose(layer.weight.detach().numpy(), weight, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(layer.bias.detach().numpy(), bias, rtol=1e-5, atol=1e-6)
