"""Recurrent layers forward + backward: minitorch against PyTorch.

    python benchmarks/bench_recurrent.py                   # 1 and 2 threads, 3 rounds
    python benchmarks/bench_recurrent.py --threads 1 --only LSTM

Rows: nn.LSTM and nn.GRU of 2 layers of 200 units over 35 steps of a batch of 20 (the size of
pytorch/examples' word language model), and a 1-layer nn.LSTM of 6 units over 8 steps of one
sequence (the part-of-speech tagger of PyTorch's LSTM tutorial), float32, the gradients of the
input and every parameter. Each implementation runs in its own fresh process (see
``layer_rows.py``, the driver); PyTorch is optional.
"""

from __future__ import annotations

import os
from typing import Any

import layer_rows
from layer_rows import Step

# name: (kind, layers, units = input features, steps, batch)
ROWS = {
    "LSTM 2x200, 35 steps of 20": ("LSTM", 2, 200, 35, 20),
    "GRU 2x200, 35 steps of 20": ("GRU", 2, 200, 35, 20),
    "LSTM 1x6, 8 steps of 1": ("LSTM", 1, 6, 8, 1),
}


def library_step(row: str, library: Any) -> Step:
    """The step in minitorch or PyTorch (the same names and arguments)."""
    import numpy as np

    kind, layers, units, steps, batch = ROWS[row]
    library.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    library.manual_seed(0)
    layer = getattr(library.nn, kind)(units, units, num_layers=layers)
    x = np.random.default_rng(0).standard_normal((steps, batch, units), dtype=np.float32)
    x = library.tensor(x, requires_grad=True)

    def step() -> object:
        layer.zero_grad()
        x.grad = None
        output, _ = layer(x)
        output.sum().backward()
        return x.grad

    return step


def minitorch_step(row: str) -> Step:
    import minitorch

    return library_step(row, minitorch)


def torch_step(row: str) -> Step:
    import torch

    return library_step(row, torch)


STEPS = {"minitorch": minitorch_step, "torch": torch_step}


if __name__ == "__main__":
    layer_rows.main(__file__, __doc__, list(ROWS), STEPS, "float32", default_repeats=20)
