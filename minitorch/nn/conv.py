"""Layers for images: convolution, pooling and batch normalisation, in module and functional
form. Images are NCHW: (batch, channels, height, width), as in PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.nn import init
from minitorch.nn.module import Module, Parameter, positive_int
from minitorch.ops import conv as ops
from minitorch.tensor import DEFAULT_DTYPE, Tensor, as_tensor

IntOrPair = int | tuple[int, int]

# ----- functional forms ---------------------------------------------------------------------


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) of x (N, C, H, W) with weight
    (out_channels, C, KH, KW), plus bias (out_channels,); zero padding on every side."""
    inputs = (as_tensor(x), weight) if bias is None else (as_tensor(x), weight, bias)
    return ops.Conv2d.apply(
        *inputs, stride=ops.pair(stride, "stride", 1), padding=ops.pair(padding, "padding", 0)
    )


def max_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None) -> Tensor:
    """Maximum over each kernel_size window of x (N, C, H, W); ``stride`` defaults to
    ``kernel_size`` (windows side by side). A tied window's gradient goes to its first maximum."""
    kernel = ops.pair(kernel_size, "kernel_size", 1)
    step = kernel if stride is None else ops.pair(stride, "stride", 1)
    return ops.MaxPool2d.apply(as_tensor(x), kernel_size=kernel, stride=step)


def avg_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None) -> Tensor:
    """Mean over each kernel_size window of x (N, C, H, W); ``stride`` defaults to
    ``kernel_size``."""
    kernel = ops.pair(kernel_size, "kernel_size", 1)
    step = kernel if stride is None else ops.pair(stride, "stride", 1)
    return ops.AvgPool2d.apply(as_tensor(x), kernel_size=kernel, stride=step)


def batch_norm(
    x: Tensor,
    running_mean: Any,
    running_var: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) of x (N, C, ...) to zero mean and unit variance, then
    scale by ``weight`` and shift by ``bias`` (per channel; None means 1 and 0).

    ``training``: use this batch's statistics, and update ``running_mean`` and
    ``running_var`` (arrays or Tensors, or None) in place with ``momentum``, using the
    unbiased variance, as PyTorch does. Otherwise normalise with the running statistics.
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"batch_norm expected input of shape (N, C, ...), got shape {x.shape}")
    channels = x.shape[1]
    if weight is None:
        weight = Tensor._make(np.ones(channels, dtype=x.dtype), False)
    if bias is None:
        bias = Tensor._make(np.zeros(channels, dtype=x.dtype), False)
    stats = [s._data if isinstance(s, Tensor) else s for s in (running_mean, running_var)]
    for name, array in zip(("running_mean", "running_var"), stats, strict=True):
        if array is not None and np.shape(array) != (channels,):
            raise ValueError(
                f"batch_norm: {name} has shape {np.shape(array)}, expected ({channels},) for "
                f"an input with {channels} channels"
            )
    return ops.BatchNorm.apply(
        x, weight, bias, running_mean=stats[0], running_var=stats[1], training=training,
        momentum=momentum, eps=eps,
    )


# ----- modules --------------------------------------------------------------------------------


