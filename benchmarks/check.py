"""Fast self-check of the benchmark workers (no pytest needed): ``python benchmarks/check.py``.

* the hand-written NumPy backward matches finite differences (float64, tiny network);
* NumPy, minitorch and PyTorch give the same losses, to float32 rounding, over the first
  steps from identical initial weights and identical batches, for every benchmarked
  network and optimizer;
* the scikit-learn worker trains, in float32 and in float64;
* the matmul-only worker computes every weight gradient's product;
* minitorch's small-graph gradients are right.

Exits with status 1 when a check fails; a check whose library is missing is skipped.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable

import numpy as np
from bench_common import (
    NETWORKS,
    OPTIMIZERS,
    LayerWeights,
    MLPSpec,
    StepFn,
    initial_weights,
    iterate_batches,
    load_train_data,
)
from bench_numpy import NumpyMLP
from bench_numpy import make_step as numpy_make_step

# Adam divides by sqrt(v), so after a dozen or so steps a gradient component that is ~0
# and rounds to opposite signs in two libraries moves its weight by +-lr and the losses
# drift apart by ~1e-5; ten steps still exercise momentum and bias correction fully.
CHECK_STEPS = 10
LOSS_RTOL = 1e-4
SEED = 0

MakeStep = Callable[[MLPSpec, LayerWeights, int], StepFn]


def first_losses(
    make_step: MakeStep, spec: MLPSpec, images: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    step = make_step(spec, initial_weights(spec.sizes, SEED), 2)
    rng = np.random.default_rng(SEED)
    losses = []
    for batch_images, batch_labels in iterate_batches(images, labels, spec.batch_size, rng):
        losses.append(step(batch_images, batch_labels))
        if len(losses) == CHECK_STEPS:
            break
    return np.array(losses)


def check_numpy_gradients() -> str:
    """Central finite differences of the loss against the analytic gradient, in float64."""
    rng = np.random.default_rng(1)
    sizes = (6, 5, 4, 3)
    images = rng.standard_normal((7, sizes[0]))
    labels = rng.integers(0, sizes[-1], size=7)
    model = NumpyMLP(initial_weights(sizes, 1, dtype=np.float64), "sgd", 0.0, max_batch=7)
    model.forward_backward(images, labels)
    analytic = model.flat_grads.copy()
    numeric = np.empty_like(analytic)
    h = 1e-6
    for i in range(analytic.size):
        saved = model.flat_params[i]
        model.flat_params[i] = saved + h
        plus = model.forward_backward(images, labels)
        model.flat_params[i] = saved - h
        minus = model.forward_backward(images, labels)
        model.flat_params[i] = saved
        numeric[i] = (plus - minus) / (2 * h)
    error = np.max(np.abs(analytic - numeric))
    assert error < 1e-7, f"max gradient error {error:.2e}"
    return f"max gradient error {error:.1e} over {analytic.size} parameters"


def compare_to_numpy(make_step: MakeStep, images: np.ndarray, labels: np.ndarray) -> str:
    worst = 0.0
    for net in NETWORKS:
        for optimizer in OPTIMIZERS:
            spec = MLPSpec(NETWORKS[net], optimizer)
            expected = first_losses(numpy_make_step, spec, images, labels)
            actual = first_losses(make_step, spec, images, labels)
            np.testing.assert_allclose(
                actual, expected, rtol=LOSS_RTOL, err_msg=f"{net} {optimizer}"
            )
            worst = max(worst, float(np.max(np.abs(actual - expected) / np.abs(expected))))
    configs = len(NETWORKS) * len(OPTIMIZERS)
    return f"{CHECK_STEPS} steps x {configs} configs, worst relative loss gap {worst:.1e}"


def minitorch_api_missing() -> str | None:
    try:
        from minitorch import nn, optim
    except ImportError as error:
        return f"minitorch.nn / minitorch.optim not importable ({error})"
    for module, name in (
        (nn, "Sequential"),
        (nn, "Linear"),
        (nn, "functional"),
        (optim, "SGD"),
        (optim, "Adam"),
    ):
        if not hasattr(module, name):
            return f"{module.__name__}.{name} not available yet"
    return None


def check_minitorch_vs_numpy(images: np.ndarray, labels: np.ndarray) -> str:
    import bench_minitorch

    return compare_to_numpy(bench_minitorch.make_step, images, labels)


def check_torch_vs_numpy(images: np.ndarray, labels: np.ndarray) -> str:
    import bench_torch

    return compare_to_numpy(bench_torch.make_step, images, labels)


def check_sklearn_trains(images: np.ndarray, labels: np.ndarray) -> str:
    import warnings

    from bench_sklearn import make_classifier

    warnings.simplefilter("ignore")
    losses = []
    for dtype in (np.float32, np.float64):
        classifier = make_classifier(MLPSpec(NETWORKS["784-128-10"], "adam"), SEED)
        subset = images[:2048].astype(dtype)
        classifier.partial_fit(subset, labels[:2048], classes=np.arange(10))
        assert classifier.coefs_[0].dtype == dtype, f"trained in {classifier.coefs_[0].dtype}"
        assert np.isfinite(classifier.loss_), "non-finite loss"
        losses.append(f"{classifier.loss_:.3f}")
    return f"one partial_fit epoch on 2048 samples in float32 and float64, losses {losses}"


def check_matmuls_shapes(images: np.ndarray, labels: np.ndarray) -> str:
    """The matmul-only worker does the products of the NumPy worker: same weight-gradient
    shapes, every one written."""
    from bench_matmuls import MatmulsOnly

    for net in NETWORKS:
        spec = MLPSpec(NETWORKS[net], "sgd")
        weights = initial_weights(spec.sizes, SEED)
        model = MatmulsOnly(weights, spec.batch_size)
        for grad in model.weight_grads:
            grad.fill(np.nan)
        model.step(images[: spec.batch_size], labels[: spec.batch_size])
        for grad, (w, _) in zip(model.weight_grads, weights, strict=True):
            assert grad.shape == w.shape and np.isfinite(grad).all(), f"{net}: {grad.shape}"
    return f"{len(NETWORKS)} networks, every weight gradient written"


def check_minitorch_small_graph() -> str:
    import minitorch

    rng = np.random.default_rng(0)
    a_values = rng.standard_normal((10, 10), dtype=np.float32)
    b_values = rng.standard_normal((10, 10), dtype=np.float32)
    a = minitorch.Tensor(a_values, requires_grad=True)
    b = minitorch.Tensor(b_values, requires_grad=True)
    (a * b + a).sum().backward()
    np.testing.assert_allclose(np.asarray(a.grad), b_values + 1, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(b.grad), a_values, rtol=1e-6)
    return "d/da = b + 1, d/db = a"


def main() -> int:
    images, labels, source = load_train_data()
    print(f"self-check on {source} data")
    missing_minitorch = minitorch_api_missing()
    checks: list[tuple[str, Callable[[], str], str | None]] = [
        ("numpy backward vs finite differences", check_numpy_gradients, None),
        ("minitorch small-graph gradients", check_minitorch_small_graph, None),
        (
            "minitorch vs numpy losses",
            lambda: check_minitorch_vs_numpy(images, labels),
            missing_minitorch,
        ),
        (
            "torch vs numpy losses",
            lambda: check_torch_vs_numpy(images, labels),
            None if importlib.util.find_spec("torch") else "torch not installed",
        ),
        ("sklearn worker trains", lambda: check_sklearn_trains(images, labels), None),
        ("matmuls worker", lambda: check_matmuls_shapes(images, labels), None),
    ]
    failures = 0
    for name, check, skip_reason in checks:
        if skip_reason:
            print(f"SKIP {name}: {skip_reason}")
            continue
        try:
            print(f"PASS {name}: {check()}")
        except Exception as error:  # report every check, then fail at the end
            failures += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
