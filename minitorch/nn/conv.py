"""Layers for images: convolution, pooling, batch normalisation, channel dropout, padding,
upsampling, and Unflatten (a flat vector back into an image). Images are NCHW: (batch,
channels, height, width), as in PyTorch. Their functional forms are in
:mod:`minitorch.nn.functional`."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch.nn import _checks, init
from minitorch.nn import functional as F
from minitorch.nn.functional import (  # noqa: F401  (re-exported from their old home)
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool2d,
    batch_norm,
    conv2d,
    dropout2d,
    interpolate,
    max_pool2d,
)
from minitorch.nn.module import Module, Parameter, positive_int
from minitorch.ops import conv as ops
from minitorch.tensor import Tensor, as_tensor

IntOrPair = int | tuple[int, int]
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class Conv2d(Module):
    """2-D convolution over images (N, in_channels, H, W) -> (N, out_channels, OH, OW), with
    OH = (H + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1 (and OW likewise).

    ``kernel_size``, ``stride``, ``padding`` and ``dilation`` are ints or (height, width)
    pairs; ``padding`` may also be ``'valid'`` (none) or ``'same'`` (the output keeps the
    input's size; stride 1 only). ``padding_mode`` is what the padding holds: ``'zeros'``, or
    the image's own values (``'reflect'``, ``'replicate'``, ``'circular'``, as in ``F.pad``).
    ``dilation`` spaces the kernel's taps; ``groups`` splits the channels into that many
    independent convolutions (both channel counts must be divisible by it).

    ``weight`` is (out_channels, in_channels / groups, KH, KW); it and ``bias``
    (out_channels,) start, like ``Linear``'s, as PyTorch's: from U(-1/sqrt(fan_in),
    1/sqrt(fan_in)) with fan_in = in_channels / groups * KH * KW. An input of another dtype is
    converted to the parameters' dtype first. ``device`` can only be the CPU.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair | str = 0,
        dilation: IntOrPair = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = _checks.layer_dtype(device, dtype)
        self.in_channels = positive_int(in_channels, "in_channels", "Conv2d")
        self.out_channels = positive_int(out_channels, "out_channels", "Conv2d")
        self.groups = positive_int(groups, "groups", "Conv2d")
        for name, channels in (("in_channels", self.in_channels),
                               ("out_channels", self.out_channels)):
            if channels % self.groups:
                raise ValueError(f"Conv2d {name} must be divisible by groups, got {name}="
                                 f"{channels} and groups={self.groups}")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"Conv2d padding_mode must be one of "
                             f"{', '.join(map(repr, PADDING_MODES))}, got {padding_mode!r}")
        self.kernel_size = ops.pair(kernel_size, "kernel_size", 1)
        self.stride = ops.pair(stride, "stride", 1)
        self.dilation = ops.pair(dilation, "dilation", 1)
        (top, bottom), (left, right) = _checks.conv_padding(padding, self.kernel_size,
                                                            self.stride, self.dilation)
        self.padding = padding if isinstance(padding, str) else ops.pair(padding, "padding", 0)
        self.padding_mode = padding_mode
        self._pad_amounts = (left, right, top, bottom)  # F.pad's order, for the other modes
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        self.bias = Parameter(np.empty(self.out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Start again from new random values, as PyTorch's (:func:`init.reset_layer_`)."""
        init.reset_layer_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        x = as_tensor(input).astype(self.weight.dtype)  # the tensor itself when it matches
        if self.padding_mode == "zeros":
            return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                            self.groups)
        padded = F.pad(x, self._pad_amounts, mode=self.padding_mode)
        return F.conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                        self.groups)

    def extra_repr(self) -> str:
        """PyTorch's: the sizes, then only the arguments that differ from their defaults."""
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Pool2d(Module):
    """What MaxPool2d and AvgPool2d share: a window size, a stride that defaults to it, a
    padding and ceil_mode. The arguments are kept as given, as PyTorch keeps them, and
    checked now rather than at the first call."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None, padding: IntOrPair,
                 ceil_mode: bool) -> None:
        super().__init__()
        _checks.pool_arguments(kernel_size, stride, padding)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode


class MaxPool2d(_Pool2d):
    """The maximum of each ``kernel_size`` window of images (N, C, H, W) or (C, H, W); see
    ``F.max_pool2d`` for the arguments (``stride`` defaults to ``kernel_size``). With
    ``return_indices`` the layer returns (values, indices), the input of ``MaxUnpool2d``."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                 padding: IntOrPair = 0, dilation: IntOrPair = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        ops.pair(dilation, "dilation", 1)
        self.dilation, self.return_indices = dilation, return_indices

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxUnpool2d(Module):
    """The inverse of ``MaxPool2d(..., return_indices=True)``: ``layer(values, indices)`` puts
    each value back where it came from, zeros elsewhere; see ``F.max_unpool2d``."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                 padding: IntOrPair = 0) -> None:
        super().__init__()
        self.kernel_size = ops.pair(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else ops.pair(stride, "stride", 1)
        self.padding = ops.pair(padding, "padding", 0)

    def forward(self, input: Tensor, indices: Any, output_size: Any = None) -> Tensor:
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_Pool2d):
    """The mean of each ``kernel_size`` window of images (N, C, H, W) or (C, H, W); see
    ``F.avg_pool2d`` for the arguments (``stride`` defaults to ``kernel_size``)."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                 padding: IntOrPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` whatever the input's size; see
    ``F.adaptive_avg_pool2d``. ``AdaptiveAvgPool2d(1)`` (or ``(1, 1)``) is global average
    pooling."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        _checks.output_size_pair(output_size, (1, 1), type(self).__name__)
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(AdaptiveAvgPool2d):
    """Max pooling to a fixed ``output_size``; see ``F.adaptive_max_pool2d``. With
    ``return_indices`` the layer returns (values, indices)."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class Dropout2d(Module):
    """During training, zero each channel of images (N, C, H, W) whole with probability
    ``p`` and scale the others by 1 / (1 - p); the identity in evaluation mode. See
    ``F.dropout2d`` (a 3-D input is (N, C, L), as in PyTorch)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size`` (a tuple or list of ints, one of
    them may be -1), the inverse of ``Flatten``: rows (N, 784) become images (N, 1, 28, 28)
    with ``Unflatten(1, (1, 28, 28))``."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...] | list[int]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) or not all(
                isinstance(n, (int, np.integer)) and not isinstance(n, bool)
                for n in unflattened_size):
            raise TypeError(f"Unflatten unflattened_size must be a tuple or list of ints, got "
                            f"{unflattened_size!r}")
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        return as_tensor(input).unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class _Pad2d(Module):
    """Padding of the last two axes with ``F.pad``: ``padding`` an int for every side or
    (left, right, top, bottom); a negative amount crops."""

    mode = "constant"

    def __init__(self, padding: Any, value: float = 0.0) -> None:
        super().__init__()
        self.padding = _checks.pad_sides(padding, type(self).__name__)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        x = as_tensor(input)
        if self.mode != "constant" and x.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__} expected input of shape (N, C, H, W) or "
                             f"(C, H, W), got shape {x.shape}")
        if self.mode == "constant":
            return F.pad(x, self.padding, value=self.value)
        return F.pad(x, self.padding, mode=self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(_Pad2d):
    """Zeros around the last two axes of the input (images (N, C, H, W) or (C, H, W))."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ConstantPad2d(_Pad2d):
    """``value`` around the last two axes of the input."""

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ReflectionPad2d(_Pad2d):
    """The image mirrored about its edges (the edge not repeated; each amount less than
    that side's length), for images (N, C, H, W) or (C, H, W)."""

    mode = "reflect"

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ReplicationPad2d(_Pad2d):
    """The image's edge pixels repeated outwards, for images (N, C, H, W) or (C, H, W)."""

    mode = "replicate"

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class Upsample(Module):
    """Enlarge (or shrink) images to ``size`` or by ``scale_factor``; see ``F.interpolate``.
    Only ``mode='nearest'`` is implemented: another mode raises NotImplementedError here,
    when the model is built."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        if mode != "nearest":
            raise NotImplementedError(f"Upsample implements only mode='nearest', got {mode!r}")
        self.size, self.mode, self.align_corners = size, mode, align_corners
        if isinstance(scale_factor, (tuple, list)):
            scale_factor = tuple(float(f) for f in scale_factor)
        self.scale_factor = None if scale_factor is None else (
            scale_factor if isinstance(scale_factor, tuple) else float(scale_factor))
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self) -> str:
        given = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else
                 f"size={self.size!r}")
        return f"{given}, mode={self.mode!r}"


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
    1) and ``bias`` (at 0; none with ``bias=False``) follow. Parameter and buffer names are
    PyTorch's.
    """

    input_shapes: dict[int, str] = {}

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        dtype = _checks.layer_dtype(device, dtype)
        name = type(self).__name__
        self.num_features = positive_int(num_features, "num_features", name)
        if not eps > 0:
            raise ValueError(f"{name} eps must be > 0, got {eps!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{name} momentum must be in [0, 1] or None, got {momentum!r}")
        self.eps, self.momentum, self.affine = eps, momentum, affine
        self.track_running_stats = track_running_stats
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine and bias else None
        tracked = track_running_stats
        self.register_buffer("running_mean", np.zeros(num_features, dtype) if tracked else None)
        self.register_buffer("running_var", np.ones(num_features, dtype) if tracked else None)
        self.register_buffer("num_batches_tracked", np.array(0, np.int64) if tracked else None)

    def forward(self, input: Tensor) -> Tensor:
        input = as_tensor(input)
        if input.ndim not in self.input_shapes:
            expected = " or ".join(self.input_shapes.values())
            raise ValueError(
                f"{type(self).__name__} expected input of shape {expected}, got shape {input.shape}"
            )
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__} expected {self.num_features} channels (axis 1), got "
                f"input of shape {input.shape}"
            )
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1  # in place: the buffer stays the same array
            if momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked)
        if self.running_mean is not None:
            input = input.astype(self.running_mean.dtype)
        elif self.weight is not None:
            input = input.astype(self.weight.dtype)
        return F.batch_norm(
            input, self.running_mean, self.running_var, self.weight, self.bias,
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
