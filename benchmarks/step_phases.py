"""Where an MLP training step's time goes: forward, loss, backward and update timed apart,
for minitorch and for the same NumPy calls written out by hand (fresh arrays every step,
one update per parameter, as minitorch makes them), each in its own process.

    python benchmarks/step_phases.py                 # 784-128-10, SGD, batch 128, 2 threads
    python benchmarks/step_phases.py --opt adam --threads 1
    python benchmarks/step_phases.py --cold          # 32-16-10, batch 8, caches emptied

By default the phases are timed inside epochs over the training data, as ``make bench``
runs them. With ``--cold`` the network is so small that the arithmetic costs nothing, and
a 16 MB array is written before every phase, as a step's large arrays empty the caches for
the code that follows them: what is timed is then each phase's Python and NumPy dispatch.
Medians over the steps of one epoch after the first 20 (``--cold``: of 1,536 steps after the
first 50).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np
from bench_common import (
    ADAM_BETAS,
    ADAM_EPS,
    NETWORKS,
    SGD_MOMENTUM,
    LayerWeights,
    MLPSpec,
    initial_weights,
    iterate_batches,
    load_train_data,
)
from bench_numpy import cache_aligned_zeros
from workers import worker_env

PHASES = ("forward", "loss", "backward", "update")
COLD_SIZES = (32, 16, 10)
COLD_BATCH = 8
EVICTION_VALUES = 4_000_000  # float32: 16 MB, beyond this machine's 2 MB of L2 per core


class MinitorchStep:
    """The step of bench_minitorch.py, cut into its phases."""

    def __init__(self, spec: MLPSpec, weights: LayerWeights) -> None:
        from bench_minitorch import build_model, make_optimizer  # imports minitorch

        import minitorch

        self.minitorch = minitorch
        self.model = build_model(weights)
        self.optimizer = make_optimizer(spec, self.model)

    def forward(self, images: np.ndarray) -> None:
        self.logits = self.model(self.minitorch.from_numpy(images))

    def loss(self, labels: np.ndarray) -> None:
        labels = self.minitorch.from_numpy(labels)
        self.loss_tensor = self.minitorch.nn.functional.cross_entropy_loss(self.logits, labels)

    def backward(self) -> None:
        self.optimizer.zero_grad()
        self.loss_tensor.backward()

    def update(self) -> float:
        self.optimizer.step()
        return self.loss_tensor.item()


class NumpyStep:
    """The NumPy work of minitorch's step without minitorch: weights (out, in), a new array
    for every result, the mean cross-entropy's gradient (softmax - one-hot) / n, and
    torch.optim's SGD-momentum or Adam update run parameter by parameter."""

    def __init__(self, spec: MLPSpec, weights: LayerWeights) -> None:
        self.weights = [aligned(w.T, order="F") for w, _ in weights]  # as nn.Linear's
        self.biases = [aligned(b) for _, b in weights]
        self.optimizer, self.lr, self.steps = spec.optimizer, spec.learning_rate, 0
        self.state: list = [None] * (2 * len(weights))  # per parameter, as torch.optim's

    def forward(self, images: np.ndarray) -> None:
        self.inputs, out = [], images
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            self.inputs.append(out)
            out = out @ w.T
            out += b
            if i < len(self.weights) - 1:
                out = np.maximum(out, 0)
        self.logits = out

    def loss(self, labels: np.ndarray) -> None:
        shifted = self.logits - self.logits.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        sums = probs.sum(axis=1, keepdims=True)
        probs /= sums
        rows = np.arange(len(labels))
        self.value = float((np.log(sums[:, 0]) - shifted[rows, labels]).mean())
        self.probs, self.rows, self.labels = probs, rows, labels

    def backward(self) -> None:
        grad = self.probs
        grad[self.rows, self.labels] -= 1.0
        grad *= 1.0 / len(self.labels)
        self.grads: list[np.ndarray] = []
        for i in range(len(self.weights) - 1, -1, -1):
            below = self.inputs[i]
            self.grads += [np.add.reduce(grad, axis=0), (below.T @ grad).T]
            if i > 0:
                grad = (grad @ self.weights[i]) * (below > 0)
        self.grads.reverse()  # W0, b0, W1, b1, ...

    def update(self) -> float:
        self.steps += 1
        params = [p for pair in zip(self.weights, self.biases, strict=True) for p in pair]
        for k, (param, grad) in enumerate(zip(params, self.grads, strict=True)):
            work = np.empty_like(param)
            if self.optimizer == "sgd":
                buffer = self.state[k]
                if buffer is None:
                    buffer = self.state[k] = grad.copy(order="K")
                else:
                    buffer *= SGD_MOMENTUM
                    buffer += grad
                param -= np.multiply(buffer, self.lr, out=work)
                continue
            if self.state[k] is None:
                self.state[k] = (np.zeros_like(param), np.zeros_like(param))
            mean, square = self.state[k]
            (beta1, beta2), t = ADAM_BETAS, self.steps
            mean *= beta1
            mean += np.multiply(grad, 1.0 - beta1, out=work)
            square *= beta2
            square += np.multiply(np.multiply(grad, grad, out=work), 1.0 - beta2, out=work)
            root_c2 = (1.0 - beta2**t) ** 0.5
            denominator = np.sqrt(square, out=work)
            denominator += ADAM_EPS * root_c2
            update = np.divide(mean, denominator, out=work)
            update *= self.lr * root_c2 / (1.0 - beta1**t)
            param -= update
        return self.value


