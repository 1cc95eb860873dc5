"""Image layers forward + backward: minitorch against hand-written NumPy and PyTorch.

    python benchmarks/bench_conv.py                        # 1 and 2 threads, 3 rounds
    python benchmarks/bench_conv.py --threads 1 --rounds 5 --repeats 20

Rows: Conv2d 3x3 padding 1 (1->32 channels on 28x28, 32->64 on 14x14), MaxPool2d 2x2 and
BatchNorm2d (training) on 32 channels of 28x28, each on a float32 batch of 128, computing
the gradients of every input. Each implementation runs in its own fresh process (see
``layer_rows.py``, the driver); PyTorch is optional.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import layer_rows
from layer_rows import Step

# name: (kind, batch, channels, height = width, out_channels for a convolution)
LAYERS = {
    "Conv2d 1->32 on 28x28": ("conv", 128, 1, 28, 32),
    "Conv2d 32->64 on 14x14": ("conv", 128, 32, 14, 64),
    "MaxPool2d 2x2, 32 on 28x28": ("max_pool", 128, 32, 28, 0),
    "BatchNorm2d 32 on 28x28": ("batch_norm", 128, 32, 28, 0),
}

# ----- workers: each builds the same random inputs and returns its step ------------------------


def layer_arrays(layer: str) -> tuple:
    """(inputs..., upstream gradient) as float32 arrays: x and, for a convolution, weight and
    bias; for batch norm, weight and bias per channel."""
    import numpy as np

    kind, n, c, size, out = LAYERS[layer]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, size, size), dtype=np.float32)
    if kind == "conv":
        weight = rng.standard_normal((out, c, 3, 3), dtype=np.float32) * np.float32((c * 9) ** -0.5)
        grad = rng.standard_normal((n, out, size, size), dtype=np.float32)
        return x, weight, np.zeros(out, np.float32), grad
    if kind == "max_pool":
        return x, rng.standard_normal((n, c, size // 2, size // 2), dtype=np.float32)
    weight, bias = rng.uniform(0.5, 1.5, c).astype(np.float32), np.zeros(c, np.float32)
    return x, weight, bias, rng.standard_normal(x.shape, dtype=np.float32)


def library_step(layer: str, functional: Any, tensor: Callable[[Any], Any]) -> Step:
    """The step in minitorch or PyTorch: ``functional`` is ``minitorch.nn.functional`` or
    ``torch.nn.functional`` (the same names and arguments), ``tensor`` makes a leaf that
    requires grad from an array."""
    kind = LAYERS[layer][0]
    *arrays, grad = layer_arrays(layer)
    inputs = [tensor(a) for a in arrays]
    forward = {
        "conv": lambda x, w, b: functional.conv2d(x, w, b, padding=1),
        "max_pool": lambda x: functional.max_pool2d(x, 2),
        "batch_norm": lambda x, w, b: functional.batch_norm(x, None, None, w, b, training=True),
    }[kind]
    grad = tensor(grad).detach()

    def step() -> object:
        for t in inputs:
            t.grad = None
        forward(*inputs).backward(grad)
        return [t.grad for t in inputs]

    return step


def minitorch_step(layer: str) -> Step:
    import minitorch
    from minitorch.nn import functional

    minitorch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    return library_step(layer, functional, lambda a: minitorch.tensor(a, requires_grad=True))


def numpy_step(layer: str) -> Step:
    """Each layer as usually written by hand."""
    kind = LAYERS[layer][0]
    return {"conv": numpy_conv, "max_pool": numpy_max_pool, "batch_norm": numpy_batch_norm}[
        kind
    ](*layer_arrays(layer))


def numpy_conv(x, weight, bias, grad) -> Step:
    """im2col with one row per output pixel, col2im by 9 strided adds."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

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


def numpy_max_pool(x, grad) -> Step:
    """2x2 windows as a reshape; the gradient goes to every position equal to the maximum."""
    n, c, h, w = x.shape

    def step() -> tuple:
        windows = x.reshape(n, c, h // 2, 2, w // 2, 2)
        out = windows.max(axis=(3, 5))
        is_max = windows == out[:, :, :, None, :, None]
        grad_x = (is_max * grad[:, :, :, None, :, None]).reshape(x.shape)
        return out, grad_x

    return step


def numpy_batch_norm(x, weight, bias, grad, eps: float = 1e-5) -> Step:
    """The textbook forward and closed-form backward."""
    import numpy as np

    axes, shape = (0, 2, 3), (1, -1, 1, 1)
    count = x.size // x.shape[1]

    def step() -> tuple:
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        inv_std = 1 / np.sqrt(var + eps)
        x_hat = (x - mean) * inv_std
        out = x_hat * weight.reshape(shape) + bias.reshape(shape)
        grad_bias = grad.sum(axis=axes)
        grad_weight = (grad * x_hat).sum(axis=axes)
        grad_x = (weight.reshape(shape) * inv_std / count) * (
            count * grad - grad_bias.reshape(shape) - x_hat * grad_weight.reshape(shape)
        )
        return out, grad_x, grad_weight, grad_bias

    return step


def torch_step(layer: str) -> Step:
    import torch
    from torch.nn import functional

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    return library_step(layer, functional,
                        lambda a: torch.from_numpy(a).requires_grad_(True))


STEPS = {"minitorch": minitorch_step, "numpy": numpy_step, "torch": torch_step}


if __name__ == "__main__":
    layer_rows.main(__file__, __doc__, list(LAYERS), STEPS, "batch 128, float32")
