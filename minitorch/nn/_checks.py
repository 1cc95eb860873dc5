"""Argument checks shared by the functional forms (:mod:`minitorch.nn.functional`) and the
layers that wrap them: loss targets and class weights, reductions, token ids, shapes, and the
padding, stride and kernel arguments of convolution and pooling.

Each check raises before anything is computed, so a wrong label shape, an out-of-range
class or a NaN target is an error that says what was expected and what was given, instead
of a silently wrong or NaN result.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from minitorch import devices, dtypes
from minitorch.ops.conv import Pair, Sides, pair
from minitorch.ops.nn import REDUCTIONS
from minitorch.tensor import Tensor


def check_reduction(reduction: str, allowed: tuple[str, ...] = REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"reduction must be one of {allowed}, got {reduction!r}")


def reduction_argument(reduction: str, size_average: bool | None = None,
                       reduce: bool | None = None, allowed: tuple[str, ...] = REDUCTIONS,
                       stacklevel: int = 4) -> str:
    """The checked ``reduction``, or, where PyTorch's deprecated ``size_average`` or
    ``reduce`` is given, the reduction they mean (both default to True: "mean" when both
    hold, "sum" for ``size_average=False``, "none" for ``reduce=False``), with PyTorch's
    deprecation warning."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", UserWarning, stacklevel=stacklevel)
    check_reduction(reduction, allowed)
    return reduction


def check_positive(value: float, name: str, what: str, zero_allowed: bool = False) -> None:
    """A loss's width (``beta``, ``delta``) must be positive (or, where allowed, zero)."""
    if not (value >= 0 if zero_allowed else value > 0):
        bound = ">= 0" if zero_allowed else "> 0"
        raise ValueError(f"{name}: {what} must be {bound}, got {value!r}")


def layer_dtype(device: Any, dtype: Any) -> np.dtype:
    """The dtype a layer makes its parameters in, from PyTorch's ``device`` and ``dtype``
    arguments: ``device`` can only be the CPU (anything else raises); ``dtype`` defaults to
    the default floating dtype (float32 unless ``set_default_dtype`` changed it)."""
    if device is not None:
        devices.on_cpu(device)
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def dense_gradients(sparse: bool, name: str) -> None:
    """``sparse=True`` asks for sparse gradients, which minitorch does not have."""
    if sparse:
        raise NotImplementedError(f"{name}: sparse=True (sparse gradients) is not supported; "
                                  "minitorch's gradients are dense arrays")


def numeric_array(value: Any, name: str, what: str = "target") -> np.ndarray:
    array = value._data if isinstance(value, Tensor) else np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name}: {what} must be numeric, got dtype {array.dtype}")
    return array


def check_no_nan(array: np.ndarray, name: str, what: str) -> None:
    if np.isnan(array).any():
        raise ValueError(f"{name}: {what} contains NaN")


# ----- loss targets ---------------------------------------------------------------------------


def float_target(target: Any, prediction: Tensor, name: str) -> Tensor:
    """``target`` as a Tensor of the prediction's shape and dtype, checked for NaN.

    A Tensor target that requires grad stays in the graph."""
    array = numeric_array(target, name)
    if array.shape != prediction.shape:
        raise ValueError(
            f"{name}: expected a target of shape {prediction.shape} like the input, "
            f"got shape {array.shape}"
        )
    check_no_nan(array, name, "target")
    if isinstance(target, Tensor) and target.requires_grad:
        return target.astype(prediction.dtype)
    return Tensor._make(array.astype(prediction.dtype, copy=False), False)


def class_rows(input: Tensor, name: str, what: str) -> Tensor:
    """Predictions (N, C), (C,) or (N, C, d1, ..., dk) as rows (M, C), one per prediction:
    the class dimension (1, or 0 for a single sample) moved last."""
    if input.ndim == 2:
        return input
    if input.ndim == 1:
        return input.reshape(1, -1)
    if input.ndim == 0:
        raise ValueError(
            f"{name}: expected {what} of shape (batch, classes), (classes,) or "
            f"(batch, classes, d1, ...), got shape ()"
        )
    return input.permute(0, *range(2, input.ndim), 1).reshape(-1, input.shape[1])


