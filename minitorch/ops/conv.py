"""Convolution, pooling and batch normalisation on NCHW arrays.

Convolution and pooling see their input the same way: as windows of a zero-padded input, a
strided view made by ``sliding_window_view`` that copies nothing (:func:`image_windows`). Their
gradients go back the same way too: :func:`add_windows_back` adds each window's gradient onto
the pixels that window covered (col2im), one strided slice per kernel position.

Like PyTorch, "convolution" here is cross-correlation: the kernel is not flipped.

Each Function's ``composite`` computes the same result from simpler operations (windows
gathered by indexing, a matrix product, reductions): under ``create_graph`` the gradients are
those of the composite, so they can be differentiated again (see :mod:`minitorch.autograd`).
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from minitorch.autograd import Function
from minitorch.ops.shape import IndexAdd

if TYPE_CHECKING:
    from minitorch.tensor import Tensor

Pair = tuple[int, int]


def pair(value: Any, name: str, minimum: int) -> Pair:
    """``value`` (an int or a pair of ints) as (height, width), checked to be >= ``minimum``."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values
    ):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if min(values) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(values[0]), int(values[1])


def _check_images(x: np.ndarray, kernel: Pair, padding: Pair) -> None:
    if x.ndim != 4:
        raise ValueError(f"expected input of shape (N, C, H, W), got {x.ndim}-D shape {x.shape}")
    padded = (x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1])
    if padded[0] < kernel[0] or padded[1] < kernel[1]:
        raise ValueError(
            f"input of {x.shape[2]}x{x.shape[3]} pixels (padded: {padded[0]}x{padded[1]}) is "
            f"smaller than the {kernel[0]}x{kernel[1]} kernel"
        )


def image_windows(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair) -> np.ndarray:
    """Every ``kernel``-sized window of ``x`` (N, C, H, W) zero-padded by ``padding``, moved by
    ``stride``: a view of shape (N, C, OH, OW, KH, KW) (only the padding is copied)."""
    (ph, pw), (sh, sw) = padding, stride
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    return sliding_window_view(x, kernel, axis=(2, 3))[:, :, ::sh, ::sw]


def tensor_windows(x: Tensor, kernel: Pair, stride: Pair, padding: Pair) -> Tensor:
    """:func:`image_windows` of a Tensor, for the composite forms: the same (N, C, OH, OW, KH,
    KW) windows, gathered by indexing, whose gradient is an op of its own."""
    (ph, pw), (sh, sw), (kh, kw) = padding, stride, kernel
    if ph or pw:  # zero padding: x added into zeros of the padded size
        n, c, h, w = x.shape
        inside = (slice(None), slice(None), slice(ph, ph + h), slice(pw, pw + w))
        x = IndexAdd.apply(x, shape=(n, c, h + 2 * ph, w + 2 * pw), index=inside)
    oh, ow = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    rows = (np.arange(oh) * sh)[:, None, None, None] + np.arange(kh)[:, None]  # (OH, 1, KH, 1)
    cols = (np.arange(ow) * sw)[:, None, None] + np.arange(kw)  # (OW, 1, KW)
    return x[:, :, rows, cols]


def add_windows_back(window_grads: np.ndarray, size: Pair, stride: Pair) -> np.ndarray:
    """col2im: the gradient of the (padded) input of ``image_windows`` from its windows'.

    ``window_grads`` is (KH, KW, A, B, OH, OW): the gradient at kernel position (u, v) of
    window (i, j), i.e. of pixel (i*SH + u, j*SW + v). Returns (A, B, *size), where a pixel
    covered by several windows collects the sum of their gradients.
    """
    kh, kw, *lead, oh, ow = window_grads.shape
    (sh, sw) = stride
    out = np.zeros((*lead, *size), dtype=window_grads.dtype)
    for u in range(kh):
        for v in range(kw):
            out[..., u : u + sh * (oh - 1) + 1 : sh, v : v + sw * (ow - 1) + 1 : sw] += (
                window_grads[u, v]
            )
    return out


