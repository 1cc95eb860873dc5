# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 3. Initialisation: zeros, too large, Xavier, He
#
# Before training starts, every weight needs a value. The choice decides whether a signal
# survives the trip through a deep network at all. We build the same eight-layer ReLU
# network four times, measure how the spread of the activations changes from layer to
# layer, and train each copy on scikit-learn's 8x8 digits.
#
# `TUTORIAL_FAST=1` trains for fewer epochs (the test suite runs it that way).

# %%
import os

import numpy as np

import minitorch
from minitorch import nn, optim
from minitorch.data import DataLoader, TensorDataset, load_digits
from minitorch.nn import functional as F

try:
    import matplotlib.pyplot as plt
except ImportError:  # the picture is optional: .venv/bin/pip install -e '.[plot]'
    plt = None

EPOCHS = 3 if os.environ.get("TUTORIAL_FAST") == "1" else 15
DEPTH, WIDTH = 8, 128
data = load_digits()

# %% [markdown]
# ## How the spread changes from one layer to the next
#
# A unit of a linear layer adds up $n$ inputs times weights:
# $h_j = \sum_{i=1}^{n} w_{ij} x_i$. With independent weights of mean 0 and variance
# $\sigma^2$,
#
# $$\mathrm{Var}(h_j) = n \, \sigma^2 \, \mathbb{E}[x_i^2].$$
#
# After a ReLU, $\mathbb{E}[x^2]$ is half the variance of the layer before (half the
# inputs of a symmetric distribution are zeroed, the other half kept), so the variance is
# multiplied by $n \sigma^2 / 2$ at every layer and the spread (standard deviation) by
# $\sqrt{n \sigma^2 / 2}$. Over eight layers that factor is raised to the eighth power.
#
# | scheme | weight variance $\sigma^2$ | spread factor per layer ($n = 128$) |
# | --- | --- | --- |
# | zeros | 0 | 0: every unit outputs the same, nothing to learn from |
# | too large, $\mathcal{N}(0, 1)$ | 1 | $\sqrt{64} = 8$: explodes |
# | Xavier (Glorot) | $2 / (n_\text{in} + n_\text{out})$ | $\sqrt{1/2} \approx 0.71$: fades |
# | He (Kaiming) | $2 / n_\text{in}$ | 1: kept |
#
# Xavier is right for tanh or linear units, which keep both halves; He adds the factor 2
# that the ReLU takes away.

# %%
SCHEMES = {
    "zeros": nn.init.zeros_,
    "too large": lambda weight: nn.init.normal_(weight, std=1.0),
    "Xavier": nn.init.xavier_normal_,
    "He": lambda weight: nn.init.kaiming_normal_(weight, nonlinearity="relu"),
}


def build(scheme):
    minitorch.manual_seed(0)
    layers, width = [], data.num_features
    for _ in range(DEPTH):
        layers += [nn.Linear(width, WIDTH), nn.ReLU()]
        width = WIDTH
    model = nn.Sequential(*layers, nn.Linear(width, data.num_classes))
    for layer in model:
        if isinstance(layer, nn.Linear):
            SCHEMES[scheme](layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def activation_spreads(model, x):
    """The standard deviation of every ReLU layer's output, one forward pass."""
    spreads = []
    with minitorch.no_grad():
        for layer in model:
            x = layer(x)
            if isinstance(layer, nn.ReLU):
                spreads.append(float(np.std(x.numpy())))
    return spreads


# %% [markdown]
# ## Training
#
# The same data order, optimizer and learning rate for every scheme. A network whose
# outputs overflow produces a loss of infinity; minitorch's cross-entropy raises an error
# rather than returning NaN, and we report that run as diverged.

# %%
def train_and_test(model):
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=64,
                        shuffle=True, seed=0)
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
            for _ in range(EPOCHS):
                for x, y in loader:
                    loss = F.cross_entropy(model(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
    except ValueError:
        return float("nan")
    with minitorch.no_grad():
        scores = model(minitorch.tensor(data.x_test)).numpy()
    return float(np.mean(np.argmax(scores, axis=1) == data.y_test))


results = {}
for scheme in SCHEMES:
    model = build(scheme)
    spreads = activation_spreads(model, minitorch.tensor(data.x_train))
    results[scheme] = (spreads, train_and_test(model))

print(f"activation spread (std) after each ReLU at initialisation; test accuracy after "
      f"{EPOCHS} epochs")
print(f"{'scheme':<10}" + "".join(f"{f'layer {i}':>9}" for i in range(1, DEPTH + 1))
      + f"{'accuracy':>10}")
for scheme, (spreads, accuracy) in results.items():
    shown = "diverged" if np.isnan(accuracy) else f"{accuracy:.3f}"
    print(f"{scheme:<10}" + "".join(f"{s:>9.2g}" for s in spreads) + f"{shown:>10}")

# %% [markdown]
# What the table shows:
#
# - **zeros**: every activation is 0 and so is every weight gradient; the network never
#   leaves its starting point and guesses one class (about 10% accuracy). Any constant
#   fails the same way: units that start equal get equal gradients and stay equal.
# - **too large**: the spread grows about eightfold per layer, the scores are huge, the
#   first steps are huge too, and training overflows.
# - **Xavier**: the spread fades by about $0.71$ per layer; the deep layers see tiny
#   signals and learning is slow.
# - **He**: the spread stays level through all eight layers, and the network learns fastest.
#
# `nn.Linear` starts as PyTorch's: U(-1/sqrt(n_in), 1/sqrt(n_in)), a spread of
# 1/sqrt(3 n_in), below Xavier's 1/sqrt(n_in) for a square layer, so a deep ReLU network built
# from it fades faster still than the Xavier row. Give such a network He initialisation yourself:
# `model.apply(init_fn)` with `nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")`,
# as `examples/common.py` does.

# %%
if plt is not None:
    figure, axes = plt.subplots(figsize=(7, 4))
    for scheme, (spreads, _) in results.items():
        if scheme != "zeros":  # all zero: nothing to draw on a log scale
            axes.semilogy(range(1, DEPTH + 1), spreads, marker="o", label=scheme)
    axes.set(xlabel="layer", ylabel="activation spread (std)",
             title="Activation spread through an 8-layer ReLU network at initialisation")
    axes.legend()
    figure.tight_layout()
    figure.savefig("03_initialisation.png")
    print("saved 03_initialisation.png")
