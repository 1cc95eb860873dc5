"""Conv2d forward + backward: minitorch against hand-written NumPy im2col and PyTorch.

    python benchmarks/bench_conv.py                  # both layers, 30 repeats each
    python benchmarks/bench_conv.py --repeats 10 --threads 1

Each implementation runs in its own fresh process with the same BLAS/OpenMP thread count
and times forward + backward (gradients for input, weight and bias) of one 3x3, padding 1
convolution on a float32 batch of 128, after warm-up; the table gives the median of the
repeats in milliseconds and the ratios of the medians. PyTorch is optional: without it its
column is left out.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

# name: (batch, in_channels, height = width, out_channels); kernel 3x3, stride 1, padding 1
LAYERS = {
    "1->32 on 28x28": (128, 1, 28, 32),
    "32->64 on 14x14": (128, 32, 14, 64),
}
IMPLEMENTATIONS = ("minitorch", "numpy", "torch")
WARMUP = 3
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# A step runs forward and backward once and returns the output and the gradients.
Step = Callable[[], tuple]


# ----- workers: each builds the same random layer and returns its step ------------------------


def layer_arrays(layer: str):
    import numpy as np

    n, c, size, out = LAYERS[layer]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, size, size), dtype=np.float32)
    weight = rng.standard_normal((out, c, 3, 3), dtype=np.float32) * np.float32((c * 9) ** -0.5)
    bias = np.zeros(out, dtype=np.float32)
    grad = rng.standard_normal((n, out, size, size), dtype=np.float32)
    return x, weight, bias, grad


def minitorch_step(layer: str) -> Step:
    import minitorch
    from minitorch.nn import functional as F

    x, weight, bias, grad = layer_arrays(layer)
    x, weight, bias = (minitorch.Tensor(a, requires_grad=True) for a in (x, weight, bias))

    def step() -> tuple:
        x.grad = weight.grad = bias.grad = None
        out = F.conv2d(x, weight, bias, padding=1)
        out.backward(grad)
        return out, x.grad, weight.grad, bias.grad

    return step


def numpy_step(layer: str) -> Step:
    """The im2col convolution as usually written by hand: one row per output pixel."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    x, weight, bias, grad = layer_arrays(layer)
    n, c, h, w = x.shape
    out_channels = weight.shape[0]
    weight_rows = weight.reshape(out_channels, -1)

    def step() -> tuple:
        padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        windows = sliding_window_view(padded, (3, 3), axis=(2, 3))  # (N, C, H, W, 3, 3)
        columns = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * w, c * 9)
        out = columns @ weight_rows.T + bias
        out = np.ascontiguousarray(out.reshape(n, h, w, out_channels).transpose(0, 3, 1, 2))
        grad_rows = grad.transpose(0, 2, 3, 1).reshape(-1, out_channels)
        grad_weight = (grad_rows.T @ columns).reshape(weight.shape)
        grad_bias = grad_rows.sum(axis=0)
        column_grads = (grad_rows @ weight_rows).reshape(n, h, w, c, 3, 3)
        grad_padded = np.zeros_like(padded)
        for u in range(3):
            for v in range(3):
                grad_padded[:, :, u : u + h, v : v + w] += column_grads[..., u, v].transpose(
                    0, 3, 1, 2
                )
        return out, grad_padded[:, :, 1:-1, 1:-1], grad_weight, grad_bias

    return step


def torch_step(layer: str) -> Step:
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    x, weight, bias, grad = (torch.from_numpy(a) for a in layer_arrays(layer))
    for t in (x, weight, bias):
        t.requires_grad_(True)

    def step() -> tuple:
        x.grad = weight.grad = bias.grad = None
        out = torch.nn.functional.conv2d(x, weight, bias, padding=1)
        out.backward(grad)
        return out, x.grad, weight.grad, bias.grad

    return step


STEPS = {"minitorch": minitorch_step, "numpy": numpy_step, "torch": torch_step}


def run_worker(implementation: str, layer: str, repeats: int) -> None:
    """Time ``repeats`` steps after warm-up and print the times as one JSON line."""
    step = STEPS[implementation](layer)
    for _ in range(WARMUP):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(json.dumps({"seconds": times}))


# ----- driver ---------------------------------------------------------------------------------


def measure(implementation: str, layer: str, repeats: int, threads: int) -> list[float] | None:
    env = dict(os.environ, **{name: str(threads) for name in THREAD_ENV_VARS})
    command = [
        sys.executable,
        __file__,
        "--worker",
        implementation,
        "--layer",
        layer,
        "--repeats",
        str(repeats),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        print(f"{implementation} on {layer} failed:\n{done.stderr}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2, help="BLAS/OpenMP threads (default 2)")
    parser.add_argument("--worker", choices=IMPLEMENTATIONS, help=argparse.SUPPRESS)
    parser.add_argument("--layer", choices=list(LAYERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args.worker, args.layer, args.repeats)
        return

    has_torch = importlib.util.find_spec("torch") is not None
    implementations = [i for i in IMPLEMENTATIONS if i != "torch" or has_torch]
    print(
        f"Conv2d 3x3 padding 1, batch 128, float32, forward + backward; {args.threads} threads, "
        f"median of {args.repeats}; load average {os.getloadavg()[0]:.1f}\n"
    )
    header = ["layer", *(f"{i} ms" for i in implementations), "minitorch/numpy"]
    if "torch" in implementations:
        header.append("minitorch/torch")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for layer in LAYERS:
        medians = {}
        for implementation in implementations:
            times = measure(implementation, layer, args.repeats, args.threads)
            medians[implementation] = statistics.median(times) * 1e3 if times else float("nan")
        row = [layer, *(f"{medians[i]:.1f}" for i in implementations)]
        row.append(f"{medians['minitorch'] / medians['numpy']:.2f}")
        if "torch" in medians:
            row.append(f"{medians['minitorch'] / medians['torch']:.2f}")
        print("| " + " | ".join(row) + " |", flush=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