class Conv2d(Function):
    """2-D convolution of x (N, C, H, W) with weight (O, C, KH, KW) and optional bias (O,):

        y[n, o, i, j] = b[o] + sum over c, u, v of w[o, c, u, v] * xp[n, c, i*SH + u, j*SW + v]

    with xp the zero-padded input. As im2col: the windows of xp become the columns of
    X (C*KH*KW, N*OH*OW), W is the weight as (O, C*KH*KW), and Y = W @ X is one matrix product.
    With G = dL/dY laid out like Y:

        dL/dW = G @ X^T,   dL/db = G summed over its columns,   dL/dX = W^T @ G,

    and col2im adds each column of dL/dX back onto the pixels its window covered. The output
    height is OH = (H + 2 * padding - KH) // stride + 1 (and OW likewise), as in PyTorch.
    """

    @staticmethod
    def composite(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Pair = (1, 1),
                  padding: Pair = (0, 0)) -> Tensor:
        out_channels, _, kh, kw = weight.shape
        windows = tensor_windows(x, (kh, kw), stride, padding)
        n, _, oh, ow = windows.shape[:4]
        columns = windows.permute(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, -1)
        out = (columns @ weight.reshape(out_channels, -1).T).reshape(n, oh, ow, out_channels)
        if bias is not None:
            out = out + bias
        return out.permute(0, 3, 1, 2)

    def forward(
        self,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray | None = None,
        stride: Pair = (1, 1),
        padding: Pair = (0, 0),
    ) -> np.ndarray:
        if weight.ndim != 4:
            raise ValueError(
                "expected a weight of shape (out_channels, in_channels, KH, KW), "
                f"got {weight.shape}"
            )
        out_channels, in_channels, kh, kw = weight.shape
        _check_images(x, (kh, kw), padding)
        if x.shape[1] != in_channels:
            raise ValueError(
                f"input has {x.shape[1]} channels, but the weight expects {in_channels} "
                "(its shape is out_channels, in_channels, KH, KW)"
            )
        if bias is not None and bias.shape != (out_channels,):
            raise ValueError(f"expected a bias of shape ({out_channels},), got {bias.shape}")
        windows = image_windows(x, (kh, kw), stride, padding)
        n, _, oh, ow = windows.shape[:4]
        # The one copy of the forward pass: rows (c, u, v) match the weight's layout, columns
        # (n, i, j) run along the contiguous output rows, so the copy reads whole image rows.
        self.columns = windows.transpose(1, 4, 5, 0, 2, 3).reshape(in_channels * kh * kw, -1)
        self.weight, self.x_shape, self.stride, self.padding = weight, x.shape, stride, padding
        out = weight.reshape(out_channels, -1) @ self.columns
        if bias is not None:
            out += bias[:, None]  # in place: the product is a fresh array
        # The product is laid out (O, N, OH, OW); viewing it as NCHW costs nothing, and the
        # element-wise ops and reductions that follow work in memory order either way.
        return out.reshape(out_channels, n, oh, ow).transpose(1, 0, 2, 3)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        out_channels, in_channels, kh, kw = self.weight.shape
        n, _, oh, ow = grad.shape
        need_x, need_weight, *need_bias = self.needs_input_grad
        # Laid out (O, N*OH*OW) like the forward product: free when grad kept that layout.
        grad_rows = grad.transpose(1, 0, 2, 3).reshape(out_channels, -1)
        grad_x = grad_weight = grad_bias = None
        if need_weight:
            grad_weight = (grad_rows @ self.columns.T).reshape(self.weight.shape)
        if need_bias and need_bias[0]:
            grad_bias = np.add.reduce(grad_rows, axis=1)
        if need_x:
            column_grads = self.weight.reshape(out_channels, -1).T @ grad_rows
            window_grads = column_grads.reshape(in_channels, kh, kw, n, oh, ow)
            (ph, pw), (h, w) = self.padding, self.x_shape[2:]
            padded = add_windows_back(
                window_grads.transpose(1, 2, 0, 3, 4, 5), (h + 2 * ph, w + 2 * pw), self.stride
            )
            grad_x = padded[:, :, ph : ph + h, pw : pw + w].transpose(1, 0, 2, 3)
        return (grad_x, grad_weight, grad_bias)[: len(self.parents)]