class Conv2d(Module):
    """2-D convolution over images (N, in_channels, H, W) -> (N, out_channels, OH, OW), with
    OH = (H + 2 * padding - kernel_size) // stride + 1 (and OW likewise).

    ``kernel_size``, ``stride`` and ``padding`` are ints or (height, width) pairs. ``weight``
    is (out_channels, in_channels, KH, KW) and starts, like ``Linear``'s, with He uniform
    initialisation on fan_in = in_channels * KH * KW; ``bias`` (out_channels,) starts at zero.
    An input of another dtype is converted to the parameters' dtype first.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        bias: bool = True,
        dtype: Any = DEFAULT_DTYPE,
    ) -> None:
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels", "Conv2d")
        self.out_channels = positive_int(out_channels, "out_channels", "Conv2d")
        self.kernel_size = ops.pair(kernel_size, "kernel_size", 1)
        self.stride = ops.pair(stride, "stride", 1)
        self.padding = ops.pair(padding, "padding", 0)
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        init.kaiming_uniform_(self.weight, nonlinearity="relu")
        self.bias = Parameter(np.zeros(self.out_channels, dtype=dtype)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        x = as_tensor(x).astype(self.weight.dtype)  # the tensor itself when it already matches
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}"
        )


class _Pool2d(Module):
    """What MaxPool2d and AvgPool2d share: a window size and a stride that defaults to it."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None) -> None:
        super().__init__()
        self.kernel_size = ops.pair(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else ops.pair(stride, "stride", 1)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(_Pool2d):
    """Maximum over each ``kernel_size`` window of images (N, C, H, W); ``stride`` defaults
    to ``kernel_size``. Rows or columns left over at the edge are dropped, as in PyTorch."""

    def forward(self, x: Tensor) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride)


class AvgPool2d(_Pool2d):
    """Mean over each ``kernel_size`` window of images (N, C, H, W); ``stride`` defaults to
    ``kernel_size``. Rows or columns left over at the edge are dropped, as in PyTorch."""

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool2d(x, self.kernel_size, self.stride)


class _BatchNorm(Module):
    """Batch normalisation of each channel (axis 1), shared by BatchNorm1d and BatchNorm2d,
    which differ only in the input dimensions they accept.

    In training mode each channel is normalised with this batch's mean and (biased)
    variance, and the buffers ``running_mean`` and ``running_var`` move towards them:
    running = (1 - momentum) * running + momentum * batch, with the unbiased variance
    (``momentum=None``: the cumulative average, momentum = 1 / num_batches_tracked). The
    int64 buffer ``num_batches_tracked`` counts the training batches. In evaluation mode
    (``model.eval()``) the running statistics are used instead. With
    ``track_running_stats=False`` there are no such buffers and every batch is normalised
    with its own statistics. With ``affine``, a learned per-channel ``weight`` (starting at
    1) and ``bias`` (at 0) follow. Parameter and buffer names are PyTorch's.
    """

    input_shapes: dict[int, str] = {}

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = DEFAULT_DTYPE,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.num_features = positive_int(num_features, "num_features", name)
        if not eps > 0:
            raise ValueError(f"{name} eps must be > 0, got {eps!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name} momentum must be in [0, 1] or None, got {momentum!r}")
        self.eps, self.momentum, self.affine = eps, momentum, affine
        self.track_running_stats = track_running_stats
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine else None
        tracked = track_running_stats
        self.register_buffer("running_mean", np.zeros(num_features, dtype) if tracked else None)
        self.register_buffer("running_var", np.ones(num_features, dtype) if tracked else None)
        self.register_buffer("num_batches_tracked", np.array(0, np.int64) if tracked else None)

    def forward(self, x: Tensor) -> Tensor:
        x = as_tensor(x)
        if x.ndim not in self.input_shapes:
            expected = " or ".join(self.input_shapes.values())
            raise ValueError(
                f"{type(self).__name__} expected input of shape {expected}, got shape {x.shape}"
            )
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__} expected {self.num_features} channels (axis 1), got "
                f"input of shape {x.shape}"
            )
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1  # in place: the buffer stays the same array
            if momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked)
        if self.running_mean is not None:
            x = x.astype(self.running_mean.dtype)
        elif self.weight is not None:
            x = x.astype(self.weight.dtype)
        return batch_norm(
            x, self.running_mean, self.running_var, self.weight, self.bias,
            self.training or self.running_mean is None, momentum or 0.0, self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of features (N, C) or sequences (N, C, L), per channel C."""

    input_shapes = {2: "(N, C)", 3: "(N, C, L)"}


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images (N, C, H, W), per channel C."""

    input_shapes = {4: "(N, C, H, W)"}
