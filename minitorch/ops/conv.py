"""Convolution, pooling and batch normalisation on NCHW arrays.

Convolution and pooling see their input the same way: as windows of a padded input, a
strided view made by ``sliding_window_view`` that copies nothing (:func:`image_windows`). A
dilated window, whose taps are D pixels apart, is every D-th pixel of a wider window: a
slice of the same view. Their gradients go back the same way too: :func:`add_windows_back`
adds each window's gradient onto the pixels that window covered (col2im), one strided slice
per kernel position.

Padding is given per side, ((top, bottom), (left, right)), or as a pair (height, width) that
pads both sides of each axis alike (see :func:`sides`).

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
from minitorch.memory import copy_like
from minitorch.ops.shape import IndexAdd

if TYPE_CHECKING:
    from minitorch.tensor import Tensor

Pair = tuple[int, int]
Sides = tuple[Pair, Pair]  # ((top, bottom), (left, right))


# ----- arguments ----------------------------------------------------------------------------


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


def sides(padding: Pair | Sides) -> Sides:
    """``padding`` as ((top, bottom), (left, right)); a pair (height, width) pads both sides
    of its axis alike."""
    height, width = padding
    if isinstance(height, tuple):
        return padding  # type: ignore[return-value]
    return (height, height), (width, width)  # type: ignore[return-value]


def span(kernel: Pair, dilation: Pair) -> Pair:
    """The pixels a kernel reaches across with its taps D apart: D * (K - 1) + 1 per axis."""
    return dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1


def _expect_images(shape: tuple[int, ...]) -> None:
    if len(shape) != 4:
        raise ValueError(f"expected input of shape (N, C, H, W), got {len(shape)}-D shape {shape}")


def _check_images(x: np.ndarray, kernel: Pair, padding: Pair | Sides,
                  dilation: Pair = (1, 1)) -> None:
    _expect_images(x.shape)
    (top, bottom), (left, right) = sides(padding)
    padded = (x.shape[2] + top + bottom, x.shape[3] + left + right)
    reach = span(kernel, dilation)
    if padded[0] < reach[0] or padded[1] < reach[1]:
        dilated = f" (dilated: {reach[0]}x{reach[1]})" if reach != tuple(kernel) else ""
        raise ValueError(
            f"input of {x.shape[2]}x{x.shape[3]} pixels (padded: {padded[0]}x{padded[1]}) is "
            f"smaller than the {kernel[0]}x{kernel[1]} kernel{dilated}"
        )


# ----- windows --------------------------------------------------------------------------------


def image_windows(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair | Sides,
                  dilation: Pair = (1, 1), fill: float = 0) -> np.ndarray:
    """Every ``kernel``-sized window of ``x`` (N, C, H, W) padded with ``fill``, moved by
    ``stride``, its taps ``dilation`` apart: a view of shape (N, C, OH, OW, KH, KW) (only the
    padding is copied)."""
    (top, bottom), (left, right) = sides(padding)
    if top or bottom or left or right:
        # Padded in x's memory layout (full_like keeps the order of its axes): a convolution's
        # (C, N, H, W) output stays so, and this copy and im2col's then read whole runs of
        # memory (np.pad, which makes NCHW, took 1.6-2x as long on a small CNN's layers).
        n, c, h, w = x.shape
        padded = np.full_like(x, fill, shape=(n, c, h + top + bottom, w + left + right))
        padded[:, :, top : top + h, left : left + w] = x
        x = padded
    (sh, sw), (dh, dw) = stride, dilation
    return sliding_window_view(x, span(kernel, dilation), axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]


def tensor_windows(x: Tensor, kernel: Pair, stride: Pair, padding: Pair | Sides,
                   dilation: Pair = (1, 1)) -> Tensor:
    """:func:`image_windows` of a Tensor (zero-padded), for the composite forms: the same (N,
    C, OH, OW, KH, KW) windows, gathered by indexing, whose gradient is an op of its own."""
    (top, bottom), (left, right) = sides(padding)
    if top or bottom or left or right:  # zero padding: x added into zeros of the padded size
        n, c, h, w = x.shape
        inside = (slice(None), slice(None), slice(top, top + h), slice(left, left + w))
        x = IndexAdd.apply(x, shape=(n, c, h + top + bottom, w + left + right), index=inside)
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    reach = span(kernel, dilation)
    oh, ow = (x.shape[2] - reach[0]) // sh + 1, (x.shape[3] - reach[1]) // sw + 1
    rows = (np.arange(oh) * sh)[:, None, None, None] + (np.arange(kh) * dh)[:, None]
    cols = (np.arange(ow) * sw)[:, None, None] + np.arange(kw) * dw  # with rows: (OH, OW, KH, KW)
    return x[:, :, rows, cols]


def add_windows_back(window_grads: np.ndarray, size: Pair, stride: Pair,
                     dilation: Pair = (1, 1)) -> np.ndarray:
    """col2im: the gradient of the (padded) input of ``image_windows`` from its windows'.

    ``window_grads`` is (KH, KW, A, B, OH, OW): the gradient at kernel position (u, v) of
    window (i, j), i.e. of pixel (i*SH + u*DH, j*SW + v*DW). Returns (A, B, *size), where a
    pixel covered by several windows collects the sum of their gradients.
    """
    kh, kw, *lead, oh, ow = window_grads.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros((*lead, *size), dtype=window_grads.dtype)
    for u in range(kh):
        for v in range(kw):
            rows = slice(u * dh, u * dh + sh * (oh - 1) + 1, sh)
            cols = slice(v * dw, v * dw + sw * (ow - 1) + 1, sw)
            out[..., rows, cols] += window_grads[u, v]
    return out


def _unpadded(padded: np.ndarray, padding: Sides) -> np.ndarray:
    """The part of a gradient of the padded input that lies on the input itself: without
    padding, the array itself, which the engine can then keep as a gradient without a copy."""
    (top, bottom), (left, right) = padding
    if not (top or bottom or left or right):
        return padded
    return padded[:, :, top : padded.shape[2] - bottom, left : padded.shape[3] - right]


def _kernel_positions(windows: np.ndarray) -> list[np.ndarray]:
    """The (N, C, OH, OW) views windows[..., u, v], one per kernel position, row-major."""
    kh, kw = windows.shape[4:]
    return [windows[..., u, v] for u, v in np.ndindex(kh, kw)]


# ----- convolution ----------------------------------------------------------------------------


class Conv2d(Function):
    """2-D convolution of x (N, C, H, W) with weight (O, C/G, KH, KW) in G groups, and
    optional bias (O,):

        y[n, o, i, j] = b[o] + sum over c, u, v of
                        w[o, c, u, v] * xp[n, g*C/G + c, i*SH + u*DH, j*SW + v*DW]

    with xp the zero-padded input, S the stride, D the dilation (the spacing of the kernel's
    taps) and g = o // (O/G) the group of output channel o: each group of O/G output channels
    sees only its own C/G input channels. As im2col: the windows of xp become the columns of
    X (C*KH*KW, N*OH*OW), split by rows into the groups' X_g (C/G*KH*KW, N*OH*OW); W_g is the
    group's weight as (O/G, C/G*KH*KW), and Y_g = W_g @ X_g, one batched matrix product over
    the groups. With G_g = dL/dY_g laid out like Y_g:

        dL/dW_g = G_g @ X_g^T,   dL/db = G summed over its columns,   dL/dX_g = W_g^T @ G_g,

    and col2im adds each column of dL/dX back onto the pixels its window covered. The output
    height is OH = (H + top + bottom - DH*(KH-1) - 1) // SH + 1 (and OW likewise), as in
    PyTorch.
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def composite(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Pair = (1, 1),
                  padding: Pair | Sides = (0, 0), dilation: Pair = (1, 1),
                  groups: int = 1) -> Tensor:
        out_channels, group_channels, kh, kw = weight.shape
        windows = tensor_windows(x, (kh, kw), stride, padding, dilation)
        n, _, oh, ow = windows.shape[:4]
        columns = (windows.reshape(n, groups, group_channels, oh, ow, kh, kw)
                   .permute(1, 0, 3, 4, 2, 5, 6).reshape(groups, n * oh * ow, -1))
        group_weights = weight.reshape(groups, out_channels // groups, -1).swapaxes(1, 2)
        out = (columns @ group_weights).reshape(groups, n, oh, ow, -1)  # (G, N, OH, OW, O/G)
        out = out.permute(1, 2, 3, 0, 4).reshape(n, oh, ow, out_channels)
        if bias is not None:
            out = out + bias
        return out.permute(0, 3, 1, 2)

    def forward(
        self,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray | None = None,
        stride: Pair = (1, 1),
        padding: Pair | Sides = (0, 0),
        dilation: Pair = (1, 1),
        groups: int = 1,
    ) -> np.ndarray:
        if weight.ndim != 4:
            raise ValueError(
                "expected a weight of shape (out_channels, in_channels / groups, KH, KW), "
                f"got {weight.shape}"
            )
        out_channels, group_channels, kh, kw = weight.shape
        in_channels = group_channels * groups
        if out_channels % groups:
            raise ValueError(
                f"out_channels must be divisible by groups, got a weight of shape "
                f"{weight.shape} ({out_channels} out_channels) with groups={groups}"
            )
        _check_images(x, (kh, kw), padding, dilation)
        if x.shape[1] != in_channels:
            grouped = f" ({groups} groups of {group_channels})" if groups > 1 else ""
            raise ValueError(
                f"input has {x.shape[1]} channels, but the weight expects {in_channels}"
                f"{grouped} (its shape is out_channels, in_channels / groups, KH, KW)"
            )
        if bias is not None and bias.shape != (out_channels,):
            raise ValueError(f"expected a bias of shape ({out_channels},), got {bias.shape}")
        windows = image_windows(x, (kh, kw), stride, padding, dilation)
        n, _, oh, ow = windows.shape[:4]
        # The one copy of the forward pass: rows (c, u, v) match the weight's layout, columns
        # (n, i, j) run along the contiguous output rows, so the copy reads whole image rows.
        # The rows of one group are consecutive, so splitting them by group is a reshape.
        self.columns = windows.transpose(1, 4, 5, 0, 2, 3).reshape(groups, -1, n * oh * ow)
        self.weight, self.x_shape, self.stride = weight, x.shape, stride
        self.padding, self.dilation, self.groups = sides(padding), dilation, groups
        out = weight.reshape(groups, out_channels // groups, -1) @ self.columns
        out = out.reshape(out_channels, -1)  # (O, N*OH*OW): the groups' rows one after another
        if bias is not None:
            out += bias[:, None]  # in place: the product is a fresh array
        # The product is laid out (O, N, OH, OW); viewing it as NCHW costs nothing, and the
        # element-wise ops and reductions that follow work in memory order either way.
        return out.reshape(out_channels, n, oh, ow).transpose(1, 0, 2, 3)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        out_channels, group_channels, kh, kw = self.weight.shape
        groups = self.groups
        n, _, oh, ow = grad.shape
        need_x, need_weight, *need_bias = self.needs_input_grad
        # Laid out (O, N*OH*OW) like the forward product: free when grad kept that layout.
        grad_rows = grad.transpose(1, 0, 2, 3).reshape(groups, out_channels // groups, -1)
        grad_x = grad_weight = grad_bias = None
        if need_weight:
            if self.columns.shape[1] > grad_rows.shape[1]:
                # G @ X^T computed as (X @ G^T)^T: OpenBLAS is 8-22% faster with the matrix of
                # more rows on the left (measured on benchmarks/bench_conv.py's layers).
                grad_weight = (self.columns @ grad_rows.transpose(0, 2, 1)).transpose(0, 2, 1)
            else:
                grad_weight = grad_rows @ self.columns.transpose(0, 2, 1)
            grad_weight = grad_weight.reshape(self.weight.shape)
        if need_bias and need_bias[0]:
            grad_bias = np.add.reduce(grad_rows.reshape(out_channels, -1), axis=1)
        if need_x:
            group_weights = self.weight.reshape(groups, out_channels // groups, -1)
            column_grads = group_weights.transpose(0, 2, 1) @ grad_rows
            window_grads = column_grads.reshape(group_channels * groups, kh, kw, n, oh, ow)
            (top, bottom), (left, right) = self.padding
            h, w = self.x_shape[2:]
            padded = add_windows_back(window_grads.transpose(1, 2, 0, 3, 4, 5),
                                      (h + top + bottom, w + left + right), self.stride,
                                      self.dilation)
            grad_x = padded[:, :, top : top + h, left : left + w].transpose(1, 0, 2, 3)
        return (grad_x, grad_weight, grad_bias)[: len(self.parents)]


# ----- pooling --------------------------------------------------------------------------------


def pool_output_size(x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair,
                     dilation: Pair, ceil_mode: bool) -> Pair:
    """PyTorch's pooled height and width: (size + 2 * padding - span) / stride + 1 along each
    axis (span = D * (K - 1) + 1), rounded down, or up in ``ceil_mode``; there a last window
    must still start inside the input or its left padding, else it is dropped."""
    _expect_images(x_shape)
    sizes = []
    for size, k, s, p, d in zip(x_shape[2:], kernel, stride, padding, dilation, strict=True):
        reach = size + 2 * p - (d * (k - 1) + 1)
        count = (reach + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= size + p:
            count -= 1
        sizes.append(count)
    return sizes[0], sizes[1]


def pool_sides(x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair,
               dilation: Pair, ceil_mode: bool) -> Sides:
    """The padding per side under which :func:`image_windows` gives exactly the windows of
    :func:`pool_output_size`: ``padding`` on every side, and on the bottom and right as much
    more as the last window of ``ceil_mode`` reaches past it."""
    out = pool_output_size(x_shape, kernel, stride, padding, dilation, ceil_mode)
    reach = span(kernel, dilation)
    per_axis = []
    for size, count, s, p, r in zip(x_shape[2:], out, stride, padding, reach, strict=True):
        covered = (count - 1) * s + r  # rows (or columns) from the first window to the last
        per_axis.append((p, max(p, covered - size - p)))
    return per_axis[0], per_axis[1]


def _lowest(dtype: np.dtype) -> float:
    """The padding of max pooling: below every value, so it never is a window's maximum."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


class MaxPool2d(Function):
    """y[n, c, i, j] = max over the kernel positions (u, v) of x[n, c, i*SH + u*DH - PH,
    j*SW + v*DW - PW], positions outside the input left out (x padded with -inf); the number
    of windows is :func:`pool_output_size`'s.

    dL/dx: each window's gradient goes to the position of its maximum. Where several
    positions tie (common after ReLU, where windows are often all zero) it goes to the first
    of them in row-major order, as in PyTorch, so the gradient is never split. Overlapping
    windows (stride < kernel) that share a maximum each add their gradient to it.
    """

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def composite(x: Tensor, kernel_size: Pair = (2, 2), stride: Pair = (2, 2),
                  padding: Pair = (0, 0), dilation: Pair = (1, 1),
                  ceil_mode: bool = False) -> Tensor:
        """x gathered at each window's first maximum, found once: a constant of the formula."""
        where = max_pool_indices(x._data, kernel_size, stride, padding, dilation, ceil_mode)
        n, c = x.shape[:2]
        planes = x.reshape(n, c, -1)
        return planes[np.arange(n)[:, None, None, None], np.arange(c)[:, None, None], where]

    def forward(
        self,
        x: np.ndarray,
        kernel_size: Pair = (2, 2),
        stride: Pair = (2, 2),
        padding: Pair = (0, 0),
        dilation: Pair = (1, 1),
        ceil_mode: bool = False,
    ) -> np.ndarray:
        self.sides = pool_sides(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
        _check_images(x, kernel_size, self.sides, dilation)
        self.x, self.kernel, self.stride, self.dilation = x, kernel_size, stride, dilation
        (top, bottom), (left, right) = self.sides
        # (A 1x1 kernel is left out: its separable maximum would be a view of x, not a copy.)
        self.tiled = (stride == kernel_size and kernel_size != (1, 1) and dilation == (1, 1)
                      and not (top or bottom or left or right))
        if self.tiled:
            # Windows side by side, none sharing a pixel: the maximum of each window's rows
            # first, then of those row maxima, so that every pass reads whole image rows.
            kh, kw = kernel_size
            oh, ow = x.shape[2] // kh, x.shape[3] // kw
            covered = x[:, :, : oh * kh]
            row_maxima, self.column_wins = _first_max([covered[..., v : ow * kw : kw]
                                                       for v in range(kw)])
            self.out, self.row_wins = _first_max([row_maxima[:, :, u::kh] for u in range(kh)])
            return self.out
        # A view of x, or of its padded copy: no memory cost beyond the padding.
        self.windows = image_windows(x, kernel_size, stride, self.sides, dilation,
                                     fill=_lowest(x.dtype))
        # One pass per kernel position over strided views is much faster than NumPy's
        # reduction over the two short window axes.
        self.out = reduce(np.maximum, _kernel_positions(self.windows))
        return self.out

    def backward(self, grad: np.ndarray) -> np.ndarray:
        (kh, kw), (oh, ow) = self.kernel, grad.shape[2:]
        if grad.strides != self.out.strides:
            # One copy into the memory layout of out (a Flatten after pooling hands back NCHW
            # while a convolution's output is laid out (C, N, H, W)): each pass below then
            # reads grad, out and the masks in step, 1.5-2.5x faster than in mixed layouts.
            grad = copy_like(self.out, grad)
        if self.tiled:
            # Straight into grad_x (laid out like x, so the layers before see the layout they
            # produced): to the first maximum's row among each window's rows, then to the
            # first maximum's column within that row.
            grad_x = np.empty_like(self.x, dtype=grad.dtype)
            grad_x[:, :, oh * kh :] = 0  # rows and columns no window covers
            grad_x[:, :, :, ow * kw :] = 0
            covered = grad_x[:, :, : oh * kh, : ow * kw]
            row_grads = np.empty_like(covered[..., ::kw])
            _send_to_first_max(grad, self.row_wins, [row_grads[:, :, u::kh] for u in range(kh)])
            _send_to_first_max(row_grads, self.column_wins, [covered[..., v::kw]
                                                             for v in range(kw)])
            return grad_x
        # Each kernel position claims the windows whose maximum it holds and no earlier one
        # claimed; the last one gets every window still unclaimed without a test: it must hold
        # their maximum (or the window holds a NaN, whose gradient then goes there).
        window_grads = np.empty((kh, kw, *grad.shape), dtype=grad.dtype)
        targets = [window_grads[u, v] for u, v in np.ndindex(kh, kw)]
        *tested, (last_target, _) = zip(targets, _kernel_positions(self.windows), strict=True)
        unclaimed = np.ones_like(self.out, dtype=bool)  # keeps the memory layout of out
        is_first_max = np.empty_like(unclaimed)
        for target, values in tested:
            np.equal(values, self.out, out=is_first_max)
            is_first_max &= unclaimed
            unclaimed ^= is_first_max
            np.multiply(grad, is_first_max, out=target)
        np.multiply(grad, unclaimed, out=last_target)
        (top, bottom), (left, right) = self.sides
        h, w = self.x.shape[2:]
        return _unpadded(add_windows_back(window_grads, (h + top + bottom, w + left + right),
                                          self.stride, self.dilation), self.sides)


def _first_max(positions: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The maximum over ``positions`` (arrays of one shape: the values at each position along
    a window's axis, in order) and, for each position k > 0, a mask of where it exceeds every
    position before it. The first maximum (the earliest of those that tie) is at the last
    position whose mask holds, or at position 0 where none does."""
    best, wins = positions[0], []
    for values in positions[1:]:
        wins.append(np.greater(values, best))
        best = np.maximum(best, values)
    return best, wins


def _send_to_first_max(grad: np.ndarray, wins: list[np.ndarray],
                       targets: list[np.ndarray]) -> None:
    """The backward of :func:`_first_max`: ``grad`` written into the target of the position
    holding the first maximum, zeros into the others (one target per position)."""
    rest = grad
    for k in range(len(wins), 0, -1):  # from the last position back: a later win decides
        np.multiply(rest, wins[k - 1], out=targets[k])
        rest = np.multiply(rest, ~wins[k - 1], out=targets[0])
    if not wins:
        np.copyto(targets[0], grad)


def max_pool_indices(x: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair,
                     dilation: Pair, ceil_mode: bool) -> np.ndarray:
    """Where each window of :class:`MaxPool2d` has its first maximum (row-major, the position
    its gradient goes to), as PyTorch's ``return_indices`` gives it: an int64 index into
    each flattened H*W plane of x, of shape (N, C, OH, OW)."""
    padded = pool_sides(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    _check_images(x, kernel_size, padded, dilation)
    windows = image_windows(x, kernel_size, stride, padded, dilation, fill=_lowest(x.dtype))
    n, c, oh, ow, kh, kw = windows.shape
    u, v = np.divmod(np.argmax(windows.reshape(n, c, oh, ow, kh * kw), axis=-1), kw)
    (top, _), (left, _) = padded
    rows = (np.arange(oh) * stride[0] - top)[:, None] + u * dilation[0]
    cols = np.arange(ow) * stride[1] - left + v * dilation[1]
    return (rows * x.shape[3] + cols).astype(np.int64)


def average_divisor(x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair,
                    ceil_mode: bool, count_include_pad: bool, divisor_override: int | None,
                    dtype: np.dtype) -> np.ndarray:
    """What :class:`AvgPool2d` divides each window's sum by, (OH, OW) or one number:
    ``divisor_override`` if given, else PyTorch's count of the window's pixels: those in the
    input and, with ``count_include_pad``, those in the padding, never those past it that
    ``ceil_mode`` adds."""
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype=dtype)
    out = pool_output_size(x_shape, kernel, stride, padding, (1, 1), ceil_mode)
    counts = []
    for size, count, k, s, p in zip(x_shape[2:], out, kernel, stride, padding, strict=True):
        starts = np.arange(count) * s - p
        ends = np.minimum(starts + k, size + p)
        if not count_include_pad:
            starts, ends = np.maximum(starts, 0), np.minimum(ends, size)
        counts.append(ends - starts)
    divisor = (counts[0][:, None] * counts[1]).astype(dtype)
    # One number where every window counts alike (no padding, or count_include_pad without
    # ceil_mode): dividing by it is faster than by an array broadcast over the batch.
    return divisor[0, 0] if (divisor == divisor[0, 0]).all() else divisor


class AvgPool2d(Function):
    """y[n, c, i, j] = (sum of x[n, c, i*SH + u - PH, j*SW + v - PW] over the kernel
    positions (u, v), zero outside the input) / divisor[i, j], the divisor of
    :func:`average_divisor`;  dL/dx = dL/dy / divisor at each pixel of the window, summed over
    the windows that share a pixel."""

    node_name = "AvgPool2DBackward0"

    @staticmethod
    def composite(x: Tensor, kernel_size: Pair = (2, 2), stride: Pair = (2, 2),
                  padding: Pair = (0, 0), ceil_mode: bool = False,
                  count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
        padded = pool_sides(x.shape, kernel_size, stride, padding, (1, 1), ceil_mode)
        divisor = average_divisor(x.shape, kernel_size, stride, padding, ceil_mode,
                                  count_include_pad, divisor_override, x.dtype)
        return tensor_windows(x, kernel_size, stride, padded).sum((4, 5)) / divisor

    def forward(
        self,
        x: np.ndarray,
        kernel_size: Pair = (2, 2),
        stride: Pair = (2, 2),
        padding: Pair = (0, 0),
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> np.ndarray:
        self.sides = pool_sides(x.shape, kernel_size, stride, padding, (1, 1), ceil_mode)
        _check_images(x, kernel_size, self.sides)
        windows = image_windows(x, kernel_size, stride, self.sides)
        self.divisor = average_divisor(x.shape, kernel_size, stride, padding, ceil_mode,
                                       count_include_pad, divisor_override, x.dtype)
        self.kernel_size, self.x_size, self.stride = kernel_size, x.shape[2:], stride
        return reduce(np.add, _kernel_positions(windows)) / self.divisor

    def backward(self, grad: np.ndarray) -> np.ndarray:
        kh, kw = self.kernel_size
        (top, bottom), (left, right) = self.sides
        h, w = self.x_size
        # Every position of a window gets the same share: a broadcast view, not KH*KW copies.
        shares = np.broadcast_to(grad / self.divisor, (kh, kw, *grad.shape))
        return _unpadded(add_windows_back(shares, (h + top + bottom, w + left + right),
                                          self.stride), self.sides)


# ----- batch normalisation --------------------------------------------------------------------


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

    node_name = "NativeBatchNormBackward0"

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
