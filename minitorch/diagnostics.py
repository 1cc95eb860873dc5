"""Watch a network train: per layer and epoch, how large its gradients are, what its
activations look like, and how many ReLU units never fire.

Vanishing gradients show up as gradient norms that shrink layer by layer towards the input;
dead ReLUs as units that output zero for every sample of an epoch::

    monitor = TrainingMonitor(model)    # hooks record while the model is in training mode
    for epoch in range(epochs):
        train_one_epoch(...)            # the usual loop, unchanged
        monitor.report()                # prints this epoch's table, starts the next epoch
    monitor.close()                     # removes the hooks
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from minitorch.nn.layers import LeakyReLU, ReLU
from minitorch.nn.module import Module
from minitorch.tensor import HookHandle, Tensor


@dataclass
class LayerStats:
    """One layer's figures for one epoch (NaN where a figure does not apply)."""

    layer: str
    grad_norm: float
    activation_mean: float
    activation_std: float
    dead_fraction: float


class _Running:
    """What one watched layer has accumulated since the epoch started."""

    def __init__(self) -> None:
        self.squared_grad_sum = 0.0
        self.gradient_count = 0
        self.values = 0
        self.total = 0.0
        self.total_squares = 0.0
        self.ever_active: np.ndarray | None = None


class TrainingMonitor:
    """Records per-layer statistics of ``model`` while it is in training mode.

    Watched layers are the leaf submodules: the gradients of their parameters and their
    outputs (mean and standard deviation over the epoch). The gradient
    norm is the root mean square, over the epoch's backward passes, of the L2 norm of all the
    layer's parameter gradients together. For ReLU and
    LeakyReLU layers, ``dead_fraction`` is the share of output units that were never positive
    for any sample of the epoch.
    """

    def __init__(self, model: Module) -> None:
        self._running: dict[str, _Running] = {}
        self._parameter_counts: dict[str, int] = {}
        self._handles: list[HookHandle] = []
        self.history: list[list[LayerStats]] = []
        self._relu_layers: set[str] = set()
        for name, module in model.named_modules():
            parameters = list(module.parameters(recurse=False))
            if next(module.children(), None) is not None and not parameters:
                continue  # a container: its layers are watched one by one
            label = f"{name or 'model'} {type(module).__name__}"
            self._running[label] = _Running()
            self._handles.append(module.register_forward_hook(self._activation_hook(label)))
            self._parameter_counts[label] = len(parameters)
            for parameter in parameters:
                self._handles.append(parameter.register_hook(self._gradient_hook(label)))
            if isinstance(module, (ReLU, LeakyReLU)):
                self._relu_layers.add(label)

    def _activation_hook(self, label: str):
        def record(module: Module, inputs: tuple, output: Tensor) -> None:
            if not module.training:
                return
            data = output._data
            running = self._running[label]
            running.values += data.size
            running.total += float(data.sum(dtype=np.float64))
            running.total_squares += float(np.square(data, dtype=np.float64).sum())
            active = (data > 0).any(axis=0)
            if running.ever_active is None or running.ever_active.shape != active.shape:
                running.ever_active = active
            else:
                running.ever_active |= active

        return record

    def _gradient_hook(self, label: str):
        def record(grad: np.ndarray) -> None:
            # Each parameter contributes its squared norm; the layer's norm is their root.
            running = self._running[label]
            running.squared_grad_sum += float(np.square(grad, dtype=np.float64).sum())
            running.gradient_count += 1

        return record

    def report(self, file: TextIO | None = None) -> list[LayerStats]:
        """End the epoch and print its table (to ``file``, by default standard output);
        returns the table's rows. One call per epoch is all a training loop needs."""
        rows = self.end_epoch()
        print(self.format_table(rows), file=file, flush=True)
        return rows

    def end_epoch(self) -> list[LayerStats]:
        """The statistics of the epoch that just ended; starts counting a new one."""
        rows = []
        for label, running in self._running.items():
            rows.append(self._summarise(label, running))
            self._running[label] = _Running()
        self.history.append(rows)
        return rows

    def _summarise(self, label: str, running: _Running) -> LayerStats:
        nan = float("nan")
        mean = running.total / running.values if running.values else nan
        variance = running.total_squares / running.values - mean * mean if running.values else nan
        dead = nan
        if label in self._relu_layers and running.ever_active is not None:
            dead = 1.0 - float(running.ever_active.mean())
        return LayerStats(
            layer=label,
            grad_norm=self._mean_grad_norm(label, running),
            activation_mean=mean,
            activation_std=math.sqrt(max(variance, 0.0)) if running.values else nan,
            dead_fraction=dead,
        )

    def _mean_grad_norm(self, label: str, running: _Running) -> float:
        count = self._parameter_counts[label]
        passes = running.gradient_count / count if count else 0
        return math.sqrt(running.squared_grad_sum / passes) if passes else float("nan")

    def close(self) -> None:
        """Remove every hook this monitor installed."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    @staticmethod
    def format_table(rows: Iterable[LayerStats]) -> str:
        """A compact fixed-width table of one epoch's statistics."""
        lines = [f"{'layer':<22}{'grad norm':>11}{'act mean':>10}{'act std':>9}{'dead':>7}"]
        for row in rows:
            dead = "" if math.isnan(row.dead_fraction) else f"{row.dead_fraction:.0%}"
            grad = "" if math.isnan(row.grad_norm) else f"{row.grad_norm:.2e}"
            lines.append(
                f"{row.layer:<22}{grad:>11}{row.activation_mean:>10.3f}"
                f"{row.activation_std:>9.3f}{dead:>7}"
            )
        return "\n".join(lines)


def plot_gradient_flow(history: list[list[LayerStats]], path: str) -> bool:
    """Save a PNG of each layer's gradient norm (log scale), one line per epoch, from the
    input side to the output side. Returns False, saving nothing, when matplotlib is missing
    (it is an optional extra: ``pip install minitorch[plot]``)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(figsize=(8, 4))
    for epoch, rows in enumerate(history, start=1):
        layers = [row for row in rows if not math.isnan(row.grad_norm)]
        axes.plot([row.layer for row in layers], [row.grad_norm for row in layers],
                  marker="o", label=f"epoch {epoch}")
    axes.set_yscale("log")
    axes.set_ylabel("gradient norm")
    axes.set_title("Gradient flow (input side on the left)")
    axes.tick_params(axis="x", rotation=45)
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return True
