"""minitorch MLP training written the way a user would write it."""

from __future__ import annotations

import numpy as np
from bench_common import (
    ADAM_BETAS,
    ADAM_EPS,
    SGD_MOMENTUM,
    LayerWeights,
    MLPSpec,
    StepFn,
    run_step_worker,
)

import minitorch
from minitorch import nn, optim


def build_model(weights: LayerWeights) -> nn.Sequential:
    """Linear/ReLU stack; its Kaiming init is overwritten with the shared initial weights."""
    layers = []
    for i, (w, b) in enumerate(weights):
        linear = nn.Linear(w.shape[0], w.shape[1])
        linear.weight.data[...] = w.T  # nn.Linear stores (out_features, in_features)
        linear.bias.data[...] = b
        layers.append(linear)
        if i < len(weights) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def make_optimizer(spec: MLPSpec, model: nn.Module) -> optim.Optimizer:
    if spec.optimizer == "sgd":
        return optim.SGD(model.parameters(), lr=spec.learning_rate, momentum=SGD_MOMENTUM)
    return optim.Adam(model.parameters(), lr=spec.learning_rate, betas=ADAM_BETAS, eps=ADAM_EPS)


def make_step(spec: MLPSpec, weights: LayerWeights, threads: int) -> StepFn:
    model = build_model(weights)
    optimizer = make_optimizer(spec, model)
    return training_step(model, optimizer)


def training_step(model: nn.Module, optimizer: optim.Optimizer) -> StepFn:
    """One step on a batch of arrays: forward, mean cross-entropy, backward, update."""

    def step(images: np.ndarray, labels: np.ndarray) -> float:
        logits = model(minitorch.from_numpy(images))
        loss = nn.functional.cross_entropy_loss(logits, minitorch.from_numpy(labels))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


if __name__ == "__main__":
    run_step_worker("One-epoch MLP timing, minitorch.", make_step)
