# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 6. Softmax, cross-entropy, and why the gradient is $p - y$
#
# A classifier outputs one score (logit) per class. Softmax turns the scores into
# probabilities, cross-entropy scores those probabilities against the true class, and
# together they have the simplest gradient in deep learning: predicted minus true.

# %%
import numpy as np

import minitorch
from minitorch.nn import functional as F

try:
    import matplotlib.pyplot as plt
except ImportError:  # the picture is optional: .venv/bin/pip install -e '.[plot]'
    plt = None

# %% [markdown]
# ## Softmax
#
# $$p_k = \frac{e^{z_k}}{\sum_j e^{z_j}}$$
#
# Every $p_k$ is positive and they add up to 1. Adding the same constant to every score
# changes nothing (it cancels between numerator and denominator), so implementations
# subtract $\max_j z_j$ first and $e^{z}$ never overflows.

# %%
z = np.array([2.0, 1.0, 0.1])
p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
print("scores       ", z)
print("probabilities", p.round(4), " sum:", p.sum())

# %% [markdown]
# ## Cross-entropy
#
# With true class $c$, written as a one-hot vector $y$ ($y_c = 1$, all others 0), the loss
# is the negative log-probability of the truth:
#
# $$L = -\sum_k y_k \log p_k = -\log p_c = -z_c + \log \sum_j e^{z_j}.$$
#
# It is 0 for a certain, correct prediction and grows without bound as $p_c \to 0$.
#
# ## The gradient
#
# Differentiate the last form by $z_k$. The first term gives $-1$ for $k = c$ and 0
# otherwise, that is $-y_k$; the log-sum-exp gives $e^{z_k} / \sum_j e^{z_j} = p_k$:
#
# $$\frac{\partial L}{\partial z_k} = p_k - y_k .$$
#
# The same result comes the long way, through the softmax Jacobian
# $\partial p_i / \partial z_k = p_i (\delta_{ik} - p_k)$ and
# $\partial L / \partial p_i = -y_i / p_i$:
# $\sum_i (-y_i / p_i)\, p_i (\delta_{ik} - p_k) = -y_k + p_k \sum_i y_i = p_k - y_k$.
#
# Check it with autograd. `F.cross_entropy` takes a batch of scores $(N, C)$ and class
# indices $(N,)$, and averages over the batch, so for a batch each row's gradient is
# $(p - y) / N$.

# %%
label = 0
y = np.eye(3)[label]
scores = minitorch.tensor(z[None, :], requires_grad=True)  # a batch of one
loss = F.cross_entropy(scores, np.array([label]))
loss.backward()
print(f"loss: autograd {loss.item():.6f}, by hand -log p_c = {-np.log(p[label]):.6f}")
print("gradient by autograd:", scores.grad.numpy()[0].round(6))
print("p - y               :", (p - y).round(6))

# %% [markdown]
# ## Why this pairing
#
# The gradient $p - y$ is large exactly when the model is confidently wrong and never
# exceeds 1 in size. Compare the squared error of the probabilities,
# $\sum_k (p_k - y_k)^2$: its gradient passes through the softmax Jacobian, whose entries
# $p_i(\delta_{ik} - p_k)$ are tiny when the softmax is saturated, so a confidently wrong
# model barely learns. Here the correct class 0 gets a score far below the others:

# %%
wrong = minitorch.tensor([[-6.0, 0.0, 0.0]], requires_grad=True)
F.cross_entropy(wrong, np.array([0])).backward()
print("cross-entropy gradient:", wrong.grad.numpy()[0].round(4))
wrong.grad = None
squared_error = ((F.softmax(wrong, dim=1) - minitorch.tensor(y)) ** 2).sum()
squared_error.backward()
print("squared-error gradient:", wrong.grad.numpy()[0].round(4))

# %% [markdown]
# ## Never exponentiate scores directly
#
# Scores of a few hundred overflow $e^z$ in float32 and the naive formula returns NaN.
# Written as $-z_c + \log \sum_j e^{z_j}$ with the maximum subtracted, the loss is exact:

# %%
big = np.array([[1000.0, 0.0]], dtype=np.float32)
with np.errstate(over="ignore", invalid="ignore"):
    naive = -np.log(np.exp(big[0, 0]) / np.exp(big[0]).sum())
stable = F.cross_entropy(minitorch.tensor(big), np.array([1]))
print(f"true class 1: naive formula {naive}, F.cross_entropy {stable.item()}")

# %%
if plt is not None:
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    classes = np.arange(3)
    left.bar(classes - 0.2, p, width=0.4, label="p (softmax)")
    left.bar(classes + 0.2, y, width=0.4, label="y (one-hot truth)")
    left.plot(classes, p - y, "ko", label="p - y (gradient)")
    left.axhline(0, color="0.6", linewidth=0.8)
    left.set(xticks=classes, xlabel="class", title="Scores (2, 1, 0.1), true class 0")
    left.legend()
    # The gradient on the true class's score as that score goes from hopeless to certain.
    true_score = np.linspace(-8, 8, 161)
    batch = np.zeros((len(true_score), 3))
    batch[:, 0] = true_score
    targets = np.zeros(len(batch), dtype=np.int64)
    one_hot = minitorch.tensor(np.eye(3)[targets])
    losses = {
        "cross-entropy": lambda s: F.cross_entropy(s, targets, reduction="sum"),
        "squared error of p": lambda s: ((F.softmax(s, dim=1) - one_hot) ** 2).sum(),
    }
    for name, loss_of in losses.items():
        logits = minitorch.tensor(batch, requires_grad=True)
        loss_of(logits).backward()
        right.plot(true_score, logits.grad.numpy()[:, 0], label=name)
    right.set(xlabel="score of the true class (others 0)", ylabel="d loss / d score",
              title="The gradient that reaches the true class's score")
    right.legend()
    figure.tight_layout()
    figure.savefig("06_softmax_cross_entropy.png")
    print("saved 06_softmax_cross_entropy.png")
