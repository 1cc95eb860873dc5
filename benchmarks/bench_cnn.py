"""One epoch of a small convolutional network, minitorch or PyTorch, in this process.

    python benchmarks/bench_cnn.py --impl minitorch --threads 1
    python benchmarks/bench_cnn.py --impl torch --threads 2 --samples 2000

The network is conv16-pool-conv32-pool-fc128-fc10: two 3x3 convolutions (padding 1) each
followed by ReLU and 2x2 max pooling, then Linear(1568, 128), ReLU, Linear(128, 10); mean
cross-entropy, Adam (lr 1e-3), batch 64, on the first 8,000 mnist-10k training digits as
(N, 1, 28, 28) float32. Both implementations start from the same weights and see the same
batches. Prints one JSON object (as the MLP workers do): the epoch time, the machine-speed
probes, other processes' CPU share, the resident memory before training and its peak.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
from bench_common import (
    ADAM_BETAS,
    ADAM_EPS,
    ADAM_LR,
    current_rss_bytes,
    load_train_data,
    measure_epochs,
    train_epoch,
    warm_up,
    worker_parser,
)

CNN_SAMPLES = 8_000
CNN_BATCH = 64
CNN_DATASET = "mnist-10k"
# (out_channels, in_channels) of each 3x3 convolution, and the classifier's layer sizes.
CONVS = ((16, 1), (32, 16))
LINEARS = ((32 * 7 * 7, 128), (128, 10))

StepFn = Callable[[np.ndarray, np.ndarray], float]
Weights = list[tuple[np.ndarray, np.ndarray]]


def initial_weights(seed: int) -> Weights:
    """He-uniform weights (bound sqrt(6 / fan_in)) and zero biases, in the layout both
    libraries use: convolutions as (out, in, 3, 3), linear layers as (out, in)."""
    rng = np.random.default_rng(seed)
    shapes = [(out, inp, 3, 3) for out, inp in CONVS] + [(out, inp) for inp, out in LINEARS]
    weights = []
    for shape in shapes:
        bound = np.sqrt(6.0 / np.prod(shape[1:]))
        weight = rng.uniform(-bound, bound, shape).astype(np.float32)
        weights.append((weight, np.zeros(shape[0], np.float32)))
    return weights


def build_cnn(nn: Any) -> Any:
    """The network, from ``minitorch.nn`` or ``torch.nn``: the layers have the same names and
    arguments in both."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(*LINEARS[0]), nn.ReLU(), nn.Linear(*LINEARS[1]),
    )


def minitorch_step(weights: Weights, threads: int) -> StepFn:
    from bench_minitorch import training_step

    import minitorch
    from minitorch import nn, optim

    minitorch.set_num_threads(threads)
    model = build_cnn(nn)
    layers = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
    for layer, (weight, bias) in zip(layers, weights, strict=True):
        layer.weight.data[...] = weight
        layer.bias.data[...] = bias
    optimizer = optim.Adam(model.parameters(), lr=ADAM_LR, betas=ADAM_BETAS, eps=ADAM_EPS)
    return training_step(model, optimizer)


def torch_step(weights: Weights, threads: int) -> StepFn:
    import torch
    from bench_torch import training_step
    from torch import nn

    torch.set_num_threads(threads)
    model = build_cnn(nn)
    layers = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        for layer, (weight, bias) in zip(layers, weights, strict=True):
            layer.weight.copy_(torch.from_numpy(weight))
            layer.bias.copy_(torch.from_numpy(bias))
    optimizer = torch.optim.Adam(model.parameters(), lr=ADAM_LR, betas=ADAM_BETAS, eps=ADAM_EPS)
    return training_step(model, optimizer)


STEPS = {"minitorch": minitorch_step, "torch": torch_step}


def main() -> None:
    parser = worker_parser("One-epoch CNN timing, minitorch or PyTorch.")
    parser.add_argument("--impl", choices=sorted(STEPS), default="minitorch")
    parser.set_defaults(samples=CNN_SAMPLES, warmup_steps=3)
    args = parser.parse_args()
    images, labels, source = load_train_data(args.samples, args.seed, CNN_DATASET)
    images = images.reshape(-1, 1, 28, 28)
    step = STEPS[args.impl](initial_weights(args.seed), args.threads)
    rss_before = current_rss_bytes()  # the library loaded, the model built, nothing run yet
    warm_up(step, images, labels, CNN_BATCH, args.warmup_steps)
    rng = np.random.default_rng(args.seed)
    result = measure_epochs(
        lambda: train_epoch(step, images, labels, CNN_BATCH, rng), args.epochs
    )
    result.update(
        impl=args.impl, samples=args.samples, data=source, threads=args.threads,
        rss_before_training_bytes=rss_before,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
