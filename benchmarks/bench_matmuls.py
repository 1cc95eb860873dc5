"""The matrix products of an MLP training step and nothing else: a floor under every
implementation's epoch time.

Each step multiplies the batch through the layers (x @ W) and does the backward products
(the weight gradients a.T @ g, and g @ W.T for every layer but the first), into
preallocated buffers; no bias, activation, loss or update. The epoch still includes the
shuffle and the batch gather. Every implementation in the MLP benchmark does at least
these products, with the same shapes, in the same BLAS, so no implementation can be faster
than this; the ratio sklearn/matmuls is the most any of them could be faster than
scikit-learn.
"""

from __future__ import annotations

import numpy as np
from bench_common import LayerWeights, MLPSpec, StepFn, run_step_worker


class MatmulsOnly:
    def __init__(self, weights: LayerWeights, max_batch: int):
        self.weights = [w for w, _ in weights]
        self.weight_grads = [np.empty_like(w) for w in self.weights]
        self.outputs = [np.empty((max_batch, w.shape[1]), w.dtype) for w in self.weights]
        self.output_grads = [np.empty((max_batch, w.shape[1]), w.dtype) for w in self.weights]

    def step(self, images: np.ndarray, labels: np.ndarray) -> float:
        n = len(images)
        layer_input = images
        for w, out in zip(self.weights, self.outputs, strict=True):
            layer_input = np.matmul(layer_input, w, out=out[:n])
        grad = self.outputs[-1][:n]  # the values do not change the cost of the products
        for i in range(len(self.weights) - 1, -1, -1):
            below = images if i == 0 else self.outputs[i - 1][:n]
            np.matmul(below.T, grad, out=self.weight_grads[i])
            if i > 0:
                grad = np.matmul(grad, self.weights[i].T, out=self.output_grads[i - 1][:n])
        return float("nan")


def make_step(spec: MLPSpec, weights: LayerWeights, threads: int) -> StepFn:
    return MatmulsOnly(weights, spec.batch_size).step


if __name__ == "__main__":
    run_step_worker("One-epoch timing of the MLP's matrix products alone.", make_step)
