# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 2. Backpropagation by hand for a two-layer network
#
# Backpropagation is the chain rule applied layer by layer, from the loss back to the
# inputs. Here we write it out for a small network, compare every gradient with what
# `loss.backward()` computes, and let `gradcheck` compare `backward()` itself with finite
# differences.

# %%
import numpy as np

import minitorch
from minitorch.nn import functional as F

try:
    import matplotlib.pyplot as plt
except ImportError:  # the picture is optional: .venv/bin/pip install -e '.[plot]'
    plt = None

# %% [markdown]
# ## The network
#
# A batch of $N$ inputs $X$ ($N \times D$), a hidden layer of $H$ tanh units, and $C$
# class scores, scored by softmax cross-entropy against the labels $y$:
#
# $$h = X W_1 + b_1,\quad a = \tanh h,\quad z = a W_2 + b_2,\quad
#   p = \mathrm{softmax}(z),\quad L = -\frac{1}{N} \sum_n \log p_{n, y_n}.$$
#
# Everything is float64 here, so hand and autograd agree to rounding error (about
# $10^{-16}$), or exactly when they happen to do the same operations in the same order.

# %%
rng = np.random.default_rng(0)
N, D, H, C = 8, 4, 5, 3
x = rng.normal(size=(N, D))
labels = rng.integers(0, C, size=N)
weights = {
    "W1": rng.normal(scale=0.5, size=(D, H)),
    "b1": rng.normal(scale=0.1, size=H),
    "W2": rng.normal(scale=0.5, size=(H, C)),
    "b2": rng.normal(scale=0.1, size=C),
}

# %% [markdown]
# ## Forward and backward by hand
#
# Going backwards, each step multiplies the gradient that arrived by the local derivative:
#
# - loss to scores: $\partial L / \partial z = (p - Y) / N$, with $Y$ the one-hot labels
#   (tutorial 6 shows why);
# - second layer: $\partial L / \partial W_2 = a^\top \, \partial L/\partial z$,
#   $\partial L / \partial b_2 = \sum_n \partial L / \partial z_n$ and
#   $\partial L / \partial a = \partial L/\partial z \; W_2^\top$;
# - tanh: $\partial L / \partial h = \partial L / \partial a \odot (1 - a^2)$, since
#   $\tanh' = 1 - \tanh^2$;
# - first layer: $\partial L / \partial W_1 = X^\top \, \partial L/\partial h$ and
#   $\partial L / \partial b_1 = \sum_n \partial L / \partial h_n$.
#
# The shapes check the algebra: $\partial L / \partial W$ always has the shape of $W$.

# %%
W1, b1, W2, b2 = weights.values()
h = x @ W1 + b1
a = np.tanh(h)
z = a @ W2 + b2
p = np.exp(z - z.max(axis=1, keepdims=True))
p /= p.sum(axis=1, keepdims=True)
loss = -np.mean(np.log(p[np.arange(N), labels]))

Y = np.eye(C)[labels]
dz = (p - Y) / N
dh = (dz @ W2.T) * (1 - a**2)
by_hand = {"W1": x.T @ dh, "b1": dh.sum(axis=0), "W2": a.T @ dz, "b2": dz.sum(axis=0)}
print(f"loss by hand: {loss:.10f}")

# %% [markdown]
# ## The same with autograd
#
# The forward pass is the same four lines on tensors; `backward()` fills every `.grad`.

# %%
def network_loss(x, W1, b1, W2, b2):
    return F.cross_entropy((x @ W1 + b1).tanh() @ W2 + b2, labels)


params = {name: minitorch.tensor(value, requires_grad=True) for name, value in weights.items()}
loss_tensor = network_loss(minitorch.tensor(x), *params.values())
loss_tensor.backward()
print(f"loss by autograd: {loss_tensor.item():.10f}")
print(f"{'parameter':<10}{'shape':>8}{'largest |by hand - autograd|':>31}")
for name, param in params.items():
    gap = np.max(np.abs(by_hand[name] - param.grad.numpy()))
    print(f"{name:<10}{str(param.shape):>8}{gap:>31.1e}")

# %% [markdown]
# ## gradcheck: is `backward()` itself right?
#
# `minitorch.gradcheck` nudges every input element by $\pm\varepsilon$ and compares the
# slope $\frac{L(\theta + \varepsilon) - L(\theta - \varepsilon)}{2 \varepsilon}$ with the
# gradient from `backward()`. It returns True or raises, naming the worst element.

# %%
print("gradcheck:", minitorch.gradcheck(network_loss, x, *weights.values()))

# %% [markdown]
# It is how every operation in minitorch is tested, and it catches a wrong derivative at
# once. An operation is a `Function`: `forward` on NumPy arrays, `backward` from the
# gradient of its output to the gradient of its input. This cube forgets the 3 of
# $\frac{d}{dx} x^3 = 3x^2$:

# %%
class WrongCube(minitorch.Function):
    def forward(self, x):
        self.x = x
        return x**3

    def backward(self, grad):
        return grad * self.x**2  # should be 3 * x**2


try:
    minitorch.gradcheck(WrongCube.apply, np.array([0.5, -1.0, 2.0]))
except minitorch.GradcheckError as error:
    print("gradcheck caught it:", error)

# %%
if plt is not None:
    hand = np.concatenate([g.ravel() for g in by_hand.values()])
    auto = np.concatenate([param.grad.numpy().ravel() for param in params.values()])
    figure, axes = plt.subplots(figsize=(5, 5))
    axes.axline((0, 0), slope=1, color="0.8", zorder=0)
    axes.scatter(hand, auto, s=14)
    axes.set(xlabel="gradient by hand", ylabel="gradient from backward()",
             title=f"All {hand.size} gradient entries lie on the diagonal")
    figure.tight_layout()
    figure.savefig("02_backpropagation.png")
    print("saved 02_backpropagation.png")
