"""Per-operation overhead and deep-graph timings for minitorch (PyTorch alongside for context).

Prints one JSON object: each measurement is a number, or {"error": "..."} when it could not
run (for example when part of the API is missing or a deep graph overflows the stack).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import numpy as np
from bench_common import SGD_MOMENTUM

SMALL_SHAPE = (10, 10)
STEP_SIZES = (64, 32, 10)
STEP_BATCH = 32
CHAIN_LENGTH = 100_000


def median_microseconds(fn: Callable[[], object], repeats: int, number: int) -> float:
    """Median over `repeats` samples of the mean time of `number` back-to-back calls."""
    fn()  # warm-up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples) * 1e6


class MinitorchApi:
    """The few calls the measurements need, spelled the minitorch way."""

    def __init__(self) -> None:
        import minitorch

        self.lib = minitorch

    def leaf(self, array: np.ndarray) -> object:
        return self.lib.Tensor(array, requires_grad=True)

    def constant(self, array: np.ndarray) -> object:
        return self.lib.from_numpy(array)

    def mlp_step(
        self, images: np.ndarray, labels: np.ndarray, optimizer_name: str
    ) -> Callable[[], float]:
        from minitorch import nn, optim

        model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        if optimizer_name == "sgd":
            optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=SGD_MOMENTUM)
        else:
            optimizer = optim.Adam(model.parameters(), lr=1e-3)
        x, y = self.lib.from_numpy(images), self.lib.from_numpy(labels)

        def step() -> float:
            loss = nn.functional.cross_entropy_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()

        return step


class TorchApi:
    def __init__(self, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.lib = torch

    def leaf(self, array: np.ndarray) -> object:
        return self.lib.tensor(array, requires_grad=True)

    def constant(self, array: np.ndarray) -> object:
        return self.lib.from_numpy(array)

    def mlp_step(
        self, images: np.ndarray, labels: np.ndarray, optimizer_name: str
    ) -> Callable[[], float]:
        torch = self.lib
        model = torch.nn.Sequential(
            torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)
        )
        if optimizer_name == "sgd":
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=SGD_MOMENTUM)
        else:
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        x, y = torch.from_numpy(images), torch.from_numpy(labels)

        def step() -> float:
            loss = torch.nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()

        return step


def guarded(measure: Callable[[], object]) -> object:
    """Run one measurement; a failure becomes an error entry instead of ending the worker."""
    try:
        return measure()
    except Exception as error:  # any failure is reported, not raised
        return {"error": f"{type(error).__name__}: {error}"[:300]}


def measure_overhead(api: object, repeats: int, number: int) -> dict:
    rng = np.random.default_rng(0)
    a = api.leaf(rng.standard_normal(SMALL_SHAPE, dtype=np.float32))
    b = api.leaf(rng.standard_normal(SMALL_SHAPE, dtype=np.float32))

    def small_graph() -> None:
        (a * b + a).sum().backward()

    images = rng.standard_normal((STEP_BATCH, STEP_SIZES[0]), dtype=np.float32)
    labels = rng.integers(0, STEP_SIZES[-1], size=STEP_BATCH, dtype=np.int64)
    result = {
        "small_graph_fwd_bwd_us": guarded(lambda: median_microseconds(small_graph, repeats, number))
    }
    for optimizer_name in ("sgd", "adam"):
        result[f"mlp_step_{optimizer_name}_us"] = guarded(
            lambda name=optimizer_name: median_microseconds(
                api.mlp_step(images, labels, name), repeats, max(1, number // 4)
            )
        )
    return result


def measure_deep_chain(api: object, length: int, repeats: int) -> dict:
    def once() -> tuple[float, float]:
        x = api.leaf(np.ones(1, dtype=np.float32))
        start = time.perf_counter()
        y = x
        for _ in range(length):
            y = y * 1.0001
        loss = y.sum()
        forward = time.perf_counter() - start
        start = time.perf_counter()
        loss.backward()
        backward = time.perf_counter() - start
        return forward, backward

    def median_of_repeats() -> dict:
        runs = [once() for _ in range(repeats)]
        return {
            "forward_s": statistics.median(r[0] for r in runs),
            "backward_s": statistics.median(r[1] for r in runs),
        }

    return {
        "length": length,
        **_flatten_error(guarded(median_of_repeats), ("forward_s", "backward_s")),
    }


def _flatten_error(value: object, keys: tuple[str, ...]) -> dict:
    if isinstance(value, dict) and "error" in value:
        return {key: value for key in keys}
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--impl", choices=("minitorch", "torch"), default="minitorch")
    parser.add_argument("--task", choices=("overhead", "deep"), required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    api = MinitorchApi() if args.impl == "minitorch" else TorchApi(args.threads)
    if args.task == "overhead":
        repeats, number = (15, 100) if args.quick else (50, 200)
        result = measure_overhead(api, repeats, number)
    else:
        result = measure_deep_chain(api, CHAIN_LENGTH, 1 if args.quick else 3)
    result["impl"] = args.impl
    print(json.dumps(result))


if __name__ == "__main__":
    main()
