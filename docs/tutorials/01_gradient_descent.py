# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 1. Gradient descent on a line fit
#
# Fit a line $\hat y = w x + b$ to noisy points by walking downhill on the loss. First with
# derivatives worked out by hand, then with minitorch's autograd computing them for us: the
# two must agree to the last digit, because autograd applies the same chain rule.
#
# Run it as a script (`.venv/bin/python docs/tutorials/01_gradient_descent.py`) or open it
# as a notebook with Jupytext.

# %%
import numpy as np

import minitorch

try:
    import matplotlib.pyplot as plt
except ImportError:  # the picture is optional: .venv/bin/pip install -e '.[plot]'
    plt = None

# %% [markdown]
# ## The data and the loss
#
# Fifty points on the line $y = 2x + 0.5$, plus noise. The mean squared error measures how
# far a line $(w, b)$ is from them:
#
# $$L(w, b) = \frac{1}{N} \sum_{i=1}^N (w x_i + b - y_i)^2 .$$

# %%
rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, size=50)
y = 2.0 * x + 0.5 + rng.normal(scale=0.2, size=50)

# %% [markdown]
# ## By hand
#
# With the residuals $r_i = w x_i + b - y_i$, the chain rule gives
#
# $$\frac{\partial L}{\partial w} = \frac{2}{N} \sum_i r_i x_i, \qquad
#   \frac{\partial L}{\partial b} = \frac{2}{N} \sum_i r_i .$$
#
# The gradient points uphill, so each step goes the other way, scaled by the learning
# rate $\eta$: $w \leftarrow w - \eta\, \partial L / \partial w$, and the same for $b$.

# %%
def descend(learning_rate, steps):
    """Gradient descent from w = b = 0; returns the final (w, b) and the loss of every step."""
    w, b, losses = 0.0, 0.0, []
    for _ in range(steps):
        residual = w * x + b - y
        losses.append(np.mean(residual**2))
        grad_w, grad_b = 2 * np.mean(residual * x), 2 * np.mean(residual)
        w, b = w - learning_rate * grad_w, b - learning_rate * grad_b
    return w, b, losses


learning_rate, steps = 0.3, 40
w, b, hand_losses = descend(learning_rate, steps)
print(f"by hand:  w = {w:.4f}, b = {b:.4f}, loss = {hand_losses[-1]:.5f}")

# %% [markdown]
# ## With autograd
#
# Now $w$ and $b$ are tensors that require gradients. The forward pass records every
# operation; `loss.backward()` walks that record backwards and leaves
# $\partial L / \partial w$ in `w.grad`. The update itself must not be recorded, so it runs
# inside `minitorch.no_grad()`, and the gradient is cleared before the next step (otherwise
# `backward()` would add the next one to it).

# %%
xs = minitorch.tensor(x, dtype=minitorch.float32)
ys = minitorch.tensor(y, dtype=minitorch.float32)
w = minitorch.tensor(0.0, requires_grad=True)
b = minitorch.tensor(0.0, requires_grad=True)
autograd_losses = []
for step in range(steps):
    loss = ((w * xs + b - ys) ** 2).mean()
    loss.backward()
    if step == 0:  # at w = b = 0 the residuals are -y, so the formula gives -2 mean(x y)
        print(f"dL/dw at the start: autograd {w.grad.item():.6f}, "
              f"by hand {-2 * np.mean(x * y):.6f}")
    autograd_losses.append(loss.item())
    with minitorch.no_grad():
        w -= learning_rate * w.grad
        b -= learning_rate * b.grad
    w.grad, b.grad = None, None
fitted_w, fitted_b = w.item(), b.item()
print(f"autograd: w = {fitted_w:.4f}, b = {fitted_b:.4f}, loss = {autograd_losses[-1]:.5f}")
largest_gap = np.max(np.abs(np.array(hand_losses) - np.array(autograd_losses)))
print(f"largest difference between the two loss curves: {largest_gap:.1e}")

# %% [markdown]
# Both walks find the same line, close to the $w = 2$, $b = 0.5$ the data came from (the
# noise moves the best fit a little). The tiny differences are rounding: the tensors hold
# float32, the NumPy arrays float64.
#
# ## How large a step?
#
# Too large a learning rate overshoots the valley further at every step and the loss
# grows. For a quadratic loss the limit is exact: $\eta < 2 / \lambda_{\max}$, with
# $\lambda_{\max}$ the largest eigenvalue of the Hessian (the matrix of second derivatives),
# here $H = \frac{2}{N} \sum_i (x_i, 1)^\top (x_i, 1)$.

# %%
features = np.stack([x, np.ones_like(x)], axis=1)
hessian = 2 * features.T @ features / len(x)
limit = 2 / np.linalg.eigvalsh(hessian).max()
print(f"largest stable learning rate: {limit:.3f}")
for rate in (0.9 * limit, 1.1 * limit):
    print(f"learning rate {rate:.3f}: loss at step {steps} {descend(rate, steps)[2][-1]:.3g}")

# %%
if plt is not None:
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.scatter(x, y, s=12, label="data")
    grid = np.linspace(-1, 1, 2)
    left.plot(grid, fitted_w * grid + fitted_b, color="C1", label="fitted line")
    left.set(xlabel="x", ylabel="y", title="The fit")
    left.legend()
    right.semilogy(hand_losses, label="by hand (NumPy)")
    right.semilogy(autograd_losses, "--", label="autograd (minitorch)")
    right.set(xlabel="step", ylabel="loss", title="The loss, step by step")
    right.legend()
    figure.tight_layout()
    figure.savefig("01_gradient_descent.png")
    print("saved 01_gradient_descent.png")