def aligned(values: np.ndarray, order: str = "C") -> np.ndarray:
    """A copy of ``values`` on a cache line, in ``order``, as minitorch places parameters."""
    out = cache_aligned_zeros(values.size, values.dtype).reshape(values.shape, order=order)
    out[...] = values
    return out


def time_phases(step: MinitorchStep | NumpyStep, args: argparse.Namespace) -> list[float]:
    """Median microseconds of each phase."""
    if args.cold:
        rng = np.random.default_rng(args.seed)
        images = rng.standard_normal((4096, COLD_SIZES[0]), dtype=np.float32)
        labels = rng.integers(0, COLD_SIZES[-1], 4096)
        batches = [(images[i : i + COLD_BATCH], labels[i : i + COLD_BATCH])
                   for i in range(0, 4096, COLD_BATCH)]
        rounds, skipped = [batches * 3], 50
    else:
        images, labels, _ = load_train_data(args.samples, args.seed)
        rng = np.random.default_rng(args.seed)
        # One epoch, as make bench times: by the third, averages that decay where gradients
        # stay zero are denormal, which slows the hand-written update (minitorch flushes them).
        rounds, skipped = [list(iterate_batches(images, labels, args.batch, rng))], 20
    eviction = np.ones(EVICTION_VALUES, np.float32) if args.cold else None
    clock, times = time.perf_counter_ns, []
    for x, y in (batch for batches in rounds for batch in batches):
        phases = ((step.forward, x), (step.loss, y), (step.backward,), (step.update,))
        spent = []
        for call, *arguments in phases:
            if eviction is not None:
                np.add(eviction, 1, out=eviction)
            start = clock()
            call(*arguments)
            spent.append(clock() - start)
        times.append(spent)
    return list(np.median(np.array(times[skipped:]), axis=0) / 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--net", choices=sorted(NETWORKS), default="784-128-10")
    parser.add_argument("--opt", choices=("sgd", "adam"), default="sgd")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cold", action="store_true", help="tiny network, caches emptied")
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--impl", choices=("minitorch", "numpy"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = COLD_SIZES if args.cold else NETWORKS[args.net]
    args.batch = COLD_BATCH if args.cold else MLPSpec(sizes, args.opt).batch_size
    if args.impl is None:  # the orchestrator: each implementation in a fresh process
        print(f"{'':10s}" + "".join(f"{phase:>10s}" for phase in (*PHASES, "total")) + "  (us)")
        for impl in ("numpy", "minitorch"):
            # The thread count and malloc settings of make bench's workers (workers.py).
            done = subprocess.run([sys.executable, __file__, *sys.argv[1:], "--impl", impl],
                                  capture_output=True, text=True, check=True,
                                  env=worker_env(args.threads))
            medians = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{impl:10s}" + "".join(f"{m:10.1f}" for m in (*medians, sum(medians))))
        return
    spec, weights = MLPSpec(sizes, args.opt), initial_weights(sizes, args.seed)
    step = MinitorchStep(spec, weights) if args.impl == "minitorch" else NumpyStep(spec, weights)
    print(json.dumps(time_phases(step, args)))


if __name__ == "__main__":
    main()