class MaxPool2d(Function):
    """y[n, c, i, j] = max of x[n, c] over the window of rows i*SH .. i*SH + KH - 1 and
    columns j*SW .. j*SW + KW - 1 (no padding; a partial window at the edge is dropped).

    dL/dx: each window's gradient goes to the position of its maximum. Where several
    positions tie (common after ReLU, where windows are often all zero) it goes to the first
    of them in row-major order, as in PyTorch, so the gradient is never split. Overlapping
    windows (stride < kernel) that share a maximum each add their gradient to it.
    """

    @staticmethod
    def composite(x: Tensor, kernel_size: Pair = (2, 2), stride: Pair = (2, 2)) -> Tensor:
        windows = tensor_windows(x, kernel_size, stride, (0, 0))
        flat = windows.reshape(*windows.shape[:4], -1)
        first_max = np.argmax(flat._data, axis=-1)  # PyTorch's pick among tied maxima
        return flat[(*np.indices(first_max.shape, sparse=True), first_max)]

    def forward(
        self, x: np.ndarray, kernel_size: Pair = (2, 2), stride: Pair = (2, 2)
    ) -> np.ndarray:
        _check_images(x, kernel_size, (0, 0))
        self.windows = image_windows(x, kernel_size, stride, (0, 0))  # a view: no memory cost
        self.x, self.stride = x, stride
        # One pass per kernel position over strided views is much faster than NumPy's
        # reduction over the two short window axes.
        self.out = reduce(np.maximum, _kernel_positions(self.windows))
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        kh, kw = self.windows.shape[4:]
        (oh, ow), (sh, sw) = grad.shape[2:], self.stride
        side_by_side = (sh, sw) == (kh, kw)
        if side_by_side:
            # Each pixel lies in at most one window: every kernel position's gradient goes
            # straight into its strided slice of grad_x (laid out like x, so the layers
            # before see the layout they produced), with no zero-filled buffer and no adds.
            grad_x = np.empty_like(self.x, dtype=grad.dtype)
            grad_x[:, :, oh * kh :] = 0  # rows and columns no window covers
            grad_x[:, :, :, ow * kw :] = 0
            targets = [grad_x[:, :, u : oh * kh : kh, v : ow * kw : kw] for u, v in
                       np.ndindex(kh, kw)]
        else:
            window_grads = np.empty((kh, kw, *grad.shape), dtype=grad.dtype)
            targets = [window_grads[u, v] for u, v in np.ndindex(kh, kw)]
        # Each kernel position claims the windows whose maximum it holds and no earlier one
        # claimed; the last one gets every window still unclaimed without a test: it must hold
        # their maximum (or the window holds a NaN, whose gradient then goes there).
        *tested, (last_target, _) = zip(targets, _kernel_positions(self.windows), strict=True)
        unclaimed = np.ones_like(self.out, dtype=bool)  # keeps the memory layout of out
        is_first_max = np.empty_like(unclaimed)
        for target, values in tested:
            np.equal(values, self.out, out=is_first_max)
            is_first_max &= unclaimed
            unclaimed ^= is_first_max
            np.multiply(grad, is_first_max, out=target)
        np.multiply(grad, unclaimed, out=last_target)
        if side_by_side:
            return grad_x
        return add_windows_back(window_grads, self.x.shape[2:], self.stride)


class AvgPool2d(Function):
    """y[n, c, i, j] = mean of x[n, c] over the window of rows i*SH .. i*SH + KH - 1 and
    columns j*SW .. j*SW + KW - 1 (no padding);  dL/dx = dL/dy / (KH*KW) at each pixel of the
    window, summed over the windows that share a pixel."""

    @staticmethod
    def composite(x: Tensor, kernel_size: Pair = (2, 2), stride: Pair = (2, 2)) -> Tensor:
        return tensor_windows(x, kernel_size, stride, (0, 0)).mean((4, 5))

    def forward(
        self, x: np.ndarray, kernel_size: Pair = (2, 2), stride: Pair = (2, 2)
    ) -> np.ndarray:
        _check_images(x, kernel_size, (0, 0))
        windows = image_windows(x, kernel_size, stride, (0, 0))
        self.kernel_size, self.x_size, self.stride = kernel_size, x.shape[2:], stride
        return reduce(np.add, _kernel_positions(windows)) / (kernel_size[0] * kernel_size[1])

    def backward(self, grad: np.ndarray) -> np.ndarray:
        kh, kw = self.kernel_size
        # Every position of a window gets the same share: a broadcast view, not KH*KW copies.
        shares = np.broadcast_to(grad / (kh * kw), (kh, kw, *grad.shape))
        return add_windows_back(shares, self.x_size, self.stride)


def _kernel_positions(windows: np.ndarray) -> list[np.ndarray]:
    """The (N, C, OH, OW) views windows[..., u, v], one per kernel position, row-major."""
    kh, kw = windows.shape[4:]
    return [windows[..., u, v] for u, v in np.ndindex(kh, kw)]


