"""Pieces shared by every MLP benchmark worker: the spec, the data, the loop and the report.

Each worker runs in its own process, is started by ``run.py`` with the thread environment
variables already set, and prints one JSON object as the last line of its stdout.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cpu_share import OtherCpuMeter

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
FULL_TRAIN_SAMPLES = 60_000
IMAGE_PIXELS = 28 * 28
NUM_CLASSES = 10

BATCH_SIZE = 128
SGD_LR = 0.01
SGD_MOMENTUM = 0.9
ADAM_LR = 1e-3
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8

NETWORKS = {
    "784-128-10": (784, 128, 10),
    "784-256-128-10": (784, 256, 128, 10),
}
OPTIMIZERS = ("sgd", "adam")

# (weight of shape (in, out), bias of shape (out,)) per layer, float32.
LayerWeights = list[tuple[np.ndarray, np.ndarray]]
# One training step on a batch: (images, int64 labels) -> loss of that batch.
StepFn = Callable[[np.ndarray, np.ndarray], float]


@dataclass(frozen=True)
class MLPSpec:
    """What one MLP benchmark row trains: layer sizes and optimizer."""

    sizes: tuple[int, ...]
    optimizer: str
    batch_size: int = BATCH_SIZE

    @property
    def learning_rate(self) -> float:
        return SGD_LR if self.optimizer == "sgd" else ADAM_LR

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        return self.sizes[1:-1]


def load_train_data(
    samples: int = FULL_TRAIN_SAMPLES, seed: int = 0, dataset: str = "fashion-mnist"
) -> tuple[np.ndarray, np.ndarray, str]:
    """The first ``samples`` training images of ``dataset`` (a folder of the shared data:
    fashion-mnist or mnist-10k) scaled to [0, 1] as float32 (N, 784), and int64 labels.

    Falls back to random data of the same shape and dtype when the shared data is absent,
    which keeps every timing meaningful (the arithmetic does not depend on pixel values).
    """
    images_path = SHARED_DATA / dataset / TRAIN_IMAGES
    labels_path = SHARED_DATA / dataset / TRAIN_LABELS
    if images_path.exists() and labels_path.exists():
        with gzip.open(images_path, "rb") as f:
            raw_images = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
        with gzip.open(labels_path, "rb") as f:
            raw_labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
        images = raw_images.reshape(-1, IMAGE_PIXELS)[:samples].astype(np.float32)
        images *= np.float32(1.0 / 255.0)
        labels = raw_labels[:samples].astype(np.int64)
        source = dataset
    else:
        rng = np.random.default_rng(seed)
        images = rng.random((samples, IMAGE_PIXELS), dtype=np.float32)
        labels = rng.integers(0, NUM_CLASSES, size=samples, dtype=np.int64)
        source = "random"
    return np.ascontiguousarray(images), labels, source


def initial_weights(sizes: tuple[int, ...], seed: int, dtype: type = np.float32) -> LayerWeights:
    """Kaiming-normal weights (std sqrt(2 / fan_in)) and zero biases, the same for every worker."""
    rng = np.random.default_rng(seed)
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        weight = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        layers.append((weight.astype(dtype), np.zeros(fan_out, dtype=dtype)))
    return layers


def iterate_batches(
    images: np.ndarray, labels: np.ndarray, batch_size: int, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One epoch of shuffled batches; the last batch is smaller when N is not a multiple."""
    order = rng.permutation(len(images))
    for start in range(0, len(images), batch_size):
        idx = order[start : start + batch_size]
        yield images[idx], labels[idx]


def train_epoch(
    step: StepFn, images: np.ndarray, labels: np.ndarray, batch_size: int, rng: np.random.Generator
) -> float:
    """Shuffle, gather and step through one epoch; returns the loss of the last batch."""
    loss = float("nan")
    for batch_images, batch_labels in iterate_batches(images, labels, batch_size, rng):
        loss = step(batch_images, batch_labels)
    return loss


def warm_up(
    step: StepFn, images: np.ndarray, labels: np.ndarray, batch_size: int, steps: int
) -> None:
    """A few steps before timing so caches, allocators and lazy imports are settled."""
    for i in range(steps):
        start = (i * batch_size) % max(1, len(images) - batch_size)
        step(images[start : start + batch_size], labels[start : start + batch_size])


def current_rss_bytes() -> int | None:
    """Resident set size now, from /proc (Linux); None where unavailable."""
    try:
        with open("/proc/self/statm") as f:
            resident_pages = int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak if sys.platform == "darwin" else peak * 1024


def machine_speed_probe() -> float:
    """Seconds for a fixed set of float32 matrix products (median of three tries).

    The host can slow the whole machine by 1.5-2x for minutes at a time without any other
    trace; timing this before and after a worker's epochs tells whether two workers ran at
    the same speed.
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal((256, 512), dtype=np.float32)
    b = rng.standard_normal((512, 512), dtype=np.float32)
    out = np.empty((256, 512), dtype=np.float32)
    tries = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(10):
            np.matmul(a, b, out=out)
        tries.append(time.perf_counter() - start)
    return sorted(tries)[1]


def measure_epochs(run_epoch: Callable[[], float], epochs: int) -> dict:
    """Time each epoch; record the RSS after it and other processes' CPU share during it,
    and the machine's speed (``machine_speed_probe``) before the first and after the last."""
    epoch_seconds, rss_after_epoch, other_shares = [], [], []
    last_loss = float("nan")
    probe_before = machine_speed_probe()
    meter = OtherCpuMeter()
    for _ in range(epochs):
        meter.start()
        start = time.perf_counter()
        last_loss = run_epoch()
        epoch_seconds.append(time.perf_counter() - start)
        other_shares.append(meter.share())
        rss_after_epoch.append(current_rss_bytes())
    known_shares = [share for share in other_shares if share is not None]
    return {
        "epoch_seconds": epoch_seconds,
        "epoch_other_cpu_share": other_shares,
        "other_cpu_share": max(known_shares) if known_shares else None,
        "rss_after_epoch_bytes": rss_after_epoch,
        "peak_rss_bytes": peak_rss_bytes(),
        "last_loss": last_loss,
        "probe_seconds": [probe_before, machine_speed_probe()],
    }


def parse_worker_args(description: str) -> argparse.Namespace:
    return worker_parser(description).parse_args()


def worker_parser(description: str) -> argparse.ArgumentParser:
    """The options every MLP worker takes; a worker may add its own before parsing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--net", choices=sorted(NETWORKS), default="784-256-128-10")
    parser.add_argument("--opt", choices=OPTIMIZERS, default="adam")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--samples", type=int, default=FULL_TRAIN_SAMPLES)
    parser.add_argument("--warmup-steps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    return parser


def run_step_worker(
    description: str, make_step: Callable[[MLPSpec, LayerWeights, int], StepFn]
) -> None:
    """Command-line entry shared by every worker whose training loop is a per-batch step."""
    args = parse_worker_args(description)
    spec = MLPSpec(NETWORKS[args.net], args.opt)
    images, labels, source = load_train_data(args.samples, args.seed)
    step = make_step(spec, initial_weights(spec.sizes, args.seed), args.threads)
    warm_up(step, images, labels, spec.batch_size, args.warmup_steps)
    rng = np.random.default_rng(args.seed)
    result = measure_epochs(
        lambda: train_epoch(step, images, labels, spec.batch_size, rng), args.epochs
    )
    emit_result(result, args, source)


def emit_result(result: dict, args: argparse.Namespace, source: str) -> None:
    result.update(
        net=args.net, opt=args.opt, samples=args.samples, data=source, threads=args.threads
    )
    print(json.dumps(result))
