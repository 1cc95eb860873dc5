# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 5. Optimizers: SGD, momentum, RMSprop, Adam
#
# An optimizer turns gradients into parameter updates. We train the same network from the
# same starting weights on the same batches, in the same order, with four optimizers, and
# compare their training loss epoch by epoch.
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

EPOCHS = 3 if os.environ.get("TUTORIAL_FAST") == "1" else 20
data = load_digits()

# %% [markdown]
# ## Four update rules
#
# For a parameter $\theta$ with gradient $g_t$ at step $t$ and learning rate $\eta$ (the
# forms `torch.optim` uses, and so does `minitorch.optim`):
#
# - **SGD**: $\theta \leftarrow \theta - \eta\, g_t$. One learning rate for every
#   direction: too small for the flat ones or too large for the steep ones.
# - **SGD with momentum** $\mu$: $b_t = \mu b_{t-1} + g_t$,
#   $\theta \leftarrow \theta - \eta\, b_t$. The buffer $b$ is a running sum of past
#   gradients: steps grow along directions where the gradient keeps its sign (up to
#   $1/(1-\mu)$, ten times for $\mu = 0.9$) and cancel where it flips back and forth.
# - **RMSprop**: $v_t = \alpha v_{t-1} + (1 - \alpha) g_t^2$,
#   $\theta \leftarrow \theta - \eta\, g_t / (\sqrt{v_t} + \varepsilon)$. Every parameter
#   is divided by its own recent gradient size, so every parameter moves at about the
#   same speed.
# - **Adam**: momentum and RMSprop together, $m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t$,
#   $v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2$, with the averages' start at zero
#   corrected: $\theta \leftarrow \theta - \eta\, \hat m_t / (\sqrt{\hat v_t} + \varepsilon)$,
#   $\hat m_t = m_t / (1 - \beta_1^t)$, $\hat v_t = v_t / (1 - \beta_2^t)$.
#
# Each gets a learning rate that is usual for it: SGD's step is $\eta$ times the gradient,
# whose size depends on the problem, while RMSprop's and Adam's steps are normalised to
# about $\eta$ per parameter.

# %%
OPTIMIZERS = {
    "SGD": lambda params: optim.SGD(params, lr=0.05),
    "SGD + momentum": lambda params: optim.SGD(params, lr=0.05, momentum=0.9),
    "RMSprop": lambda params: optim.RMSprop(params, lr=1e-3),
    "Adam": lambda params: optim.Adam(params, lr=1e-3),
}


def train(make_optimizer):
    """Mean training loss of every epoch and the final test accuracy."""
    minitorch.manual_seed(0)  # the same starting weights for every optimizer
    model = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                          nn.Linear(64, 10))
    optimizer = make_optimizer(model.parameters())
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=32,
                        shuffle=True, seed=0)  # the same batches in the same order
    losses = []
    for _ in range(EPOCHS):
        total = 0.0
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        losses.append(total / len(data.x_train))
    with minitorch.no_grad():
        scores = model(minitorch.tensor(data.x_test)).numpy()
    return losses, float(np.mean(np.argmax(scores, axis=1) == data.y_test))


results = {name: train(make) for name, make in OPTIMIZERS.items()}
shown = sorted({0, 1, EPOCHS // 2, EPOCHS - 1})
print("mean training loss after epoch " + ", ".join(str(e + 1) for e in shown))
print(f"{'optimizer':<16}" + "".join(f"{f'epoch {e + 1}':>10}" for e in shown)
      + f"{'test acc':>10}")
for name, (losses, accuracy) in results.items():
    print(f"{name:<16}" + "".join(f"{losses[e]:>10.4f}" for e in shown) + f"{accuracy:>10.3f}")

# %% [markdown]
# With these settings momentum wins clearly: its training loss falls fastest from the
# first epoch on and ends at a small fraction of plain SGD's. RMSprop comes second. Adam,
# at its default learning rate of $10^{-3}$, starts no faster than SGD but overtakes it;
# a larger learning rate would speed it up. The ranking depends on the problem and on the
# learning rates: a fair contest tunes each optimizer's learning rate (try a few values in
# `OPTIMIZERS`). Adam is a common first choice because its default setting works
# reasonably on many problems without tuning.

# %%
if plt is not None:
    figure, axes = plt.subplots(figsize=(7, 4))
    for name, (losses, _) in results.items():
        axes.semilogy(range(1, EPOCHS + 1), losses, marker=".", label=name)
    axes.set(xlabel="epoch", ylabel="mean training loss",
             title="Same network, same batches, four optimizers")
    axes.legend()
    figure.tight_layout()
    figure.savefig("05_optimizers.png")
    print("saved 05_optimizers.png")
