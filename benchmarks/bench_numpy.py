"""Hand-written NumPy MLP training: the speed limit minitorch is measured against.

Forward, fused softmax-cross-entropy gradient, backward and optimizer update are written
out by hand with preallocated buffers and in-place updates, which is as fast as plain
NumPy gets for this network without changing the arithmetic.
"""

from __future__ import annotations

import math

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

CACHE_LINE = 64  # bytes


def cache_aligned_zeros(size: int, dtype: np.dtype) -> np.ndarray:
    """A flat array of zeros whose data starts on a cache line, as minitorch's parameters do
    (see minitorch/memory.py): the update of weights that two BLAS threads have just read is
    then up to 2.6x faster, whatever address malloc happens to return."""
    itemsize = np.dtype(dtype).itemsize
    raw = np.zeros(size + CACHE_LINE // itemsize, dtype=dtype)
    start = -raw.ctypes.data % CACHE_LINE // itemsize
    return raw[start : start + size]


class NumpyMLP:
    """ReLU MLP with mean cross-entropy loss and an SGD-momentum or Adam update.

    Works in the dtype of the given weights (float32 for timing, float64 for gradient checks).
    """

    def __init__(self, weights: LayerWeights, optimizer: str, learning_rate: float, max_batch: int):
        dtype = weights[0][0].dtype
        total = sum(w.size + b.size for w, b in weights)
        # All parameters (and all gradients) live in one flat buffer so the optimizer
        # updates everything in a handful of vectorised passes instead of one per tensor.
        self.flat_params = cache_aligned_zeros(total, dtype)
        self.flat_grads = cache_aligned_zeros(total, dtype)
        self.weights, self.biases = [], []
        self.weight_grads, self.bias_grads = [], []
        offset = 0
        for w, b in weights:
            for source, params, grads in (
                (w, self.weights, self.weight_grads),
                (b, self.biases, self.bias_grads),
            ):
                view = self.flat_params[offset : offset + source.size].reshape(source.shape)
                view[...] = source
                params.append(view)
                grads.append(self.flat_grads[offset : offset + source.size].reshape(source.shape))
                offset += source.size

        # Activations (post-ReLU, and logits for the last layer) and their gradients.
        self.activations = [np.empty((max_batch, w.shape[1]), dtype=dtype) for w, _ in weights]
        self.activation_grads = [np.empty((max_batch, w.shape[1]), dtype=dtype) for w, _ in weights]
        self.rows = np.arange(max_batch)

        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.scratch = np.empty(total, dtype=dtype)
        self.momentum_buffer = np.zeros(total, dtype=dtype)  # SGD momentum, or Adam first moment
        self.second_moment = np.zeros(total, dtype=dtype) if optimizer == "adam" else None
        self.steps_taken = 0

    def forward_backward(self, images: np.ndarray, labels: np.ndarray) -> float:
        """Fill the gradient buffers for one batch and return its mean loss."""
        n = len(images)
        rows = self.rows[:n]
        last = len(self.weights) - 1

        layer_input = images
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            out = self.activations[i][:n]
            np.matmul(layer_input, w, out=out)
            out += b
            if i < last:
                np.maximum(out, 0, out=out)
            layer_input = out

        # Stable log-softmax; the gradient of mean cross-entropy is (softmax - onehot) / n.
        logits = layer_input
        grad = self.activation_grads[last][:n]
        np.subtract(logits, logits.max(axis=1, keepdims=True), out=grad)
        picked = grad[rows, labels]
        np.exp(grad, out=grad)
        sums = grad.sum(axis=1)
        loss = float(np.mean(np.log(sums) - picked))
        grad *= (1.0 / (sums * n))[:, None]
        grad[rows, labels] -= 1.0 / n

        for i in range(last, -1, -1):
            below = images if i == 0 else self.activations[i - 1][:n]
            np.matmul(below.T, grad, out=self.weight_grads[i])
            np.sum(grad, axis=0, out=self.bias_grads[i])
            if i > 0:
                below_grad = self.activation_grads[i - 1][:n]
                np.matmul(grad, self.weights[i].T, out=below_grad)
                # ReLU backward: the post-ReLU activation is positive exactly where it passed.
                np.multiply(below_grad, below > 0, out=below_grad)
                grad = below_grad
        return loss

    def update(self) -> None:
        """torch.optim semantics for SGD (momentum, no dampening) and Adam (bias-corrected)."""
        params, grads, scratch, buf = (
            self.flat_params,
            self.flat_grads,
            self.scratch,
            self.momentum_buffer,
        )
        lr = self.learning_rate
        self.steps_taken += 1
        if self.optimizer == "sgd":
            buf *= SGD_MOMENTUM
            buf += grads
            np.multiply(buf, lr, out=scratch)
            params -= scratch
            return
        beta1, beta2 = ADAM_BETAS
        second = self.second_moment
        buf *= beta1
        np.multiply(grads, 1.0 - beta1, out=scratch)
        buf += scratch
        second *= beta2
        np.multiply(grads, grads, out=scratch)
        scratch *= 1.0 - beta2
        second += scratch
        step_size = lr / (1.0 - beta1**self.steps_taken)
        np.sqrt(second, out=scratch)
        scratch /= math.sqrt(1.0 - beta2**self.steps_taken)
        scratch += ADAM_EPS
        np.divide(buf, scratch, out=scratch)
        scratch *= step_size
        params -= scratch

    def step(self, images: np.ndarray, labels: np.ndarray) -> float:
        loss = self.forward_backward(images, labels)
        self.update()
        return loss


def make_step(spec: MLPSpec, weights: LayerWeights, threads: int) -> StepFn:
    return NumpyMLP(weights, spec.optimizer, spec.learning_rate, spec.batch_size).step


if __name__ == "__main__":
    run_step_worker("One-epoch MLP timing, hand-written NumPy.", make_step)