class BatchNorm(Function):
    """Batch normalisation over axis 1 (channels) of x (N, C), (N, C, L) or (N, C, H, W):

        y = (x - mean) / sqrt(var + eps) * weight + bias,  per channel.

    In training, mean and var are the statistics of this batch over every axis but 1 (var
    biased, dividing by the m values per channel); ``running_mean`` and ``running_var``,
    when given, are updated in place as in PyTorch:
    running = (1 - momentum) * running + momentum * batch statistic, with the unbiased var
    (dividing by m - 1). Otherwise mean and var are the running statistics.

    With x_hat = (x - mean) / sqrt(var + eps) and g = dL/dy:

        dL/dweight = sum(g * x_hat),   dL/dbias = sum(g),   summed per channel;
        dL/dx = weight / sqrt(var + eps) * g                                  (given statistics)
        dL/dx = weight / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat))  (batch
        statistics: the closed form of the chain rule through mean and var).
    """

    @staticmethod
    def composite(x: Tensor, weight: Tensor, bias: Tensor, running_mean: Any = None,
                  running_var: Any = None, training: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
        """The formula above step by step; the running statistics are read, never updated
        (the forward pass did that)."""
        axes = (0, *range(2, x.ndim))
        per_channel = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        if training:
            centered = x - x.mean(axes, keepdim=True)
            var = (centered * centered).mean(axes, keepdim=True)
        else:
            centered = x - running_mean.reshape(per_channel)
            var = running_var.reshape(per_channel)
        scaled = centered / (var + eps) ** 0.5
        return scaled * weight.reshape(per_channel) + bias.reshape(per_channel)

    def forward(
        self,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray,
        running_mean: np.ndarray | None = None,
        running_var: np.ndarray | None = None,
        training: bool = True,
        momentum: float = 0.1,
        eps: float = 1e-5,
    ) -> np.ndarray:
        if x.ndim < 2:
            raise ValueError(f"expected input of shape (N, C, ...), got {x.ndim}-D shape {x.shape}")
        channels = weight.shape[0]
        if x.shape[1] != channels:
            raise ValueError(f"input has {x.shape[1]} channels, expected {channels}")
        per_channel = (1, channels) + (1,) * (x.ndim - 2)  # broadcasts against x
        count = x.size // channels
        if training:
            if count < 2:
                raise ValueError(
                    "training needs more than one value per channel to compute a variance, "
                    f"got input of shape {x.shape}"
                )
            mean = channel_sums(x) / count
            centered = x - mean.reshape(per_channel)
            var = channel_sums(centered, centered) / count
            if running_mean is not None and running_var is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean
                running_var *= 1 - momentum
                running_var += momentum * count / (count - 1) * var
        else:
            if running_mean is None or running_var is None:
                raise ValueError("evaluation mode needs running_mean and running_var")
            centered = x - running_mean.reshape(per_channel)
            var = running_var
        inv_std = (1 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        # x_hat = centered * inv_std is never built: the forward and the backward fold inv_std
        # into their per-channel factors instead, which saves a pass over the data.
        self.centered, self.inv_std = centered, inv_std
        self.scale = weight * inv_std
        self.per_channel, self.count, self.training = per_channel, count, training
        out = centered * self.scale.reshape(per_channel)
        out += bias.reshape(per_channel)
        return out

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        need_x, need_weight, need_bias = self.needs_input_grad[:3]
        centered, inv_std, per_channel = self.centered, self.inv_std, self.per_channel
        grad_sum = channel_sums(grad)
        grad_dot_x_hat = channel_sums(grad, centered) * inv_std
        grad_x = None
        if need_x:
            scale = self.scale.reshape(per_channel)
            if self.training:
                # scale * (grad - mean(grad) - x_hat * mean(grad * x_hat)) with the scale and
                # inv_std (x_hat = centered * inv_std) folded into the per-channel factors:
                # two products and two in-place adds over the data instead of seven passes.
                centered_factor = -self.scale * inv_std * grad_dot_x_hat / self.count
                grad_x = centered * centered_factor.reshape(per_channel)
                grad_x += (-self.scale * grad_sum / self.count).reshape(per_channel)
                grad_x += grad * scale
            else:
                grad_x = grad * scale
        grad_weight = grad_dot_x_hat if need_weight else None
        grad_bias = grad_sum if need_bias else None
        return grad_x, grad_weight, grad_bias


def channel_sums(x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """Per channel (axis 1), the sum of x's values, or of x * y without building the product.

    einsum reads the arrays in whatever memory layout they have, and is 2-4x faster here than
    ``np.add.reduce`` over axes (0, 2, ...).
    """
    axes = "ncdefghijk"[: x.ndim]  # one subscript per axis; the sums keep only "c"
    if y is None:
        return np.einsum(f"{axes}->c", x)
    return np.einsum(f"{axes},{axes}->c", x, y)