def index_shape(input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of class-index targets for predictions of ``input_shape``."""
    return () if len(input_shape) == 1 else (input_shape[0], *input_shape[2:])


def class_indices(
    array: np.ndarray, num_classes: int, name: str, ignore_index: int | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Checked class labels, flattened to an integer array, and which of them count (None
    when all do: none equals ``ignore_index``). An ignored position holds class 0, so it can
    still be used as an index."""
    array = array.reshape(-1)
    if array.dtype.kind == "b":
        raise ValueError(f"{name}: class indices must be integers, got booleans")
    if array.dtype.kind == "f":
        check_no_nan(array, name, "target")
        fractional = np.flatnonzero(array != np.round(array))
        if fractional.size:
            i = int(fractional[0])
            raise ValueError(
                f"{name}: class indices must be whole numbers, got {array[i]} at position {i}"
            )
    if not array.size:
        return array.astype(np.intp, copy=False), None
    # The smallest and largest label settle the usual case on their own: every label in
    # range and ignore_index (-100 by default) outside [smallest, largest], so none ignored.
    smallest, largest = np.minimum.reduce(array), np.maximum.reduce(array)
    keep = None
    if ignore_index is not None and smallest <= ignore_index <= largest:
        keep = array != ignore_index
        counted = array[keep]
        if counted.size:
            smallest, largest = counted.min(), counted.max()
        else:
            smallest = largest = 0  # every label ignored: nothing to check
    if smallest < 0 or largest >= num_classes:
        bad = (array < 0) | (array >= num_classes)
        i = int(np.flatnonzero(bad if keep is None else bad & keep)[0])
        raise ValueError(
            f"{name}: class index {array[i]:g} at position {i} is out of range for "
            f"{num_classes} classes (expected 0..{num_classes - 1})"
        )
    indices = array.astype(np.intp, copy=False)
    if keep is not None:
        indices = np.where(keep, indices, 0)
    return indices, keep


def classification_target(
    target: Any, input: Tensor, name: str, probabilities_allowed: bool
) -> np.ndarray | Tensor:
    """The target checked against the predictions ``input``: class indices (an array of
    the input's shape without the class dimension) or, where allowed, class probabilities
    (a Tensor of the input's shape)."""
    array = numeric_array(target, name)
    indices_shape = index_shape(input.shape)
    is_indices = array.ndim == len(indices_shape)
    is_probabilities = probabilities_allowed and array.ndim == input.ndim
    if input.ndim >= 2 and (is_indices or is_probabilities) and len(array) != input.shape[0]:
        raise ValueError(
            f"{name}: target has batch size {len(array)} but the input has batch size "
            f"{input.shape[0]}"
        )
    if is_indices and array.shape == indices_shape:
        return array
    if is_probabilities:
        return float_target(target, input, name)
    expected = f"class indices of shape {indices_shape}"
    if probabilities_allowed:
        expected += f" or class probabilities of shape {input.shape}"
    raise ValueError(f"{name}: expected {expected}, got a target of shape {array.shape}")


def class_weight(weight: Any, num_classes: int, dtype: np.dtype, name: str) -> np.ndarray | None:
    """The per-class ``weight`` as a checked array of ``num_classes`` values in ``dtype``."""
    if weight is None:
        return None
    array = numeric_array(weight, name, "weight").astype(dtype, copy=False)
    if array.shape != (num_classes,):
        raise ValueError(
            f"{name}: expected a class weight of shape ({num_classes},), one per class, got "
            f"shape {array.shape}"
        )
    check_no_nan(array, name, "weight")
    return array


# ----- sequences ------------------------------------------------------------------------------


def token_ids(input: Any, vocabulary: int) -> np.ndarray:
    """The ids as an integer array, each checked to be a row of a table of ``vocabulary``."""
    ids = input._data if isinstance(input, Tensor) else np.asarray(input)
    if ids.dtype.kind not in "iu":
        raise TypeError(
            f"embedding ids must be an integer tensor (int64, as from torch.long), got dtype "
            f"{ids.dtype}"
        )
    if ids.size:
        smallest, largest = ids.min(), ids.max()
        bad = smallest if smallest < 0 else largest if largest >= vocabulary else None
        if bad is not None:
            raise IndexError(
                f"embedding id {int(bad)} is out of range for a vocabulary of size "
                f"{vocabulary} (ids must be in [0, {vocabulary - 1}])"
            )
    return ids


def padding_index(padding_idx: int, vocabulary: int) -> int:
    """``padding_idx`` as a row index; a negative one counts from the end, as in PyTorch."""
    if not -vocabulary <= padding_idx < vocabulary:
        raise ValueError(
            f"padding_idx must be within the {vocabulary} embeddings ([{-vocabulary}, "
            f"{vocabulary - 1}]), got {padding_idx}"
        )
    return padding_idx % vocabulary


def shape_tuple(shape: int | Sequence[int]) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)


