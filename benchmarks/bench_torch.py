"""PyTorch (CPU) MLP training with the same network, loss, optimizer and batches."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from bench_common import (
    ADAM_BETAS,
    ADAM_EPS,
    SGD_MOMENTUM,
    LayerWeights,
    MLPSpec,
    StepFn,
    run_step_worker,
)
from torch import nn


def build_model(weights: LayerWeights) -> nn.Sequential:
    """nn.Linear stack with ReLUs, loaded with the shared initial weights."""
    layers: list[nn.Module] = []
    for i, (w, b) in enumerate(weights):
        linear = nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            # torch stores Linear weights as (out_features, in_features).
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(weights) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def make_optimizer(spec: MLPSpec, model: nn.Module) -> torch.optim.Optimizer:
    if spec.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=spec.learning_rate, momentum=SGD_MOMENTUM)
    return torch.optim.Adam(
        model.parameters(), lr=spec.learning_rate, betas=ADAM_BETAS, eps=ADAM_EPS
    )


def make_step(spec: MLPSpec, weights: LayerWeights, threads: int) -> StepFn:
    torch.set_num_threads(threads)
    model = build_model(weights)
    optimizer = make_optimizer(spec, model)
    return training_step(model, optimizer)


def training_step(model: nn.Module, optimizer: torch.optim.Optimizer) -> StepFn:
    """One step on a batch of arrays: forward, mean cross-entropy, backward, update."""

    def step(images: np.ndarray, labels: np.ndarray) -> float:
        logits = model(torch.from_numpy(images))
        loss = F.cross_entropy(logits, torch.from_numpy(labels))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


if __name__ == "__main__":
    run_step_worker("One-epoch MLP timing, PyTorch.", make_step)
