# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 4. Vanishing gradients: sigmoid against ReLU
#
# A deep network learns only if the gradient reaches its first layers. With sigmoid units
# it shrinks at every layer on the way back, so the first layers barely move. We train two
# eight-layer networks on scikit-learn's 8x8 digits, identical but for their activation
# function, and watch every layer with `minitorch.diagnostics.TrainingMonitor`.
#
# `TUTORIAL_FAST=1` trains for fewer epochs (the test suite runs it that way).

# %%
import os

import numpy as np

import minitorch
from minitorch import nn, optim
from minitorch.data import DataLoader, TensorDataset, load_digits
from minitorch.diagnostics import TrainingMonitor
from minitorch.nn import functional as F

try:
    import matplotlib.pyplot as plt
except ImportError:  # the picture is optional: .venv/bin/pip install -e '.[plot]'
    plt = None

EPOCHS = 2 if os.environ.get("TUTORIAL_FAST") == "1" else 10
DEPTH, WIDTH = 8, 64
data = load_digits()

# %% [markdown]
# ## Why the gradient shrinks
#
# Write $h_l = a_{l-1} W_l + b_l$ and $a_l = f(h_l)$ for layer $l$, and
# $\delta_l = \partial L / \partial h_l$. The chain rule carries $\delta$ back one layer at
# a time, and each layer's weight gradient is built from it:
#
# $$\delta_{l-1} = \left(\delta_l W_l^\top\right) \odot f'(h_{l-1}), \qquad
#   \frac{\partial L}{\partial W_l} = a_{l-1}^\top \, \delta_l .$$
#
# So between the output and layer $l$, the gradient is multiplied by one weight matrix
# and one $f'$ per layer. The sigmoid's slope $\sigma'(h) = \sigma(h)(1 - \sigma(h))$ is
# at most $1/4$ (at $h = 0$), so each layer shrinks the gradient by a factor of about 3
# to 4 with these weights, and eight layers by thousands. ReLU's slope is 1 wherever the
# unit is active, and He-scaled weights (`nn.Linear`'s default) make up for the inactive
# half: the gradient keeps its size.

# %%
def build(activation):
    minitorch.manual_seed(0)
    layers, width = [], data.num_features
    for _ in range(DEPTH):
        layers += [nn.Linear(width, WIDTH), activation()]
        width = WIDTH
    return nn.Sequential(*layers, nn.Linear(width, data.num_classes))


def train(model, optimizer, loader, epochs):
    for _ in range(epochs):
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def test_accuracy(model):
    with minitorch.no_grad():
        scores = model(minitorch.tensor(data.x_test)).numpy()
    return float(np.mean(np.argmax(scores, axis=1) == data.y_test))


# %% [markdown]
# ## The first epoch, layer by layer
#
# The monitor hooks into every layer. After an epoch, one call, `monitor.report()`,
# prints its table: each Linear layer's gradient norm (root mean square over the epoch's
# steps), the mean and spread of each layer's output, and for ReLU the share of units that
# never fired. Layer 0 is the input side.

# %%
first_epoch, accuracy = {}, {}
for activation in (nn.Sigmoid, nn.ReLU):
    name = activation.__name__
    model = build(activation)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=64,
                        shuffle=True, seed=0)
    monitor = TrainingMonitor(model)
    train(model, optimizer, loader, epochs=1)
    print(f"\n{name} network, first epoch:")
    first_epoch[name] = monitor.report()
    monitor.close()  # the remaining epochs need no watching
    train(model, optimizer, loader, epochs=EPOCHS - 1)
    accuracy[name] = test_accuracy(model)

# %% [markdown]
# ## Summary
#
# The ratio of the first layer's gradient norm to the last layer's shows the vanishing at a
# glance: how much of the gradient reaches the input side. Then the test accuracy.

# %%
def linear_norms(rows):
    return [row.grad_norm for row in rows if row.layer.endswith("Linear")]


print(f"\n{'activation':<12}{'first / last layer gradient':>29}{'test accuracy':>15}")
for name, rows in first_epoch.items():
    norms = linear_norms(rows)
    print(f"{name:<12}{norms[0] / norms[-1]:>29.1e}{accuracy[name]:>15.3f}")
print(f"(test accuracy after {EPOCHS} epochs)")

# %% [markdown]
# The sigmoid network's first layer gets thousands of times less gradient than its
# last, so its first layers stay close to their random start and the whole network barely
# beats guessing. The ReLU network's gradient has the same size at both ends, and it
# learns. Remedies for deep sigmoid or tanh networks are the ones that made deep learning
# work: ReLU-like activations, careful initialisation (tutorial 3), normalisation layers
# such as `nn.BatchNorm1d`, and residual connections.

# %%
if plt is not None:
    figure, axes = plt.subplots(figsize=(7, 4))
    for name, rows in first_epoch.items():
        norms = linear_norms(rows)
        axes.semilogy(range(len(norms)), norms, marker="o", label=name)
    axes.set(xlabel="Linear layer (0 = input side)", ylabel="gradient norm, first epoch",
             title="Gradient flow through 9 Linear layers")
    axes.legend()
    figure.tight_layout()
    figure.savefig("04_vanishing_gradients.png")
    print("saved 04_vanishing_gradients.png")