# ----- images ---------------------------------------------------------------------------------


def conv_padding(padding: Any, kernel: Pair, stride: Pair, dilation: Pair) -> Sides:
    """A convolution's ``padding`` argument as PyTorch reads it, per side: an int or a pair
    pads both sides alike; ``'valid'`` is no padding; ``'same'`` (stride 1 only) keeps the
    output the size of the input, padding D * (K - 1) pixels along each axis, the odd one (if
    any) at the bottom or right."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(
                f"padding must be 'valid', 'same', an int or a pair of ints, got {padding!r}"
            )
        if stride != (1, 1):
            raise ValueError(
                f"padding='same' is not supported for strided convolutions (stride must be 1, "
                f"got stride={stride})"
            )
        (top_bottom, left_right) = (d * (k - 1) for k, d in zip(kernel, dilation, strict=True))
        return ((top_bottom // 2, top_bottom - top_bottom // 2),
                (left_right // 2, left_right - left_right // 2))
    height, width = pair(padding, "padding", 0)
    return (height, height), (width, width)


def pool_arguments(kernel_size: Any, stride: Any, padding: Any) -> tuple[Pair, Pair, Pair]:
    """A pooling's kernel size, stride (None: the kernel size, windows side by side) and
    padding as pairs; the padding at most half the kernel, as PyTorch requires."""
    kernel = pair(kernel_size, "kernel_size", 1)
    step = kernel if stride is None else pair(stride, "stride", 1)
    pad = pair(padding, "padding", 0)
    if pad[0] > kernel[0] // 2 or pad[1] > kernel[1] // 2:
        raise ValueError(
            f"padding should be at most half of kernel_size, got padding={padding!r} and "
            f"kernel_size={kernel_size!r} (padding <= {(kernel[0] // 2, kernel[1] // 2)})"
        )
    return kernel, step, pad


def output_size_pair(output_size: Any, input_size: tuple[int, int], name: str) -> Pair:
    """An adaptive pooling's ``output_size`` (an int, or a pair whose None keeps that side of
    the input) as a pair of sizes >= 0."""
    sizes = (output_size, output_size) if isinstance(output_size, (int, np.integer)) else (
        output_size)
    if (isinstance(output_size, bool) or not isinstance(sizes, Sequence) or len(sizes) != 2
            or not all(s is None or (isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                                     and s >= 0) for s in sizes)):
        raise ValueError(f"{name}: output_size must be an int >= 0 or a pair of them (None keeps "
                         f"that side of the input), got {output_size!r}")
    return tuple(n if s is None else int(s) for s, n in zip(sizes, input_size, strict=True))


def pad_sides(padding: Any, name: str) -> tuple[int, int, int, int]:
    """A 2-D padding layer's ``padding``: an int for every side, or (left, right, top,
    bottom)."""
    sides = (padding,) * 4 if isinstance(padding, (int, np.integer)) else padding
    if (isinstance(padding, bool) or not isinstance(sides, Sequence) or len(sides) != 4
            or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                       for s in sides)):
        raise ValueError(f"{name} padding must be an int or 4 ints (left, right, top, bottom), "
                         f"got {padding!r}")
    return tuple(int(s) for s in sides)
