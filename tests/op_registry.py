"""One registry of differentiable ops: each entry says how to draw inputs, how minitorch
computes the op and how NumPy does. tests/test_ops.py checks every entry's forward against
NumPy and its backward against gradcheck, so adding an op here adds its tests.

Inputs are kept off kinks and singularities (|x| >= 0.1 for relu and abs, positive for log
and sqrt, distinct values for max, ...) where finite differences would be meaningless.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from image_references import avg_pool2d_loops, conv2d_loops, max_pool2d_loops

import minitorch as mt
from minitorch.nn import functional as F
from minitorch.ops import nn as fused

Inputs = tuple[list[np.ndarray], dict[str, Any]]


@dataclass(frozen=True)
class OpSpec:
    name: str
    fn: Callable[..., mt.Tensor]
    reference: Callable[..., np.ndarray]
    draw: Callable[[st.DataObject], Inputs]

    def __repr__(self) -> str:
        return self.name


# ----- value domains: raw values in [-2, 2] mapped onto where the op is smooth ------------


def anywhere(x: np.ndarray) -> np.ndarray:
    return x


def off_zero(x: np.ndarray) -> np.ndarray:
    return np.where(x >= 0, x + 0.1, x - 0.1)


def positive(x: np.ndarray) -> np.ndarray:
    return np.abs(x) + 0.1


def distinct(x: np.ndarray) -> np.ndarray:
    """Values 0.25 apart in an order hypothesis chooses: no ties for max and min."""
    ranks = np.argsort(np.argsort(x.reshape(-1), kind="stable"), kind="stable")
    return (ranks * 0.25 - 1.0).reshape(x.shape)


SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def draw_array(data: st.DataObject, shape: tuple[int, ...], domain=anywhere) -> np.ndarray:
    raw = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2, width=64)))
    return domain(raw)


def draw_axis(data: st.DataObject, ndim: int) -> int | tuple[int, ...] | None:
    if ndim == 0:
        return None
    return data.draw(
        st.none()
        | st.integers(-ndim, ndim - 1)
        | st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)
    )


# ----- families of ops --------------------------------------------------------------------


def unary(name, fn, reference, domain=anywhere, shapes=SHAPES) -> OpSpec:
    def draw(data: st.DataObject) -> Inputs:
        return [draw_array(data, data.draw(shapes), domain)], {}

    return OpSpec(name, fn, reference, draw)


def on_grid(x: np.ndarray) -> np.ndarray:
    """Multiples of 0.5; paired with off_grid, two inputs are never within 0.25."""
    return np.round(x * 2) / 2


def off_grid(x: np.ndarray) -> np.ndarray:
    return np.round(x * 2) / 2 + 0.25


def binary(name, fn, reference, domain_a=anywhere, domain_b=anywhere) -> OpSpec:
    def draw(data: st.DataObject) -> Inputs:
        shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
        a, b = (draw_array(data, s, d) for s, d in zip(shapes.input_shapes, (domain_a, domain_b)))
        return [a, b], {}

    return OpSpec(name, fn, reference, draw)


def reduction(name, fn, reference, domain=anywhere) -> OpSpec:
    def draw(data: st.DataObject) -> Inputs:
        x = draw_array(data, data.draw(SHAPES), domain)
        return [x], {"axis": draw_axis(data, x.ndim), "keepdims": data.draw(st.booleans())}

    return OpSpec(name, fn, reference, draw)


def along_axis(name, fn, reference, domain=anywhere) -> OpSpec:
    def draw(data: st.DataObject) -> Inputs:
        shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
        x = draw_array(data, shape, domain)
        return [x], {"axis": data.draw(st.integers(-x.ndim, x.ndim - 1))}

    return OpSpec(name, fn, reference, draw)


# ----- ops with their own inputs ----------------------------------------------------------


def draw_matmul(data: st.DataObject) -> Inputs:
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    batch = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    kind_a, kind_b = data.draw(st.sampled_from(["vector", "matrix", "batched"])), data.draw(
        st.sampled_from(["vector", "matrix", "batched"])
    )
    a_shape = {"vector": (k,), "matrix": (n, k), "batched": batch.input_shapes[0] + (n, k)}[kind_a]
    b_shape = {"vector": (k,), "matrix": (k, m), "batched": batch.input_shapes[1] + (k, m)}[kind_b]
    return [draw_array(data, a_shape), draw_array(data, b_shape)], {}


def draw_reshape(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES))
    sizes = [d for d in range(1, x.size + 1) if x.size % d == 0]
    first = data.draw(st.sampled_from(sizes))
    return [x], {"shape": (first, -1)}


def draw_permute(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES))
    return [x], {"axes": tuple(data.draw(st.permutations(range(x.ndim))))}


def draw_expand(data: st.DataObject) -> Inputs:
    shape = data.draw(SHAPES)
    target = data.draw(hnp.broadcastable_shapes(shape, max_dims=4, max_side=4).filter(
        lambda s: np.broadcast_shapes(s, shape) == s))
    return [draw_array(data, shape)], {"shape": target}


def draw_basic_index(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5)))
    return [x], {"index": data.draw(hnp.basic_indices(x.shape, allow_newaxis=True))}


def draw_integer_index(data: st.DataObject) -> Inputs:
    """Integer-array indices with repeats, whose gradients must add up."""
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    index = data.draw(hnp.integer_array_indices(x.shape, result_shape=hnp.array_shapes(max_dims=2)))
    return [x], {"index": index}


def draw_bool_index(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    return [x], {"index": data.draw(hnp.arrays(bool, x.shape))}


def draw_join(data: st.DataObject) -> Inputs:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    count = data.draw(st.integers(1, 3))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(count):
        own = list(shape)
        own[axis] = data.draw(st.integers(1, 3))
        arrays.append(draw_array(data, tuple(own)))
    return arrays, {"axis": axis}


def draw_stack(data: st.DataObject) -> Inputs:
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    count = data.draw(st.integers(1, 3))
    return [draw_array(data, shape) for _ in range(count)], {
        "axis": data.draw(st.integers(-len(shape) - 1, len(shape)))
    }


def draw_where(data: st.DataObject) -> Inputs:
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4))
    cond_shape, a_shape, b_shape = shapes.input_shapes
    cond = data.draw(hnp.arrays(bool, cond_shape))
    return [draw_array(data, a_shape), draw_array(data, b_shape)], {"condition": cond}


def draw_clamp(data: st.DataObject) -> Inputs:
    # bounds sit at -0.5 and 0.5; values are kept 0.05 away from both
    x = draw_array(data, data.draw(SHAPES))
    x = np.where(np.abs(np.abs(x) - 0.5) < 0.05, x + 0.1, x)
    bounds = data.draw(st.sampled_from([(-0.5, 0.5), (-0.5, None), (None, 0.5)]))
    return [x], {"min": bounds[0], "max": bounds[1]}


def draw_scalar_power(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES), positive)
    return [x], {"exponent": data.draw(st.sampled_from([2, 3, 0.5, -1, -1.5, 1.7]))}


def draw_var(data: st.DataObject) -> Inputs:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    x = draw_array(data, shape, distinct)  # no zero spread, where std has no derivative
    return [x], {"axis": draw_axis(data, x.ndim), "keepdims": data.draw(st.booleans()),
                 "ddof": data.draw(st.sampled_from([0, 1]))}


def draw_layer_norm(data: st.DataObject) -> Inputs:
    normalized = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=2, max_side=4))
    leading = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    # distinct values: a constant row has no spread, and float32 rounding of its mean is
    # then magnified by 1 / sqrt(eps)
    x = draw_array(data, leading + normalized, distinct)
    return [x, draw_array(data, normalized), draw_array(data, normalized)], {}


def draw_embedding(data: st.DataObject) -> Inputs:
    vocabulary, width = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 3))
    ids_shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4))
    ids = data.draw(hnp.arrays(np.int64, ids_shape, elements=st.integers(0, vocabulary - 1)))
    # No padding_idx: its row is left out of the gradient on purpose, which finite
    # differences cannot agree with (tests/test_sequence.py checks it).
    return [draw_array(data, (vocabulary, width))], {"ids": ids}


def draw_attention(data: st.DataObject) -> Inputs:
    """Query, key and value with broadcast batch axes, and one of: no mask, the causal mask,
    a boolean mask (every query keeps key 0, so no row is all masked) or a float mask, which
    is an input of its own and gets its gradient checked."""
    batch = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=2, max_side=2))
    queries, keys = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    width, value_width = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    q_batch, k_batch, v_batch = batch.input_shapes
    arrays = [draw_array(data, q_batch + (queries, width)),
              draw_array(data, k_batch + (keys, width)),
              draw_array(data, v_batch + (keys, value_width))]
    kind = data.draw(st.sampled_from(["none", "causal", "bool", "float"]))
    options: dict[str, Any] = {"is_causal": kind == "causal", "scale": None}
    if kind == "bool":
        mask = data.draw(hnp.arrays(bool, (queries, keys)))
        mask[:, 0] = True
        options["attn_mask"] = mask
    elif kind == "float":
        arrays.append(draw_array(data, (queries, keys)))
    else:
        options["scale"] = data.draw(st.sampled_from([None, 0.5]))
    return arrays, options


def _np_attention(query, key, value, attn_mask=None, is_causal=False, scale=None):
    scores = query @ np.swapaxes(key, -1, -2) * (scale or 1 / np.sqrt(query.shape[-1]))
    if is_causal:
        attn_mask = np.tril(np.ones(scores.shape[-2:], dtype=bool))
    if attn_mask is not None:
        scores = np.where(attn_mask, scores, -np.inf) if attn_mask.dtype == bool else (
            scores + attn_mask)
    return _np_softmax(scores, -1) @ value


def draw_recurrent_step(gates: int):
    """Gate pre-activations from the input and from the state, and the state (the cell state
    of an LSTM, the hidden state of a GRU), for a batch of 1-3 and 1-3 units."""

    def draw(data: st.DataObject) -> Inputs:
        batch = data.draw(hnp.array_shapes(min_dims=0, max_dims=1, max_side=3))
        hidden = data.draw(st.integers(1, 3))
        shape = batch + (gates * hidden,)
        return [draw_array(data, shape), draw_array(data, shape),
                draw_array(data, batch + (hidden,))], {}

    return draw


def _np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _np_lstm_step(gates_x, gates_h, c):
    i, f, g, o = np.split(gates_x + gates_h, 4, axis=-1)
    c_next = _np_sigmoid(f) * c + _np_sigmoid(i) * np.tanh(g)
    return np.stack([_np_sigmoid(o) * np.tanh(c_next), c_next])


def _np_gru_step(gates_x, gates_h, h):
    x_r, x_z, x_n = np.split(gates_x, 3, axis=-1)
    h_r, h_z, h_n = np.split(gates_h, 3, axis=-1)
    r, z = _np_sigmoid(x_r + h_r), _np_sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


def _np_layer_norm(x, weight, bias):
    axes = tuple(range(x.ndim - weight.ndim, x.ndim))
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * weight + bias


_np_erf = np.vectorize(math.erf, otypes=[np.float64])


def _np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis if axis is not None else None)


def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_squeeze_all(x):
    return np.squeeze(x)


def _small_pairs(data: st.DataObject, low: int, high: int) -> tuple[int, int]:
    return data.draw(st.integers(low, high)), data.draw(st.integers(low, high))


def _image(data: st.DataObject, channels: int, kernel: tuple[int, int],
           dilation: tuple[int, int], padding: Any, domain=anywhere) -> np.ndarray:
    """A batch of 1 or 2 images of ``channels``, each side from the smallest that fits a
    dilated window (with ``padding`` on both sides) to a little more. Never narrower than the
    dilation: a window's taps could then all miss the input, which leaves max pooling without
    a maximum."""
    sizes = []
    for k, d, p in zip(kernel, dilation, np.broadcast_to(padding, 2)):
        reach = d * (k - 1) + 1
        sizes.append(data.draw(st.integers(max(1, d, reach - 2 * int(p)), reach + 2)))
    return draw_array(data, (data.draw(st.integers(1, 2)), channels, *sizes), domain)


def draw_conv2d(data: st.DataObject) -> Inputs:
    """Groups, dilation, stride and every kind of padding ('same' with stride 1, as PyTorch
    requires), with or without a bias."""
    groups, group_in, group_out = (data.draw(st.integers(1, 2)) for _ in range(3))
    kernel, dilation = _small_pairs(data, 1, 3), _small_pairs(data, 1, 2)
    padding = data.draw(st.sampled_from([0, 1, (1, 0), "valid", "same"]))
    stride = 1 if padding == "same" else _small_pairs(data, 1, 2)
    fitting = {"same": [d * (k - 1) // 2 for k, d in zip(kernel, dilation)], "valid": 0}
    arrays = [_image(data, groups * group_in, kernel, dilation, fitting.get(padding, padding)),
              draw_array(data, (groups * group_out, group_in, *kernel))]
    if data.draw(st.booleans()):
        arrays.append(draw_array(data, (groups * group_out,)))
    return arrays, {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


def draw_max_pool2d(data: st.DataObject) -> Inputs:
    kernel, dilation, stride = _small_pairs(data, 1, 3), _small_pairs(data, 1, 2), (
        data.draw(st.none() | st.integers(1, 3)))
    padding = tuple(data.draw(st.integers(0, k // 2)) for k in kernel)
    x = _image(data, data.draw(st.integers(1, 2)), kernel, dilation, padding, distinct)
    return [x], {"kernel_size": kernel, "stride": stride, "padding": padding,
                 "dilation": dilation, "ceil_mode": data.draw(st.booleans())}


def draw_avg_pool2d(data: st.DataObject) -> Inputs:
    kernel, stride = _small_pairs(data, 1, 3), data.draw(st.none() | st.integers(1, 3))
    padding = tuple(data.draw(st.integers(0, k // 2)) for k in kernel)
    x = _image(data, data.draw(st.integers(1, 2)), kernel, (1, 1), padding)
    return [x], {"kernel_size": kernel, "stride": stride, "padding": padding,
                 "ceil_mode": data.draw(st.booleans()),
                 "count_include_pad": data.draw(st.booleans()),
                 "divisor_override": data.draw(st.sampled_from([None, 3]))}


def draw_pad(data: st.DataObject) -> Inputs:
    """Every mode on the last one or two axes, cropping too (a negative amount), within each
    mode's limits (reflect: less than the axis length, circular: at most it)."""
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=2, max_dims=4, min_side=2,
                                                    max_side=4)))
    mode = data.draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    amounts = []
    for length in x.shape[::-1][: data.draw(st.integers(1, 2))]:
        crop = data.draw(st.integers(0, 1))
        limit = length - crop - (mode == "reflect")
        amounts += [-crop, data.draw(st.integers(0, limit))][:: data.draw(st.sampled_from([1, -1]))]
    value = data.draw(st.sampled_from([None, 1.5])) if mode == "constant" else None
    return [x], {"pad": tuple(amounts), "mode": mode, "value": value}


_NUMPY_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
                    "circular": "wrap"}


def _np_pad(x, pad, mode, value):
    """Crop the negative amounts first, then pad the others with np.pad's mode of that name."""
    pairs = [(pad[i], pad[i + 1]) for i in range(len(pad) - 2, -1, -2)]
    pairs = [(0, 0)] * (x.ndim - len(pairs)) + pairs
    x = x[tuple(slice(max(-a, 0), n - max(-b, 0)) for (a, b), n in zip(pairs, x.shape))]
    widths = [(max(a, 0), max(b, 0)) for a, b in pairs]
    if mode == "constant":
        return np.pad(x, widths, constant_values=value or 0)
    return np.pad(x, widths, mode=_NUMPY_PAD_MODES[mode])


def draw_triangle(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=2, max_dims=3, max_side=4)))
    return [x], {"diagonal": data.draw(st.integers(-2, 2))}


def draw_view_as(data: st.DataObject) -> Inputs:
    [x], options = draw_reshape(data)
    first = options["shape"][0]
    return [x], {"other": np.empty((first, x.size // first))}


def draw_masked_fill(data: st.DataObject) -> Inputs:
    """A mask that broadcasts against x, possibly to a larger shape."""
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    x_shape, mask_shape = shapes.input_shapes
    return [draw_array(data, x_shape)], {"mask": data.draw(hnp.arrays(bool, mask_shape))}


def draw_sort(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES), distinct)  # ties would swap under perturbation
    return [x], {"dim": data.draw(st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1)),
                 "descending": data.draw(st.booleans())}


def draw_topk(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)),
                   distinct)
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    return [x], {"k": data.draw(st.integers(0, x.shape[dim])), "dim": dim,
                 "largest": data.draw(st.booleans())}


def draw_split(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    return [x], {"size": data.draw(st.integers(1, 5)), "dim": dim}


def _np_sort(x, dim, descending):
    if x.ndim == 0:
        return x
    ordered = np.sort(x, axis=dim)
    return np.flip(ordered, dim) if descending else ordered


def _np_topk(x, k, dim, largest):
    return np.take(_np_sort(x, dim, largest), np.arange(k), axis=dim)


def _weigh_pieces(pieces, dim):
    """Piece i times i + 1, joined again: checks every piece's values and gradient."""
    return [piece * (i + 1) for i, piece in enumerate(pieces)], dim


def _np_split_weighted(x, size, dim):
    weights = np.arange(x.shape[dim]) // size + 1
    return x * np.expand_dims(weights, tuple(a for a in range(x.ndim) if a != dim % x.ndim))


def _split_weighted(x, size, dim):
    return mt.cat(*_weigh_pieces(x.split(size, dim), dim))


def _chunk_weighted(x, size, dim):
    # chunk(n) cuts pieces of ceil(length / n): the chunk count that gives pieces of ``size``
    chunks = -(-x.shape[dim] // size)
    return mt.cat(*_weigh_pieces(x.chunk(chunks, dim), dim))


def _np_chunk_weighted(x, size, dim):
    chunks = -(-x.shape[dim] // size)
    return _np_split_weighted(x, -(-x.shape[dim] // chunks), dim)


OPS: list[OpSpec] = [
    # binary arithmetic
    binary("add", lambda a, b: a + b, np.add),
    binary("sub", lambda a, b: a - b, np.subtract),
    binary("mul", lambda a, b: a * b, np.multiply),
    binary("div", lambda a, b: a / b, np.divide, domain_b=off_zero),
    binary("pow", lambda a, b: a**b, np.power, domain_a=positive),
    binary("maximum", mt.maximum, np.maximum, on_grid, off_grid),
    binary("minimum", mt.minimum, np.minimum, on_grid, off_grid),
    OpSpec("where", lambda a, b, condition: mt.where(condition, a, b),
           lambda a, b, condition: np.where(condition, a, b), draw_where),
    # reflected forms with Python numbers and arrays
    unary("radd", lambda x: 2.5 + x, lambda x: 2.5 + x),
    unary("rsub", lambda x: 2.5 - x, lambda x: 2.5 - x),
    unary("rmul", lambda x: 2.5 * x, lambda x: 2.5 * x),
    unary("rtruediv", lambda x: 2.5 / x, lambda x: 2.5 / x, domain=off_zero),
    unary("rpow", lambda x: 2.5**x, lambda x: 2.5**x),
    unary("array_mul", lambda x: np.full(x.shape, 1.5, x.dtype) * x, lambda x: 1.5 * x),
    OpSpec("scalar_pow", lambda x, exponent: x**exponent, lambda x, exponent: x**exponent,
           draw_scalar_power),
    # unary
    unary("neg", lambda x: -x, np.negative),
    unary("exp", mt.Tensor.exp, np.exp),
    unary("log", mt.Tensor.log, np.log, domain=positive),
    unary("sqrt", mt.Tensor.sqrt, np.sqrt, domain=positive),
    unary("abs", mt.Tensor.abs, np.abs, domain=off_zero),
    unary("tanh", mt.Tensor.tanh, np.tanh),
    unary("sigmoid", mt.Tensor.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    unary("relu", mt.Tensor.relu, lambda x: np.maximum(x, 0), domain=off_zero),
    unary("leaky_relu", lambda x: x.leaky_relu(0.2), lambda x: np.where(x > 0, x, 0.2 * x),
          domain=off_zero),
    OpSpec("clamp", lambda x, min, max: x.clamp(min, max),
           lambda x, min, max: np.clip(x, min, max), draw_clamp),
    unary("erf", mt.Tensor.erf, _np_erf),
    unary("gelu", F.gelu, lambda x: 0.5 * x * (1 + _np_erf(x / np.sqrt(2)))),
    unary("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
          lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))),
    unary("silu", F.silu, lambda x: x / (1 + np.exp(-x))),
    # reductions
    reduction("sum", mt.Tensor.sum, np.sum),
    reduction("mean", mt.Tensor.mean, np.mean),
    reduction("amax", lambda x, axis, keepdims: x.amax(axis, keepdims), np.max, domain=distinct),
    reduction("amin", lambda x, axis, keepdims: x.amin(axis, keepdims), np.min, domain=distinct),
    unary("max_all", mt.Tensor.max, np.max, domain=distinct),
    along_axis("max_dim_values", lambda x, axis: x.max(axis).values,
               lambda x, axis: np.max(x, axis=axis), domain=distinct),
    along_axis("min_dim_values_keepdim", lambda x, axis: x.min(dim=axis, keepdim=True).values,
               lambda x, axis: np.min(x, axis=axis, keepdims=True), domain=distinct),
    reduction("logsumexp", mt.Tensor.logsumexp, _np_logsumexp),
    OpSpec("var", mt.Tensor.var, np.var, draw_var),
    OpSpec("std", mt.Tensor.std, np.std, draw_var),
    along_axis("softmax", mt.Tensor.softmax, _np_softmax),
    along_axis("log_softmax", mt.Tensor.log_softmax, lambda x, axis: np.log(_np_softmax(x, axis))),
    # sequence layers
    OpSpec("layer_norm", lambda x, w, b: F.layer_norm(x, w.shape, w, b), _np_layer_norm,
           draw_layer_norm),
    OpSpec("embedding", lambda w, ids: F.embedding(ids, w), lambda w, ids: w[ids],
           draw_embedding),
    OpSpec("lstm_step", fused.LSTMStep.apply, _np_lstm_step, draw_recurrent_step(4)),
    OpSpec("gru_step", fused.GRUStep.apply, _np_gru_step, draw_recurrent_step(3)),
    OpSpec("scaled_dot_product_attention",
           lambda q, k, v, *mask, **options: F.scaled_dot_product_attention(
               q, k, v, *mask, **options),
           _np_attention, draw_attention),
    # image layers
    OpSpec("conv2d", lambda x, w, *bias, **options: F.conv2d(x, w, *bias, **options),
           conv2d_loops, draw_conv2d),
    OpSpec("max_pool2d", F.max_pool2d, max_pool2d_loops, draw_max_pool2d),
    OpSpec("avg_pool2d", F.avg_pool2d, avg_pool2d_loops, draw_avg_pool2d),
    OpSpec("pad", F.pad, _np_pad, draw_pad),
    # matrix product
    OpSpec("matmul", lambda a, b: a @ b, np.matmul, draw_matmul),
    # shape
    OpSpec("reshape", lambda x, shape: x.reshape(shape), np.reshape, draw_reshape),
    OpSpec("permute", lambda x, axes: x.permute(axes), np.transpose, draw_permute),
    unary("T", lambda x: x.T, lambda x: x.T),
    unary("swapaxes", lambda x: x.swapaxes(0, -1), lambda x: np.swapaxes(x, 0, -1),
          shapes=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)),
    unary("squeeze", mt.Tensor.squeeze, _np_squeeze_all,
          shapes=hnp.array_shapes(min_dims=0, max_dims=4, max_side=2)),
    unary("unsqueeze", lambda x: x.unsqueeze(-1), lambda x: np.expand_dims(x, -1)),
    unary("flatten", mt.Tensor.flatten, lambda x: x.reshape(-1)),
    OpSpec("expand", lambda x, shape: x.expand(shape), np.broadcast_to, draw_expand),
    # indexing
    OpSpec("getitem_basic", lambda x, index: x[index], lambda x, index: x[index],
           draw_basic_index),
    OpSpec("getitem_integer", lambda x, index: x[index], lambda x, index: x[index],
           draw_integer_index),
    OpSpec("getitem_bool", lambda x, index: x[index], lambda x, index: x[index],
           draw_bool_index),
    # joining
    OpSpec("concatenate", lambda *xs, axis: mt.concatenate(xs, axis=axis),
           lambda *xs, axis: np.concatenate(xs, axis=axis), draw_join),
    OpSpec("stack", lambda *xs, axis: mt.stack(xs, axis=axis),
           lambda *xs, axis: np.stack(xs, axis=axis), draw_stack),
    # PyTorch parity: logs, triangles, masks, sorting, splitting
    unary("log10", mt.Tensor.log10, np.log10, domain=positive),
    unary("log2", mt.Tensor.log2, np.log2, domain=positive),
    unary("t", mt.Tensor.t, lambda x: x.T,
          shapes=hnp.array_shapes(min_dims=0, max_dims=2, max_side=4)),
    OpSpec("view_as", mt.Tensor.view_as, lambda x, other: x.reshape(other.shape),
           draw_view_as),
    OpSpec("tril", mt.tril, lambda x, diagonal: np.tril(x, diagonal), draw_triangle),
    OpSpec("triu", mt.triu, lambda x, diagonal: np.triu(x, diagonal), draw_triangle),
    OpSpec("masked_fill", lambda x, mask: x.masked_fill(mask, -1.5),
           lambda x, mask: np.where(mask, -1.5, x), draw_masked_fill),
    OpSpec("sort", lambda x, dim, descending: x.sort(dim, descending).values, _np_sort,
           draw_sort),
    OpSpec("topk", lambda x, k, dim, largest: x.topk(k, dim, largest).values, _np_topk,
           draw_topk),
    OpSpec("split", _split_weighted, _np_split_weighted, draw_split),
    OpSpec("chunk", _chunk_weighted, _np_chunk_weighted, draw_split),
]


# ----- gathering, scattering, shape and math from the Tensor API parity set ---------------


def _index_shape_within(data: st.DataObject, shape: tuple[int, ...], dim: int) -> tuple:
    """An index shape no longer than ``shape`` except along ``dim``, as gather requires."""
    return tuple(data.draw(st.integers(1, 4)) if d == dim % len(shape) else
                 data.draw(st.integers(1, n)) for d, n in enumerate(shape))


def draw_gather(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    index = data.draw(hnp.arrays(np.int64, _index_shape_within(data, x.shape, dim),
                                 elements=st.integers(0, x.shape[dim] - 1)))
    return [x], {"dim": dim, "index": index}


def draw_scatter(data: st.DataObject) -> Inputs:
    """x, a source at least as large as the index, and an index whose positions along dim
    are distinct in each line (a position written twice keeps one of the values, so the
    other would get a gradient that finite differences do not see)."""
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1)) % x.ndim
    shape = list(_index_shape_within(data, x.shape, dim))
    shape[dim] = data.draw(st.integers(1, x.shape[dim]))
    lines = np.argsort(data.draw(hnp.arrays(np.float64, tuple(shape[:dim]) + (x.shape[dim],)
                                            + tuple(shape[dim + 1:]),
                                            elements=st.floats(0, 1))), axis=dim, kind="stable")
    index = np.take(lines, np.arange(shape[dim]), axis=dim)
    src = draw_array(data, tuple(n + data.draw(st.integers(0, 1)) for n in shape))
    return [x, src], {"dim": dim, "index": index}


def _at_index(index: np.ndarray, dim: int) -> tuple:
    """Where gather and scatter look: position (i, ..., j) of index names
    (i, ..., index[i, ..., j], ..., j)."""
    positions = list(np.indices(index.shape, sparse=True))
    positions[dim] = index
    return tuple(positions)


def _np_gather(x, dim, index):
    return x[_at_index(index, dim)]


def _np_scatter(x, src, dim, index, add=False):
    out = x.copy()
    positions = _at_index(index, dim)
    values = src[tuple(slice(0, n) for n in index.shape)]
    if add:
        np.add.at(out, positions, values)
    else:
        out[positions] = values
    return out


def draw_index_select(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    index = data.draw(hnp.arrays(np.int64, data.draw(st.integers(0, 5)),
                                 elements=st.integers(0, x.shape[dim] - 1)))
    return [x], {"dim": dim, "index": index}


def draw_take_along_dim(data: st.DataObject) -> Inputs:
    """Indices that broadcast against x in the dimensions other than dim."""
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1)) % x.ndim
    shape = [data.draw(st.sampled_from([1, n])) for n in x.shape]
    shape[dim] = data.draw(st.integers(1, 3))
    index = data.draw(hnp.arrays(np.int64, tuple(shape),
                                 elements=st.integers(0, x.shape[dim] - 1)))
    return [x], {"indices": index, "dim": dim}


def draw_narrow(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    start = data.draw(st.integers(0, x.shape[dim]))
    return [x], {"dim": dim, "start": start,
                 "length": data.draw(st.integers(0, x.shape[dim] - start))}


def draw_dim(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    return [x], {"dim": data.draw(st.integers(-x.ndim, x.ndim - 1))}


def _unbind_weighted(x, dim):
    return mt.stack(*_weigh_pieces(x.unbind(dim), dim))


def _np_unbind_weighted(x, dim):
    weights = np.arange(1, x.shape[dim] + 1)
    return x * np.expand_dims(weights, tuple(a for a in range(x.ndim) if a != dim % x.ndim))


def draw_flip(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES))
    return [x], {"dims": tuple(data.draw(st.lists(st.integers(0, max(x.ndim - 1, 0)),
                                                  max_size=x.ndim, unique=True)))}


def draw_roll(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    if data.draw(st.booleans()):
        return [x], {"shifts": data.draw(st.integers(-5, 5)), "dims": None}
    dims = tuple(data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1,
                                    max_size=x.ndim)))
    return [x], {"shifts": tuple(data.draw(st.integers(-5, 5)) for _ in dims), "dims": dims}


def draw_repeat(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES))
    extra = data.draw(st.integers(0, 1))
    return [x], {"sizes": tuple(data.draw(st.integers(0, 3)) for _ in range(x.ndim + extra))}


def draw_repeat_interleave(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    dim = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    length = x.size if dim is None else x.shape[dim]
    repeats = data.draw(st.integers(0, 3) | hnp.arrays(np.int64, length,
                                                       elements=st.integers(0, 3)))
    return [x], {"repeats": repeats, "dim": dim}


def _np_repeat_interleave(x, repeats, dim):
    return np.repeat(x.reshape(-1) if dim is None else x, repeats, axis=dim or 0)


def draw_diagonal(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=2, max_dims=3, max_side=4)))
    dim1, dim2 = data.draw(st.permutations(range(x.ndim)))[:2]
    return [x], {"offset": data.draw(st.integers(-3, 3)), "dim1": dim1, "dim2": dim2}


def draw_diag(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)))
    return [x], {"diagonal": data.draw(st.integers(-2, 2))}


def draw_two_vectors(data: st.DataObject) -> Inputs:
    return [draw_array(data, (data.draw(st.integers(1, 4)),)) for _ in range(2)], {}


def off_steps(x: np.ndarray) -> np.ndarray:
    """Multiples of 0.5 plus 0.3: never within 0.2 of a step of floor, ceil, trunc, round
    or sign (nor of round's steps at one decimal)."""
    return np.round(x * 2) / 2 + 0.3


def draw_stepwise(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES), off_steps)
    function = data.draw(st.sampled_from(["floor", "ceil", "trunc", "round", "round1", "sign"]))
    return [x], {"function": function}


def _stepwise(x, function):
    return x.round(decimals=1) if function == "round1" else getattr(x, function)()


def _np_stepwise(x, function):
    return np.round(x, 1) if function == "round1" else getattr(np, function)(x)


def divisor(x: np.ndarray) -> np.ndarray:
    """1.3 or -0.9: with off_grid dividends (multiples of 0.5 plus 0.25, |a| <= 2.25) the
    quotient stays at least 0.05 from a whole number, where remainder and fmod jump."""
    return np.where(x > 0, 1.3, -0.9)


def draw_lerp(data: st.DataObject) -> Inputs:
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    return [draw_array(data, s) for s in shapes.input_shapes], {}


def _clamp_min_max(x, min, max):
    if min is None or max is None:
        return x.clamp_min(min) if max is None else x.clamp_max(max)
    return x.clamp_min(min).clamp_max(max)


def draw_one_axis(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES))
    dim = data.draw(st.none() | st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1))
    return [x], {"dim": dim, "keepdim": data.draw(st.booleans())}


def _np_prod(x, dim, keepdim):
    return np.prod(x, axis=None if x.ndim == 0 else dim, keepdims=keepdim and dim is not None)


def draw_cumulative(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES))
    return [x], {"dim": data.draw(st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1))}


def _np_cumulative(function):
    return lambda x, dim: function(x.reshape(-1), 0).reshape(()) if x.ndim == 0 else function(
        x, dim)


def distinct_magnitudes(x: np.ndarray) -> np.ndarray:
    """Non-zero values whose magnitudes differ by 0.25 or more, signs as drawn: no kink of
    |x| and no tie for the largest or smallest magnitude."""
    ranks = np.argsort(np.argsort(x.reshape(-1), kind="stable"), kind="stable")
    return (np.where(x.reshape(-1) >= 0, 1, -1) * (ranks * 0.25 + 0.1)).reshape(x.shape)


def draw_norm(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES), distinct_magnitudes)
    return [x], {"p": data.draw(st.sampled_from([1, 2, 3, 1.5, math.inf, -math.inf])),
                 "dim": draw_axis(data, x.ndim), "keepdim": data.draw(st.booleans())}


def _np_norm(x, p, dim, keepdim):
    magnitude = np.abs(x)
    if math.isinf(p):
        return (np.max if p > 0 else np.min)(magnitude, axis=dim, keepdims=keepdim)
    return np.sum(magnitude**p, axis=dim, keepdims=keepdim) ** (1 / p)


def draw_bmm(data: st.DataObject) -> Inputs:
    b, n, k, m = (data.draw(st.integers(1, 3)) for _ in range(4))
    return [draw_array(data, (b, n, k)), draw_array(data, (b, k, m))], {}


def draw_fixed_rank_product(ranks: tuple[int, int]) -> Callable[[st.DataObject], Inputs]:
    """Operands of mm (2, 2), mv (2, 1) or dot (1, 1): (n, k) or (k,), then (k, m) or (k,)."""

    def draw(data: st.DataObject) -> Inputs:
        n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
        left = (n, k) if ranks[0] == 2 else (k,)
        right = (k, m) if ranks[1] == 2 else (k,)
        return [draw_array(data, left), draw_array(data, right)], {}

    return draw


# (equation, the operands' shapes written with the letters' sizes)
EINSUMS = [("ij,jk->ik", "ij,jk"), ("bij,bjk->bik", "bij,bjk"), ("ii->i", "ii"), ("ii", "ii"),
           ("ij->ji", "ij"), ("i,i->", "i,i"), ("i,j->ij", "i,j"), ("ij->", "ij"),
           ("...ij,...jk", "bij,jk"), ("ijk,ikl,il->jl", "ijk,ikl,il"), ("iij->j", "iij"),
           ("ij,ij->i", "ij,ij")]


def draw_einsum(data: st.DataObject) -> Inputs:
    equation, shapes = data.draw(st.sampled_from(EINSUMS))
    sizes = {c: data.draw(st.integers(1, 3)) for c in sorted(set(shapes) - {","})}
    return [draw_array(data, tuple(sizes[c] for c in s)) for s in shapes.split(",")], {
        "equation": equation}


def draw_tensordot(data: st.DataObject) -> Inputs:
    a = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)))
    dims = data.draw(st.integers(0, a.ndim))
    b_shape = a.shape[a.ndim - dims:] + data.draw(hnp.array_shapes(min_dims=0, max_dims=2,
                                                                  max_side=3))
    return [a, draw_array(data, b_shape)], {"dims": dims}


def draw_addmm(data: st.DataObject) -> Inputs:
    n, k, m = (data.draw(st.integers(1, 3)) for _ in range(3))
    base = data.draw(st.sampled_from([(n, m), (m,), (1, m), ()]))
    return [draw_array(data, base), draw_array(data, (n, k)), draw_array(data, (k, m))], {
        "beta": data.draw(st.sampled_from([1, 0.5])), "alpha": data.draw(st.sampled_from([1, 2]))}


def draw_median(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES), distinct)
    dim = data.draw(st.none() | st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1))
    return [x], {"dim": dim, "keepdim": data.draw(st.booleans())}


def _median(x, dim, keepdim):
    return x.median() if dim is None else x.median(dim, keepdim).values


def _np_median(x, dim, keepdim):
    ordered = np.sort(x.reshape(-1) if dim is None or x.ndim == 0 else x,
                      axis=0 if dim is None or x.ndim == 0 else dim)
    axis = 0 if dim is None or x.ndim == 0 else dim
    middle = np.take(ordered, [(ordered.shape[axis] - 1) // 2], axis=axis)
    if dim is None or x.ndim == 0:
        return middle.reshape(())
    return middle if keepdim else np.squeeze(middle, axis)


def draw_vector_pairs(data: st.DataObject) -> Inputs:
    """Two batches of vectors (last axis) that broadcast, none of zero length, and never
    within 0.1 of each other in any value (x1 - x2 has no zero, where |x| has a kink)."""
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3,
                                                         max_side=3))
    first, second = shapes.input_shapes
    return [draw_array(data, first, distinct_magnitudes), draw_array(data, second, off_grid)], {}


def _np_cosine_similarity(x1, x2):
    x1, x2 = np.broadcast_arrays(x1, x2)
    dot = np.sum(x1 * x2, axis=-1)
    return dot / (np.linalg.norm(x1, axis=-1) * np.linalg.norm(x2, axis=-1))


def _np_pairwise_distance(x1, x2):
    return np.linalg.norm(x1 - x2 + 1e-6, axis=-1)


def within(bound: float) -> Callable[[np.ndarray], np.ndarray]:
    """Values scaled into [-bound, bound]: inside the domain of asin, atanh, ... and off
    tan's poles."""
    return lambda x: x * (bound / 2)


def above_one(x: np.ndarray) -> np.ndarray:
    return np.abs(x) + 1.1


def probability(x: np.ndarray) -> np.ndarray:
    return x * 0.2 + 0.5


def _np_logit(p):
    return np.log(p / (1 - p))


def family(name: str, *members: OpSpec) -> OpSpec:
    """One entry for several related ops: each example draws one of them, so a family costs
    the examples of one op (tests/test_tensor_parity_torch.py also compares each of them
    with PyTorch)."""
    by_name = {member.name: member for member in members}

    def draw(data: st.DataObject) -> Inputs:
        member = data.draw(st.sampled_from(sorted(by_name)))
        arrays, options = by_name[member].draw(data)
        return arrays, {**options, "member": member}

    def fn(*inputs: Any, member: str, **options: Any) -> Any:
        return by_name[member].fn(*inputs, **options)

    def reference(*arrays: np.ndarray, member: str, **options: Any) -> np.ndarray:
        return by_name[member].reference(*arrays, **options)

    return OpSpec(name, fn, reference, draw)


_PARITY = {spec.name: spec for spec in [
    OpSpec("gather", lambda x, dim, index: x.gather(dim, index),
           _np_gather, draw_gather),
    OpSpec("take_along_dim", lambda x, indices, dim: mt.take_along_dim(x, indices, dim),
           lambda x, indices, dim: np.take_along_axis(x, indices, dim), draw_take_along_dim),
    OpSpec("scatter", lambda x, src, dim, index: x.scatter(dim, index, src), _np_scatter,
           draw_scatter),
    OpSpec("scatter_add", lambda x, src, dim, index: x.scatter_add(dim, index, src),
           lambda x, src, dim, index: _np_scatter(x, src, dim, index, add=True), draw_scatter),
    OpSpec("index_select", lambda x, dim, index: x.index_select(dim, index),
           lambda x, dim, index: np.take(x, index, axis=dim), draw_index_select),
    OpSpec("masked_select", lambda x, mask: x.masked_select(mask),
           lambda x, mask: np.broadcast_to(x, np.broadcast_shapes(x.shape, mask.shape))[
               np.broadcast_to(mask, np.broadcast_shapes(x.shape, mask.shape))],
           draw_masked_fill),
    OpSpec("narrow", mt.Tensor.narrow,
           lambda x, dim, start, length: np.take(x, np.arange(start, start + length), dim),
           draw_narrow),
    OpSpec("unbind", _unbind_weighted, _np_unbind_weighted, draw_dim),
    OpSpec("flip", lambda x, dims: x.flip(dims), lambda x, dims: np.flip(x, dims), draw_flip),
    OpSpec("roll", lambda x, shifts, dims: x.roll(shifts, dims),
           lambda x, shifts, dims: np.roll(x, shifts, dims), draw_roll),
    OpSpec("repeat", lambda x, sizes: x.repeat(sizes), lambda x, sizes: np.tile(x, sizes),
           draw_repeat),
    OpSpec("repeat_interleave", lambda x, repeats, dim: x.repeat_interleave(repeats, dim),
           _np_repeat_interleave, draw_repeat_interleave),
    OpSpec("diagonal", mt.Tensor.diagonal,
           lambda x, offset, dim1, dim2: np.diagonal(x, offset, dim1, dim2), draw_diagonal),
    OpSpec("diag", mt.Tensor.diag, lambda x, diagonal: np.diag(x, diagonal), draw_diag),
    unary("trace", mt.Tensor.trace, np.trace,
          shapes=hnp.array_shapes(min_dims=2, max_dims=2, max_side=4)),
    OpSpec("outer", mt.outer, np.outer, draw_two_vectors),
    unary("square", mt.Tensor.square, np.square),
    unary("rsqrt", mt.Tensor.rsqrt, lambda x: 1 / np.sqrt(x), domain=positive),
    OpSpec("stepwise", _stepwise, _np_stepwise, draw_stepwise),
    unary("frac", mt.Tensor.frac, lambda x: x - np.trunc(x), domain=off_steps),
    binary("remainder", mt.remainder, np.remainder, off_grid, divisor),
    binary("fmod", mt.fmod, np.fmod, off_grid, divisor),
    OpSpec("lerp", mt.lerp, lambda a, b, w: a + w * (b - a), draw_lerp),
    OpSpec("clamp_min_max", _clamp_min_max, lambda x, min, max: np.clip(x, min, max),
           draw_clamp),
    OpSpec("prod", mt.Tensor.prod, _np_prod, draw_one_axis),
    OpSpec("cumsum", mt.Tensor.cumsum, _np_cumulative(np.cumsum), draw_cumulative),
    OpSpec("cumprod", mt.Tensor.cumprod, _np_cumulative(np.cumprod), draw_cumulative),
    OpSpec("norm", mt.Tensor.norm, _np_norm, draw_norm),
    OpSpec("bmm", mt.bmm, np.matmul, draw_bmm),
    OpSpec("mm", mt.mm, np.matmul, draw_fixed_rank_product((2, 2))),
    OpSpec("mv", mt.mv, np.matmul, draw_fixed_rank_product((2, 1))),
    OpSpec("dot", mt.dot, np.matmul, draw_fixed_rank_product((1, 1))),
    OpSpec("einsum", lambda *xs, equation: mt.einsum(equation, *xs),
           lambda *xs, equation: np.einsum(equation, *xs), draw_einsum),
    OpSpec("tensordot", mt.tensordot, lambda a, b, dims: np.tensordot(a, b, dims),
           draw_tensordot),
    OpSpec("addmm", mt.addmm, lambda c, a, b, beta, alpha: beta * c + alpha * (a @ b),
           draw_addmm),
    OpSpec("median", _median, _np_median, draw_median),
    OpSpec("cosine_similarity", lambda a, b: F.cosine_similarity(a, b, dim=-1),
           _np_cosine_similarity, draw_vector_pairs),
    OpSpec("normalize", lambda x: F.normalize(x, dim=-1),
           lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True),
           lambda data: ([draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3,
                                                                       max_side=4)),
                                     distinct_magnitudes)], {})),
    OpSpec("pairwise_distance", F.pairwise_distance, _np_pairwise_distance, draw_vector_pairs),
    unary("sin", mt.sin, np.sin),
    unary("cos", mt.Tensor.cos, np.cos),
    unary("tan", mt.tan, np.tan, domain=within(1.2)),
    unary("asin", mt.asin, np.arcsin, domain=within(0.9)),
    unary("acos", mt.Tensor.acos, np.arccos, domain=within(0.9)),
    unary("atan", mt.atan, np.arctan),
    binary("atan2", mt.atan2, np.arctan2, domain_a=off_zero),
    unary("sinh", mt.sinh, np.sinh),
    unary("cosh", mt.Tensor.cosh, np.cosh),
    unary("asinh", mt.asinh, np.arcsinh),
    unary("acosh", mt.acosh, np.arccosh, domain=above_one),
    unary("atanh", mt.Tensor.atanh, np.arctanh, domain=within(0.9)),
    unary("expm1", mt.expm1, np.expm1),
    unary("log1p", mt.Tensor.log1p, np.log1p, domain=within(0.9)),
    unary("exp2", mt.exp2, np.exp2),
    unary("reciprocal", mt.Tensor.reciprocal, np.reciprocal, domain=off_zero),
    unary("deg2rad", mt.deg2rad, np.deg2rad),
    unary("rad2deg", mt.Tensor.rad2deg, np.rad2deg),
    unary("erfc", mt.erfc, lambda x: 1 - _np_erf(x)),
    unary("logit", mt.logit, _np_logit, domain=probability),
    binary("logaddexp", mt.logaddexp, np.logaddexp),
    binary("hypot", mt.hypot, np.hypot, off_zero, off_zero),
    binary("xlogy", mt.xlogy, lambda a, b: a * np.log(b), off_zero, positive),
    binary("copysign", mt.copysign, np.copysign, off_zero, off_zero),
    binary("float_power", lambda a, b: mt.float_power(a, b).to(a.dtype), np.power,
           domain_a=positive),
    binary("fmax", mt.fmax, np.fmax, on_grid, off_grid),
    binary("fmin", mt.Tensor.fmin, np.fmin, on_grid, off_grid),
    unary("nan_to_num", mt.nan_to_num, np.nan_to_num),
]}

# ----- activations ----------------------------------------------------------------------------


def away_from(*kinks: float, scale: float = 1.0):
    """A domain: values in [-2, 2] times ``scale``, moved 0.1 away from any within 0.05 of
    a kink (where the function or its derivative jumps)."""

    def domain(x: np.ndarray) -> np.ndarray:
        x = x * scale
        for kink in kinks:
            x = np.where(np.abs(x - kink) < 0.05, x + 0.1, x)
        return x

    return domain


def draw_prelu(data: st.DataObject) -> Inputs:
    """An input of 1 to 3 dimensions, with one slope for all or one per channel (dim 1)."""
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    channels = shape[1] if len(shape) >= 2 and data.draw(st.booleans()) else 1
    return [draw_array(data, shape, off_zero), draw_array(data, (channels,))], {}


def _np_prelu(x, weight):
    slope = weight.reshape((-1,) + (1,) * (x.ndim - 2)) if weight.size > 1 else weight
    return np.where(x > 0, x, slope * x)


def draw_glu(data: st.DataObject) -> Inputs:
    """An input whose size along the drawn ``dim`` is even, as glu halves it."""
    shape = list(data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] *= 2
    return [draw_array(data, tuple(shape))], {"dim": dim}


def _np_glu(x, dim):
    a, b = np.split(x, 2, axis=dim)
    return a / (1 + np.exp(-b))


def _np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def _np_softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.logaddexp(0, beta * x) / beta)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
_hardsigmoid = away_from(-3.0, 3.0, scale=2.0)

# Each family draws one member per example: 'inplace' members change a copy of the input in
# place, which records the change out of place when gradients flow (gradcheck) and writes
# into the memory when they do not (the forward checks).
ACTIVATION_OPS: list[OpSpec] = [
    family(
        "exponential_activations",
        unary("elu", lambda x: F.elu(x, 0.5), lambda x: _np_elu(x, 0.5), off_zero),
        unary("elu_inplace", lambda x: F.elu(x * 1.0, inplace=True), _np_elu, off_zero),
        unary("selu", F.selu, lambda x: _SELU_SCALE * _np_elu(x, _SELU_ALPHA), off_zero),
        unary("celu", lambda x: F.celu(x, 2.0), lambda x: 2.0 * _np_elu(x / 2.0), off_zero),
        unary("softplus", lambda x: F.softplus(x, 2.0, 2.0),
              lambda x: _np_softplus(x, 2.0, 2.0), away_from(1.0)),
        unary("logsigmoid", F.logsigmoid, lambda x: -np.logaddexp(0, -x)),
        unary("mish", F.mish, lambda x: x * np.tanh(np.logaddexp(0, x))),
    ),
    family(
        "piecewise_activations",
        unary("hardtanh", lambda x: F.hardtanh(x, -0.5, 1.0), lambda x: np.clip(x, -0.5, 1.0),
              away_from(-0.5, 1.0)),
        unary("relu6", F.relu6, lambda x: np.clip(x, 0, 6), away_from(0.0, 6.0, scale=4.0)),
        unary("relu6_inplace", lambda x: F.relu6(x * 1.0, inplace=True),
              lambda x: np.clip(x, 0, 6), away_from(0.0, 6.0, scale=4.0)),
        unary("threshold", lambda x: F.threshold(x, 0.5, -1.5),
              lambda x: np.where(x > 0.5, x, -1.5), away_from(0.5)),
        unary("hardsigmoid", F.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6, _hardsigmoid),
        unary("hardswish_inplace", lambda x: F.hardswish(x * 1.0, inplace=True),
              lambda x: x * np.clip(x + 3, 0, 6) / 6, _hardsigmoid),
        unary("leaky_relu_inplace", lambda x: F.leaky_relu(x * 1.0, 0.2, True),
              lambda x: np.where(x > 0, x, 0.2 * x), off_zero),
        OpSpec("prelu", F.prelu, _np_prelu, draw_prelu),
    ),
    family(
        "smooth_activations",
        unary("softsign", F.softsign, lambda x: x / (1 + np.abs(x)), off_zero),
        unary("tanhshrink", F.tanhshrink, lambda x: x - np.tanh(x)),
        unary("silu_inplace", lambda x: F.silu(x * 1.0, inplace=True),
              lambda x: x / (1 + np.exp(-x))),
        unary("mish_inplace", lambda x: F.mish(x * 1.0, inplace=True),
              lambda x: x * np.tanh(np.logaddexp(0, x))),
        along_axis("softmin", lambda x, axis: F.softmin(x, axis),
                   lambda x, axis: _np_softmax(-x, axis)),
        OpSpec("glu", F.glu, _np_glu, draw_glu),
    ),
]

PARITY_OPS: list[OpSpec] = [
    family("gather", *(_PARITY[n] for n in ("gather", "take_along_dim", "index_select"))),
    family("scatter", _PARITY["scatter"], _PARITY["scatter_add"]),
    _PARITY["masked_select"],
    family("narrow_unbind", _PARITY["narrow"], _PARITY["unbind"]),
    family("flip_roll", _PARITY["flip"], _PARITY["roll"]),
    family("repeat", _PARITY["repeat"], _PARITY["repeat_interleave"]),
    family("diagonals", *(_PARITY[n] for n in ("diagonal", "diag", "trace"))),
    family("elementwise_math", *(_PARITY[n] for n in ("stepwise", "square", "rsqrt", "frac"))),
    family("remainder", _PARITY["remainder"], _PARITY["fmod"]),
    _PARITY["lerp"],
    _PARITY["clamp_min_max"],
    _PARITY["prod"],
    family("cumulative", _PARITY["cumsum"], _PARITY["cumprod"]),
    _PARITY["norm"],
    _PARITY["einsum"],
    family("products", *(_PARITY[n] for n in ("bmm", "mm", "mv", "dot", "tensordot", "addmm",
                                               "outer"))),
    _PARITY["median"],
    family("distances", *(_PARITY[n] for n in ("cosine_similarity", "normalize",
                                                "pairwise_distance"))),
    family("unary_math", *(_PARITY[n] for n in (
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
        "expm1", "log1p", "exp2", "reciprocal", "deg2rad", "rad2deg", "erfc", "logit",
        "nan_to_num"))),
    family("binary_math", *(_PARITY[n] for n in ("atan2", "logaddexp", "hypot", "xlogy",
                                                  "copysign", "float_power", "fmax", "fmin"))),
]

OPS += PARITY_OPS + ACTIVATION_OPS


# ----- method forms: arithmetic with alpha, shape functions, stacking, running reductions -----


def draw_movedim(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)))
    count = data.draw(st.integers(1, x.ndim))
    source = data.draw(st.permutations(range(x.ndim)))[:count]
    destination = data.draw(st.permutations(range(-x.ndim, 0)))[:count]
    return [x], {"source": tuple(source), "destination": tuple(destination)}


def draw_same_shapes(data: st.DataObject) -> Inputs:
    shape = data.draw(SHAPES)
    return [draw_array(data, shape) for _ in range(data.draw(st.integers(1, 3)))], {}


def draw_vectors(data: st.DataObject) -> Inputs:
    vectors = [draw_array(data, (data.draw(st.integers(1, 3)),))
               for _ in range(data.draw(st.integers(1, 3)))]
    return vectors, {"indexing": data.draw(st.sampled_from(["ij", "xy"]))}


def draw_tensor_split(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    sections = data.draw(st.integers(1, 4) | st.lists(st.integers(0, x.shape[dim]), max_size=3)
                         .map(sorted))
    return [x], {"sections": sections, "dim": dim}


def _np_tensor_split_weighted(x, sections, dim):
    pieces = np.array_split(x, sections, dim)
    return np.concatenate([piece * (i + 1) for i, piece in enumerate(pieces)], dim)


def draw_take(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES))
    index = data.draw(hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
                                 elements=st.integers(-x.size, x.size - 1)))
    return [x], {"index": index}


def draw_diff(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    return [x], {"n": data.draw(st.integers(0, 2)),
                 "dim": data.draw(st.integers(-x.ndim, x.ndim - 1))}


def draw_running(data: st.DataObject) -> Inputs:
    """As for cumsum, with distinct values: a tie for the running extreme is a kink."""
    x = draw_array(data, data.draw(SHAPES), distinct)
    return [x], {"dim": data.draw(st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1))}


def draw_kthvalue(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)), distinct)
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    return [x], {"k": data.draw(st.integers(1, x.shape[dim])), "dim": dim,
                 "keepdim": data.draw(st.booleans())}


def _np_kthvalue(x, k, dim, keepdim):
    picked = np.take(np.sort(x, axis=dim), [k - 1], axis=dim)
    return picked if keepdim else np.squeeze(picked, dim)


def draw_index_add(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1)) % x.ndim
    index = data.draw(hnp.arrays(np.int64, data.draw(st.integers(1, 4)),
                                 elements=st.integers(0, x.shape[dim] - 1)))
    source = draw_array(data, x.shape[:dim] + index.shape + x.shape[dim + 1:])
    return [x, source], {"dim": dim, "index": index}


def _np_index_add(x, source, dim, index):
    out = x.copy()
    np.add.at(out, (slice(None),) * dim + (index,), 0.5 * source)
    return out


def _np_index_fill(x, dim, index):
    out = x.copy()
    out[(slice(None),) * (dim % x.ndim) + (index,)] = -1.5
    return out


_METHOD_FORMS = {spec.name: spec for spec in [
    binary("add_alpha", lambda a, b: a.add(b, alpha=2.5), lambda a, b: a + 2.5 * b),
    binary("sub_alpha", lambda a, b: mt.sub(a, b, alpha=-0.5), lambda a, b: a + 0.5 * b),
    binary("multiply", mt.multiply, np.multiply),
    binary("divide", mt.divide, np.divide, domain_b=off_zero),
    unary("transpose_function", lambda x: mt.transpose(x, 0, -1),
          lambda x: np.swapaxes(x, 0, -1),
          shapes=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)),
    OpSpec("movedim", mt.movedim, np.moveaxis, draw_movedim),
    unary("ravel", lambda x: mt.ravel(x.T), lambda x: np.ravel(x.T)),
    OpSpec("hstack", lambda *xs: mt.hstack(xs), lambda *xs: np.hstack(xs), draw_same_shapes),
    OpSpec("vstack", lambda *xs: mt.vstack(xs), lambda *xs: np.vstack(xs), draw_same_shapes),
    OpSpec("dstack", lambda *xs: mt.dstack(xs), lambda *xs: np.dstack(xs), draw_same_shapes),
    OpSpec("column_stack", lambda *xs: mt.column_stack(xs), lambda *xs: np.column_stack(xs),
           draw_same_shapes),
    OpSpec("meshgrid", lambda *xs, indexing: mt.stack(mt.meshgrid(*xs, indexing=indexing)),
           lambda *xs, indexing: np.stack(np.meshgrid(*xs, indexing=indexing)), draw_vectors),
    OpSpec("tensor_split", lambda x, sections, dim: mt.cat(*_weigh_pieces(
        x.tensor_split(sections, dim), dim)), _np_tensor_split_weighted, draw_tensor_split),
    OpSpec("take", mt.take, lambda x, index: np.take(x, index), draw_take),
    OpSpec("diff", lambda x, n, dim: mt.diff(x, n, dim), lambda x, n, dim: np.diff(x, n, dim),
           draw_diff),
    reduction("nansum", lambda x, axis, keepdims: mt.nansum(x, axis, keepdims), np.nansum),
    reduction("nanmean", lambda x, axis, keepdims: x.nanmean(axis, keepdims), np.nanmean),
    OpSpec("cummax", lambda x, dim: mt.cummax(x, dim).values,
           _np_cumulative(np.maximum.accumulate), draw_running),
    OpSpec("cummin", lambda x, dim: x.cummin(dim).values, _np_cumulative(np.minimum.accumulate),
           draw_running),
    OpSpec("kthvalue", lambda x, k, dim, keepdim: mt.kthvalue(x, k, dim, keepdim).values,
           _np_kthvalue, draw_kthvalue),
    OpSpec("index_add", lambda x, source, dim, index: (x * 1).index_add_(dim, index, source,
                                                                          alpha=0.5),
           _np_index_add, draw_index_add),
    OpSpec("index_fill", lambda x, dim, index: mt.index_fill(x, dim, index, -1.5),
           _np_index_fill, draw_index_select),
]}

OPS += [
    family("arithmetic_methods", *(_METHOD_FORMS[n] for n in (
        "add_alpha", "sub_alpha", "multiply", "divide"))),
    family("shape_functions", *(_METHOD_FORMS[n] for n in (
        "transpose_function", "movedim", "ravel", "tensor_split", "take", "diff"))),
    family("stacking", *(_METHOD_FORMS[n] for n in (
        "hstack", "vstack", "dstack", "column_stack", "meshgrid"))),
    family("running_extremes", *(_METHOD_FORMS[n] for n in (
        "nansum", "nanmean", "cummax", "cummin", "kthvalue"))),
    family("index_add_fill", _METHOD_FORMS["index_add"], _METHOD_FORMS["index_fill"]),
]


# ----- element-wise losses and image resizing ------------------------------------------------


def draw_regression_loss(data: st.DataObject) -> Inputs:
    """Input on the half grid and target off it: errors are odd multiples of 0.25, never
    within 0.25 of the kinks of |d| (0) or of the Huber and smooth L1 losses (|d| = 1)."""
    shape = data.draw(SHAPES)
    return [draw_array(data, shape, on_grid), draw_array(data, shape, off_grid)], {
        "reduction": data.draw(st.sampled_from(["mean", "sum", "none"]))}


def _np_reduce(losses, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda x: x}[reduction](losses)


def _np_huber(x, t, delta):
    size = np.abs(x - t)
    return np.where(size < delta, 0.5 * size**2, delta * (size - 0.5 * delta))


def draw_kl_div(data: st.DataObject) -> Inputs:
    shape = data.draw(SHAPES)
    log_target = data.draw(st.booleans())
    return [draw_array(data, shape), draw_array(data, shape, anywhere if log_target else positive)
            ], {"log_target": log_target,
                "reduction": data.draw(st.sampled_from(["sum", "none", "batchmean"]))}


def _np_kl_div(x, t, log_target, reduction):
    losses = np.exp(t) * (t - x) if log_target else t * (np.log(t) - x)
    if reduction == "batchmean":
        return losses.sum() / (x.shape[0] if x.ndim else 1)
    return _np_reduce(losses, reduction)


def draw_soft_margin(data: st.DataObject) -> Inputs:
    [x, _], options = draw_regression_loss(data)
    signs = np.where(data.draw(hnp.arrays(bool, x.shape)), 1.0, -1.0)
    return [x], {**options, "target": signs}


def draw_adaptive_pool(data: st.DataObject) -> Inputs:
    shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2)),
             data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5)))
    output_size = data.draw(st.integers(1, 4) | st.tuples(st.integers(1, 4) | st.none(),
                                                           st.integers(1, 4) | st.none()))
    return [draw_array(data, shape, distinct)], {"output_size": output_size}


def _np_adaptive_pool(x, output_size, reduce):
    sizes = output_size if isinstance(output_size, tuple) else (output_size, output_size)
    sizes = [n if s is None else s for s, n in zip(sizes, x.shape[2:])]
    out = np.empty((*x.shape[:2], *sizes))
    for i in range(sizes[0]):
        for j in range(sizes[1]):
            rows = slice(i * x.shape[2] // sizes[0], -(-(i + 1) * x.shape[2] // sizes[0]))
            columns = slice(j * x.shape[3] // sizes[1], -(-(j + 1) * x.shape[3] // sizes[1]))
            out[:, :, i, j] = reduce(x[:, :, rows, columns], axis=(2, 3))
    return out


def draw_interpolate(data: st.DataObject) -> Inputs:
    ndim = data.draw(st.integers(3, 5))
    side = 3 if ndim < 5 else 2  # a 5-D input stays small: gradgradcheck goes element-wise
    x = draw_array(data, tuple(data.draw(st.integers(1, side)) for _ in range(ndim)))
    if data.draw(st.booleans()):
        return [x], {"size": tuple(data.draw(st.integers(1, side + 1)) for _ in range(ndim - 2)),
                     "scale_factor": None}
    return [x], {"size": None, "scale_factor": data.draw(st.integers(1, side))}


def _np_interpolate(x, size, scale_factor):
    """Nearest neighbours: output pixel i copies input pixel floor(i * in / out)."""
    for axis in range(2, x.ndim):
        n = x.shape[axis]
        m = n * scale_factor if size is None else size[axis - 2]
        x = np.take(x, np.arange(m) * n // m, axis=axis)
    return x


OPS += [
    family("elementwise_losses",
           OpSpec("l1_loss", F.l1_loss,
                  lambda x, t, reduction: _np_reduce(np.abs(x - t), reduction),
                  draw_regression_loss),
           OpSpec("smooth_l1_loss", F.smooth_l1_loss,
                  lambda x, t, reduction: _np_reduce(_np_huber(x, t, 1.0), reduction),
                  draw_regression_loss),
           OpSpec("huber_loss", lambda x, t, reduction: F.huber_loss(x, t, reduction, 0.5),
                  lambda x, t, reduction: _np_reduce(_np_huber(x, t, 0.5), reduction),
                  draw_regression_loss),
           OpSpec("kl_div", F.kl_div, _np_kl_div, draw_kl_div),
           OpSpec("soft_margin_loss", F.soft_margin_loss,
                  lambda x, target, reduction: _np_reduce(np.log1p(np.exp(-target * x)),
                                                          reduction),
                  draw_soft_margin)),
    family("adaptive_pool2d",
           OpSpec("adaptive_avg_pool2d", F.adaptive_avg_pool2d,
                  lambda x, output_size: _np_adaptive_pool(x, output_size, np.mean),
                  draw_adaptive_pool),
           OpSpec("adaptive_max_pool2d", F.adaptive_max_pool2d,
                  lambda x, output_size: _np_adaptive_pool(x, output_size, np.max),
                  draw_adaptive_pool)),
    OpSpec("interpolate", F.interpolate, _np_interpolate, draw_interpolate),
]


# ----- linear algebra --------------------------------------------------------------------------


def _rotation(n: int) -> np.ndarray:
    """A fixed orthogonal n x n matrix."""
    return np.linalg.qr(np.random.default_rng(n).standard_normal((n, n)))[0]


def well_conditioned(x: np.ndarray) -> np.ndarray:
    """Matrices with singular values within 0.7 of 2, 4, 6 (so at least 0.6 apart and above
    1.3): that diagonal between fixed rotations, plus x / 10. Their inverses, factors and
    singular vectors are smooth functions of x, with gradients finite differences can see."""
    m, n = x.shape[-2:]
    spread = np.zeros((m, n))
    k = min(m, n)
    spread[range(k), range(k)] = 2.0 * np.arange(k, 0, -1)
    return _rotation(m) @ spread @ _rotation(n).T + 0.1 * x


def powers_of_two(x: np.ndarray) -> np.ndarray:
    """Magnitudes 2^rank / 64 with the drawn signs: sums over different sets of entries (the
    column and row sums of the 1- and inf-norms) never tie, and no entry is near 0."""
    ranks = np.argsort(np.argsort(x.reshape(-1), kind="stable"), kind="stable")
    return (np.where(x.reshape(-1) >= 0, 1, -1) * 2.0**ranks / 64).reshape(x.shape)


def draw_matrices(data: st.DataObject, domain=well_conditioned,
                  square: bool = True) -> np.ndarray:
    """Matrices of 1 to 3 rows and columns, alone or a batch of 1 or 2."""
    batch = data.draw(hnp.array_shapes(min_dims=0, max_dims=1, max_side=2))
    m = data.draw(st.integers(1, 3))
    n = m if square else data.draw(st.integers(1, 3))
    return draw_array(data, batch + (m, n), domain)


def draw_square(data: st.DataObject) -> Inputs:
    return [draw_matrices(data)], {}


def draw_rectangular(data: st.DataObject) -> Inputs:
    return [draw_matrices(data, square=False)], {}


def _mT(x):  # noqa: N802
    return np.swapaxes(x, -1, -2) if isinstance(x, np.ndarray) else x.mT


def _is_vector(a, b):
    return b.ndim == 1 or b.shape == a.shape[:-1]


def draw_solve(data: st.DataObject) -> Inputs:
    """A and a right side that is a vector, a batch of vectors (A's shape without its last
    dimension) or matrices, solved from the left (A X = B) or, matrices only, as PyTorch
    allows, from the right (X A = B)."""
    a = draw_matrices(data)
    n, k, left = a.shape[-1], data.draw(st.integers(1, 3)), data.draw(st.booleans())
    kind = data.draw(st.sampled_from(["vector", "vectors", "matrix"])) if left else "matrix"
    shape = {"vector": (n,), "vectors": a.shape[:-1],
             "matrix": (n, k) if left else a.shape[:-2] + (k, n)}  # (k, n) could be vectors
    return [a, draw_array(data, shape[kind])], {"left": left}


def _np_solve(a, b, left=True):
    vector = _is_vector(a, b)
    matrices = b[..., None] if vector else b
    x = np.linalg.solve(a, matrices) if left else _mT(np.linalg.solve(_mT(a), _mT(matrices)))
    return x[..., 0] if vector else x


def _np_lstsq(a, b):
    vector = _is_vector(a, b)
    x = np.linalg.pinv(a) @ (b[..., None] if vector else b)
    return x[..., 0] if vector else x


def _spd(x):
    """x x^T + n I: symmetric positive-definite, for every x."""
    n = x.shape[-1]
    return x @ _mT(x) + n * (np.eye(n) if isinstance(x, np.ndarray) else mt.eye(
        n, dtype=x.dtype))


def draw_cholesky(data: st.DataObject) -> Inputs:
    return [draw_matrices(data, anywhere)], {"upper": data.draw(st.booleans())}


def draw_matrix_power(data: st.DataObject) -> Inputs:
    return [draw_matrices(data)], {"n": data.draw(st.integers(-2, 3))}


def draw_lstsq(data: st.DataObject) -> Inputs:
    """A with at least as many rows as columns (full column rank), and B as in solve."""
    a = draw_matrices(data, square=False)
    if a.shape[-2] < a.shape[-1]:
        a = _mT(a).copy()
    vector = data.draw(st.booleans())
    shape = a.shape[:-1] if vector else a.shape[:-1] + (data.draw(st.integers(1, 2)),)
    return [a, draw_array(data, shape)], {}


def draw_multi_dot(data: st.DataObject) -> Inputs:
    """Two to four matrices that chain, the first perhaps a vector (a row), the last perhaps
    a vector (a column)."""
    sizes = [data.draw(st.integers(1, 3)) for _ in range(data.draw(st.integers(3, 5)))]
    shapes = [(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
    if data.draw(st.booleans()):
        shapes[0] = shapes[0][1:]
    if data.draw(st.booleans()):
        shapes[-1] = shapes[-1][:1]
    return [draw_array(data, s) for s in shapes], {}


def draw_vecdot(data: st.DataObject) -> Inputs:
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3,
                                                         max_side=3))
    return [draw_array(data, s) for s in shapes.input_shapes], {}


# The signs of a factorization's vectors are a free choice (a column of Q with the matching
# row of R, of U with the row of Vh, an eigenvector), so the factorizations are checked
# through what does not depend on it: the squared entries of each factor and the product with
# the columns weighted 1, 2, ..., k (U diag(w) Vh, V diag(w) V^T, Q diag(w) R).


def _weighted(x):
    k = x.shape[-1]
    return x * (np.arange(1, k + 1) if isinstance(x, np.ndarray) else mt.arange(
        1, k + 1, dtype=x.dtype))


def _flat(x):
    return x.reshape(x.shape[:-2] + (-1,))


def _cat(parts):
    return np.concatenate(parts, -1) if isinstance(parts[0], np.ndarray) else mt.cat(parts, -1)


def _qr_invariants(q, r):
    if q is None or q.ndim == 1:  # mode 'r'
        return _flat(r * r)
    return _cat([_flat(q * q), _flat(r * r), _flat(_weighted(q) @ r)])


def draw_qr(data: st.DataObject) -> Inputs:
    a = draw_matrices(data, square=False)
    modes = ["reduced", "r"] + (["complete"] if a.shape[-2] <= a.shape[-1] else [])
    return [a], {"mode": data.draw(st.sampled_from(modes))}


def _np_qr(a, mode):
    return (None, np.linalg.qr(a, "r")) if mode == "r" else np.linalg.qr(a, mode)


def _svd_invariants(u, s, vh):
    k = s.shape[-1]  # with full_matrices, the other columns of U and rows of Vh are any basis
    u, vh = u[..., :k], vh[..., :k, :]
    return _cat([_flat(u * u), s, _flat(_weighted(u) @ vh)])


def draw_svd(data: st.DataObject) -> Inputs:
    return [draw_matrices(data, square=False)], {"full_matrices": data.draw(st.booleans())}


def _symmetric(x):
    """(x + x^T) / 2: eigh reads one triangle, while finite differences move every entry."""
    return (x + _mT(x)) / 2


def _eigh_invariants(w, v):
    return _cat([_flat(v * v), w, _flat(_weighted(v) @ _mT(v))])


def draw_eigh(data: st.DataObject) -> Inputs:
    return [draw_matrices(data)], {"UPLO": data.draw(st.sampled_from(["L", "U"]))}


MATRIX_ORDERS = ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf]


def _matrix_norm_domain(order):
    """Singular values apart and away from 0 for the orders made of them (their kinks), sums
    that never tie for the entry-wise ones."""
    return well_conditioned if order in ("fro", "nuc", 2, -2) else powers_of_two


def draw_matrix_norm(data: st.DataObject) -> Inputs:
    """Each order, on the last two dimensions or on the first and last of three, kept or
    not; the entry-wise orders get entries whose column and row sums never tie."""
    order = data.draw(st.sampled_from(MATRIX_ORDERS))
    x = draw_matrices(data, _matrix_norm_domain(order), square=False)
    dim = (-2, -1)
    if x.ndim == 3 and data.draw(st.booleans()):
        x, dim = np.moveaxis(x, 0, 1).copy(), (2, 0)
    return [x], {"ord": order, "dim": dim, "keepdim": data.draw(st.booleans())}


def draw_linalg_norm(data: st.DataObject) -> Inputs:
    """linalg.norm's three cases: no ord (the 2-norm of all values), a vector order along
    one dimension, a matrix order on a matrix."""
    kind = data.draw(st.sampled_from(["all", "vector", "matrix"]))
    if kind == "matrix":  # one matrix as drawn (a slice across a batch could be singular)
        order = data.draw(st.sampled_from(MATRIX_ORDERS))
        x = draw_matrices(data, _matrix_norm_domain(order), square=False)
        return [x[(0,) * (x.ndim - 2)]], {"ord": order, "dim": None}
    x = draw_array(data, data.draw(SHAPES), distinct_magnitudes)
    if kind == "all":
        return [x], {"ord": None, "dim": None}
    x = x.reshape(x.shape or (1,))
    return [x], {"ord": data.draw(st.sampled_from([1, 2, 3, math.inf])),
                 "dim": data.draw(st.integers(-x.ndim, x.ndim - 1))}


def _np_linalg_norm(x, ord, dim):
    return np.linalg.norm(x.reshape(-1)) if ord is None else np.linalg.norm(x, ord, axis=dim)


OPS += [
    family(
        "linalg_solvers",
        OpSpec("det", mt.linalg.det, np.linalg.det, draw_square),
        OpSpec("slogdet", lambda a: mt.stack(list(mt.linalg.slogdet(a)), -1),
               lambda a: np.stack(np.linalg.slogdet(a), -1), draw_square),
        OpSpec("inv", mt.linalg.inv, np.linalg.inv, draw_square),
        OpSpec("solve", mt.linalg.solve, _np_solve, draw_solve),
        OpSpec("cholesky", lambda x, upper: mt.linalg.cholesky(_spd(x), upper=upper),
               lambda x, upper: np.linalg.cholesky(_spd(x), upper=upper), draw_cholesky),
        OpSpec("pinv", mt.linalg.pinv, np.linalg.pinv, draw_rectangular),
        OpSpec("matrix_power", mt.linalg.matrix_power, np.linalg.matrix_power,
               draw_matrix_power),
        OpSpec("lstsq", lambda a, b: mt.linalg.lstsq(a, b).solution, _np_lstsq, draw_lstsq),
        OpSpec("multi_dot", lambda *xs: mt.linalg.multi_dot(xs),
               lambda *xs: np.linalg.multi_dot(xs), draw_multi_dot),
        OpSpec("vecdot", mt.linalg.vecdot, lambda x, y: np.sum(x * y, -1), draw_vecdot),
    ),
    family(
        "linalg_factorizations",
        OpSpec("qr", lambda a, mode: _qr_invariants(*mt.linalg.qr(a, mode)),
               lambda a, mode: _qr_invariants(*_np_qr(a, mode)), draw_qr),
        OpSpec("svd", lambda a, full_matrices: _svd_invariants(*mt.linalg.svd(a, full_matrices)),
               lambda a, full_matrices: _svd_invariants(*np.linalg.svd(a, full_matrices)),
               draw_svd),
        OpSpec("svdvals", mt.linalg.svdvals, lambda a: np.linalg.svd(a, compute_uv=False),
               draw_rectangular),
        OpSpec("eigh", lambda a, UPLO: _eigh_invariants(*mt.linalg.eigh(_symmetric(a), UPLO)),
               lambda a, UPLO: _eigh_invariants(*np.linalg.eigh(_symmetric(a), UPLO)),
               draw_eigh),
        OpSpec("eigvalsh", lambda a, UPLO: mt.linalg.eigvalsh(_symmetric(a), UPLO),
               lambda a, UPLO: np.linalg.eigvalsh(_symmetric(a), UPLO), draw_eigh),
    ),
    family(
        "matrix_norms",
        OpSpec("matrix_norm", mt.linalg.matrix_norm,
               lambda x, ord, dim, keepdim: np.linalg.norm(x, ord, dim, keepdim),
               draw_matrix_norm),
        OpSpec("linalg_norm", lambda x, ord, dim: mt.linalg.norm(x, ord, dim), _np_linalg_norm,
               draw_linalg_norm),
    ),
]


# ----- products with an added term, other products, statistics, special functions ------------


def draw_added_elementwise_product(data: st.DataObject) -> Inputs:
    """addcmul and addcdiv: three broadcastable inputs, the divisor away from 0."""
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    base, t1, t2 = shapes.input_shapes
    return [draw_array(data, base), draw_array(data, t1), draw_array(data, t2, off_zero)], {
        "value": data.draw(st.sampled_from([1, 0.5, -2]))}


def draw_added_product(kind: str) -> Callable[[st.DataObject], Inputs]:
    """The input and operands of baddbmm, addbmm, addmv or addr, the input of a shape that
    broadcasts to the product's, and beta (0 among them) and alpha."""

    def draw(data: st.DataObject) -> Inputs:
        b, n, k, m = (data.draw(st.integers(1, 3)) for _ in range(4))
        operands, product = {"baddbmm": ([(b, n, k), (b, k, m)], (b, n, m)),
                             "addbmm": ([(b, n, k), (b, k, m)], (n, m)),
                             "addmv": ([(n, k), (k,)], (n,)),
                             "addr": ([(n,), (m,)], (n, m))}[kind]
        base = data.draw(hnp.broadcastable_shapes(product, max_dims=len(product)).filter(
            lambda s: np.broadcast_shapes(s, product) == product))
        return [draw_array(data, s) for s in (base, *operands)], {
            "beta": data.draw(st.sampled_from([1, 0.5, 0])),
            "alpha": data.draw(st.sampled_from([1, -2]))}

    return draw


def _np_added_product(kind: str) -> Callable[..., np.ndarray]:
    def reference(base, a, b, beta, alpha):
        product = {"baddbmm": lambda: a @ b, "addbmm": lambda: (a @ b).sum(0),
                   "addmv": lambda: a @ b, "addr": lambda: np.outer(a, b)}[kind]()
        return beta * base + alpha * product

    return reference


def draw_kron(data: st.DataObject) -> Inputs:
    shape_a = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=2))
    shape_b = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    return [draw_array(data, shape_a), draw_array(data, shape_b)], {}


def draw_inner(data: st.DataObject) -> Inputs:
    k = data.draw(st.integers(1, 3))
    shapes = [data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)) + (k,)
              for _ in range(2)]
    if data.draw(st.booleans()):  # a 0-d operand: a product
        shapes[0] = ()
    return [draw_array(data, s) for s in shapes], {}


def draw_cross(data: st.DataObject) -> Inputs:
    """Two shapes with length 3 along dim that broadcast: b has length 1 in some of the other
    dimensions."""
    shape = list(data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] = 3
    other = [1 if i != dim % len(shape) and data.draw(st.booleans()) else n
             for i, n in enumerate(shape)]
    return [draw_array(data, tuple(shape)), draw_array(data, tuple(other))], {"dim": dim}


def draw_cdist(data: st.DataObject) -> Inputs:
    """Rows on the half grid against rows off it: no coordinate differs by 0 (a kink of p=1)."""
    batch = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=1, max_side=2))
    columns = data.draw(st.integers(1, 3))
    shapes = [b + (data.draw(st.integers(1, 3)), columns) for b in batch.input_shapes]
    return [draw_array(data, shapes[0], on_grid), draw_array(data, shapes[1], off_grid)], {
        "p": data.draw(st.sampled_from([1.0, 2.0, 3.0]))}


def _np_cdist(x1, x2, p):
    return np.linalg.norm(x1[..., :, None, :] - x2[..., None, :, :], ord=p, axis=-1)


def draw_vander(data: st.DataObject) -> Inputs:
    x = draw_array(data, (data.draw(st.integers(1, 4)),))
    return [x], {"N": data.draw(st.none() | st.integers(0, 4)),
                 "increasing": data.draw(st.booleans())}


def draw_reduced_dim(data: st.DataObject) -> Inputs:
    """Distinct values, and a dimension of length 2 or more to reduce."""
    shape = list(data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] = max(shape[dim], 2)
    return [draw_array(data, tuple(shape), distinct)], {
        "dim": dim, "keepdim": data.draw(st.booleans())}


def generic(x: np.ndarray) -> np.ndarray:
    """x plus a fixed irregular pattern: rows that are never constant or exactly correlated."""
    return x + 0.5 * np.sin(1.7 * np.arange(x.size)).reshape(x.shape)


def draw_cov(data: st.DataObject) -> Inputs:
    shape = data.draw(st.sampled_from([(3,), (1, 4), (2, 3), (3, 4)]))
    weights = draw_array(data, shape[-1:], positive)
    return [draw_array(data, shape, generic), weights], {
        "correction": data.draw(st.sampled_from([0, 1])),
        "fweights": data.draw(st.none() | st.just(np.arange(shape[-1]) % 3 + 1))}


def _np_cov(x, weights, correction, fweights):
    return np.cov(x, ddof=correction, fweights=fweights, aweights=weights)


def draw_quantile(data: st.DataObject) -> Inputs:
    [x], options = draw_reduced_dim(data)
    q = data.draw(st.sampled_from([0.3, 0.5, (0.0, 0.25, 1.0)]))
    return [x], {**options, "dim": data.draw(st.none() | st.just(options["dim"])),
                 "q": q, "interpolation": data.draw(st.sampled_from(
                     ["linear", "lower", "higher", "midpoint", "nearest"]))}


def _quantile(x, q, dim, keepdim, interpolation, skip_nan=False):
    levels = mt.tensor(q, dtype=x.dtype) if isinstance(q, tuple) else q
    method = mt.nanquantile if skip_nan else mt.quantile
    return method(x, levels, dim, keepdim, interpolation=interpolation)


def _np_quantile(x, q, dim, keepdim, interpolation):
    return np.quantile(x, q, axis=dim, keepdims=keepdim, method=interpolation)


def draw_trapezoid(data: st.DataObject) -> Inputs:
    """y and increasing sample points x along dim (1-D, or of y's shape)."""
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x_shape = data.draw(st.sampled_from([(shape[dim],), shape]))
    x = np.cumsum(draw_array(data, x_shape, positive), axis=dim if len(x_shape) > 1 else 0)
    return [draw_array(data, shape), x], {"dim": dim}


def _np_trapezoid(y, x, dim, cumulative=False):
    if x.ndim == 1:
        x = x.reshape((-1,) + (1,) * (y.ndim - dim % y.ndim - 1))
    y_pairs = np.take(y, range(1, y.shape[dim]), dim) + np.take(y, range(y.shape[dim] - 1), dim)
    areas = np.diff(x, axis=dim if x.ndim == y.ndim else 0) * y_pairs / 2
    return np.cumsum(areas, dim) if cumulative else np.sum(areas, dim)


def _np_digamma(x):
    """digamma(x) for x > 0: shifted past 12 by digamma(x) = digamma(x + 1) - 1 / x, then
    its asymptotic series."""
    x, shift = np.array(x, dtype=np.float64), 0.0
    for _ in range(12):
        small = x < 12
        shift = shift - np.where(small, 1 / x, 0)
        x = np.where(small, x + 1, x)
    inverse2 = 1 / (x * x)
    series = inverse2 * (1 / 12 - inverse2 * (1 / 120 - inverse2 * (1 / 252 - inverse2 * (
        1 / 240 - inverse2 / 132))))
    return shift + np.log(x) - 0.5 / x - series


def _np_erfinv(x):
    """erf's inverse by bisection on math.erf (60 halvings of [-6, 6]: to float64 precision)."""
    low, high = np.full(np.shape(x), -6.0), np.full(np.shape(x), 6.0)
    for _ in range(60):
        middle = (low + high) / 2
        above = _np_erf(middle) > x
        low, high = np.where(above, low, middle), np.where(above, middle, high)
    return (low + high) / 2


def powers_of_two_apart(x: np.ndarray) -> np.ndarray:
    """Multiples of 0.5 plus 0.3: never within 0.05 of a power of two (where frexp jumps)."""
    return np.round(x * 2) / 2 + 0.3


OPS += [
    family("more_products",
           OpSpec("addcmul", lambda a, b, c, value: mt.addcmul(a, b, c, value=value),
                  lambda a, b, c, value: a + value * b * c, draw_added_elementwise_product),
           OpSpec("addcdiv", lambda a, b, c, value: a.addcdiv(b, c, value=value),
                  lambda a, b, c, value: a + value * b / c, draw_added_elementwise_product),
           OpSpec("addcmul_inplace",
                  lambda a, b, c, value: (a * 1).expand(np.broadcast_shapes(
                      a.shape, b.shape, c.shape)).clone().addcmul_(b, c, value=value),
                  lambda a, b, c, value: a + value * b * c, draw_added_elementwise_product),
           *(OpSpec(kind, getattr(mt, kind), _np_added_product(kind), draw_added_product(kind))
             for kind in ("baddbmm", "addbmm", "addmv", "addr")),
           OpSpec("kron", mt.kron, np.kron, draw_kron),
           OpSpec("inner", mt.inner, np.inner, draw_inner),
           OpSpec("cross", lambda a, b, dim: mt.linalg.cross(a, b, dim=dim),
                  lambda a, b, dim: np.cross(*np.broadcast_arrays(a, b), axis=dim), draw_cross),
           OpSpec("cdist", mt.cdist, _np_cdist, draw_cdist),
           OpSpec("vander", mt.vander, lambda x, N, increasing: np.vander(x, N, increasing),
                  draw_vander)),
    family("statistics",
           OpSpec("logcumsumexp", lambda x, dim, keepdim: x.logcumsumexp(dim),
                  lambda x, dim, keepdim: np.logaddexp.accumulate(x, dim), draw_reduced_dim),
           OpSpec("var_mean", lambda x, dim, keepdim: mt.stack(mt.var_mean(x, dim,
                                                                         keepdim=keepdim)),
                  lambda x, dim, keepdim: np.stack([np.var(x, dim, ddof=1, keepdims=keepdim),
                                                    np.mean(x, dim, keepdims=keepdim)]),
                  draw_reduced_dim),
           OpSpec("std_mean", lambda x, dim, keepdim: mt.stack(mt.std_mean(
               x, dim, correction=0, keepdim=keepdim)),
                  lambda x, dim, keepdim: np.stack([np.std(x, dim, keepdims=keepdim),
                                                    np.mean(x, dim, keepdims=keepdim)]),
                  draw_reduced_dim),
           OpSpec("aminmax", lambda x, dim, keepdim: mt.stack(x.aminmax(dim=dim,
                                                                        keepdim=keepdim)),
                  lambda x, dim, keepdim: np.stack([np.min(x, dim, keepdims=keepdim),
                                                    np.max(x, dim, keepdims=keepdim)]),
                  draw_reduced_dim),
           OpSpec("cov", lambda x, w, correction, fweights: mt.cov(
               x, correction=correction, aweights=w,
               fweights=None if fweights is None else mt.tensor(fweights)),
                  _np_cov, draw_cov),
           OpSpec("corrcoef", mt.corrcoef, np.corrcoef,
                  lambda data: ([draw_cov(data)[0][0]], {})),
           OpSpec("quantile", _quantile, _np_quantile, draw_quantile),
           OpSpec("nanquantile", lambda *args, **kwargs: _quantile(*args, **kwargs,
                                                                   skip_nan=True),
                  _np_quantile, draw_quantile),
           OpSpec("trapezoid", lambda y, x, dim: mt.trapezoid(y, x, dim=dim), _np_trapezoid,
                  draw_trapezoid),
           OpSpec("cumulative_trapezoid", lambda y, x, dim: mt.cumulative_trapezoid(y, x, dim=dim),
                  lambda y, x, dim: _np_trapezoid(y, x, dim, cumulative=True), draw_trapezoid)),
    family("special_math",
           unary("sinc", mt.sinc, np.sinc),
           binary("ldexp", mt.ldexp, lambda a, b: a * 2.0**b),
           unary("frexp", lambda x: x.frexp().mantissa, lambda x: np.frexp(x)[0],
                 domain=powers_of_two_apart),
           unary("lgamma", mt.lgamma, np.vectorize(math.lgamma, otypes=[np.float64]),
                 domain=positive),
           unary("digamma", mt.Tensor.digamma, _np_digamma, domain=positive),
           unary("erfinv", mt.erfinv, _np_erfinv, domain=within(0.9))),
]


# ----- windows, rotations, blocks and combinations; scattering with reductions ------------


def draw_unfold(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    return [x], {"dimension": dim, "size": data.draw(st.integers(0, x.shape[dim])),
                 "step": data.draw(st.integers(1, 3))}


def _np_unfold(x, dimension, size, step):
    dim = dimension % x.ndim
    windows = [np.moveaxis(np.take(x, np.arange(start, start + size), axis=dim), dim, -1)
               for start in range(0, x.shape[dim] - size + 1, step)]
    return np.stack(windows, axis=dim)


def draw_rot90(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=2, max_dims=3, max_side=4)))
    dims = data.draw(st.permutations(range(-x.ndim, 0)))[:2]
    return [x], {"k": data.draw(st.integers(-3, 5)), "dims": tuple(dims)}


def draw_blocks(data: st.DataObject) -> Inputs:
    shapes = st.lists(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), min_size=1,
                      max_size=3)
    return [draw_array(data, shape) for shape in data.draw(shapes)], {}


def _np_block_diag(*xs):
    blocks = [x.reshape(1, -1) if x.ndim < 2 else x for x in xs]
    out = np.zeros(tuple(sum(block.shape[axis] for block in blocks) for axis in (0, 1)))
    row = column = 0
    for block in blocks:
        out[row:row + block.shape[0], column:column + block.shape[1]] = block
        row, column = row + block.shape[0], column + block.shape[1]
    return out


def _np_cartesian_prod(*xs):
    if len(xs) == 1:
        return xs[0]
    return np.stack(np.meshgrid(*xs, indexing="ij"), -1).reshape(-1, len(xs))


def draw_combinations(data: st.DataObject) -> Inputs:
    """r >= 1: no combination of 0 values is a new tensor outside the graph, as in PyTorch."""
    return [draw_array(data, (data.draw(st.integers(1, 4)),))], {
        "r": data.draw(st.integers(1, 3)), "with_replacement": data.draw(st.booleans())}


def _np_combinations(x, r, with_replacement):
    choose = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    return np.array([[x[i] for i in chosen] for chosen in choose(range(len(x)), r)]
                    ).reshape(-1, r)


def draw_unflatten(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=6)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    length = x.shape[dim]
    first = data.draw(st.sampled_from([d for d in range(1, length + 1) if length % d == 0]))
    sizes = data.draw(st.sampled_from([(first, -1), (-1, first), (first, length // first)]))
    return [x], {"dim": dim, "sizes": sizes}


def _np_unflatten(x, dim, sizes):
    dim %= x.ndim
    return x.reshape(x.shape[:dim] + sizes + x.shape[dim + 1:])


def draw_two_broadcastable(data: st.DataObject) -> Inputs:
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    return [draw_array(data, shape) for shape in shapes.input_shapes], {}


def draw_hsplit(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    length = x.shape[0 if x.ndim == 1 else 1]
    sections = data.draw(st.sampled_from([d for d in range(1, length + 1) if length % d == 0])
                         | st.lists(st.integers(0, length), max_size=3).map(sorted))
    return [x], {"sections": sections}


def _hsplit_weighted(x, sections):
    return mt.cat(*_weigh_pieces(mt.hsplit(x, sections), 0 if x.ndim == 1 else 1))


def _np_hsplit_weighted(x, sections):
    pieces = np.hsplit(x, sections)
    return np.concatenate([piece * (i + 1) for i, piece in enumerate(pieces)],
                          0 if x.ndim == 1 else 1)


def draw_index_put(data: st.DataObject) -> Inputs:
    """Positions in the first 1 to ndim dimensions, distinct unless they accumulate (a
    position written twice keeps one value: the other would get a gradient that finite
    differences do not see), and values that broadcast to what they index."""
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)))
    accumulate = data.draw(st.booleans())
    indexed = data.draw(st.integers(1, x.ndim))
    flat = data.draw(st.lists(st.integers(0, math.prod(x.shape[:indexed]) - 1), min_size=1,
                              max_size=4, unique=not accumulate))
    index = np.unravel_index(np.array(flat), x.shape[:indexed])
    picked = (len(flat),) + x.shape[indexed:]
    shape = data.draw(hnp.broadcastable_shapes(picked, max_dims=len(picked)).filter(
        lambda s: np.broadcast_shapes(s, picked) == picked))
    return [x, draw_array(data, shape)], {"index": index, "accumulate": accumulate}


def _np_index_put(x, values, index, accumulate):
    out = x.copy()
    if accumulate:
        np.add.at(out, index, np.broadcast_to(values, out[index].shape))
    else:
        out[index] = values
    return out


def draw_put(data: st.DataObject) -> Inputs:
    x = draw_array(data, data.draw(SHAPES))
    accumulate = data.draw(st.booleans())
    flat = data.draw(st.lists(st.integers(0, x.size - 1), min_size=1, max_size=4,
                              unique=not accumulate))
    index = np.array([p - x.size if data.draw(st.booleans()) else p for p in flat])
    shape = data.draw(st.sampled_from([(len(flat),), (1, len(flat))]))
    return [x, draw_array(data, shape)], {"index": index, "accumulate": accumulate}


def _np_put(x, source, index, accumulate):
    out = x.copy().reshape(-1)
    if accumulate:
        np.add.at(out, index % x.size, source.reshape(-1))
    else:
        out[index % x.size] = source.reshape(-1)
    return out.reshape(x.shape)


def draw_masked_scatter(data: st.DataObject) -> Inputs:
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x_shape, mask_shape = shapes.input_shapes
    mask = data.draw(hnp.arrays(bool, mask_shape))
    count = int(np.broadcast_to(mask, shapes.result_shape).sum())
    source = draw_array(data, data.draw(st.sampled_from([(count + 1,), (1, count)])))
    return [draw_array(data, x_shape), source], {"mask": mask}


def _np_masked_scatter(x, source, mask):
    shape = np.broadcast_shapes(x.shape, mask.shape)
    out, chosen = np.broadcast_to(x, shape).copy(), np.broadcast_to(mask, shape)
    out[chosen] = source.reshape(-1)[:chosen.sum()]
    return out


def draw_scatter_reduce(data: st.DataObject) -> Inputs:
    """x, an index no longer than x but along dim, and a source at least as large as the
    index. For amax and amin every value differs from every other (a tie is a kink)."""
    reduce = data.draw(st.sampled_from(["sum", "prod", "mean", "amax", "amin"]))
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1)) % len(shape)
    index_shape = _index_shape_within(data, shape, dim)
    index = data.draw(hnp.arrays(np.int64, index_shape, elements=st.integers(0, shape[dim] - 1)))
    src_shape = tuple(n + data.draw(st.integers(0, 1)) for n in index_shape)
    sizes = [math.prod(shape), math.prod(src_shape)]
    # A product of values near 0 underflows, where finite differences see no slope.
    domain = {"amax": distinct, "amin": distinct, "prod": off_zero}.get(reduce, anywhere)
    values = draw_array(data, (sum(sizes),), domain)
    return [values[:sizes[0]].reshape(shape), values[sizes[0]:].reshape(src_shape)], {
        "dim": dim, "index": index, "reduce": reduce, "include_self": data.draw(st.booleans())}


def _np_scatter_reduce(x, src, dim, index, reduce, include_self):
    landing: dict[tuple, list] = {}
    for position in np.ndindex(index.shape):
        target = list(position)
        target[dim] = index[position]
        landing.setdefault(tuple(target), []).append(src[position])
    combine = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}
    out = x.copy()
    for target, values in landing.items():
        out[target] = combine[reduce](values + ([x[target]] if include_self else []))
    return out


OPS += [
    OpSpec("scatter_reduce",
           lambda x, src, dim, index, reduce, include_self: x.scatter_reduce(
               dim, index, src, reduce, include_self=include_self),
           _np_scatter_reduce, draw_scatter_reduce),
    family("windows_blocks_and_puts",
           OpSpec("unfold", mt.Tensor.unfold, _np_unfold, draw_unfold),
           OpSpec("rot90", mt.rot90, lambda x, k, dims: np.rot90(x, k, dims), draw_rot90),
           OpSpec("block_diag", mt.block_diag, _np_block_diag, draw_blocks),
           OpSpec("cartesian_prod", mt.cartesian_prod, _np_cartesian_prod,
                  lambda data: (draw_vectors(data)[0], {})),
           OpSpec("combinations", mt.combinations, _np_combinations, draw_combinations),
           OpSpec("unflatten", mt.unflatten, _np_unflatten, draw_unflatten),
           OpSpec("broadcast_tensors", lambda a, b: mt.stack(mt.broadcast_tensors(a, b)),
                  lambda a, b: np.stack(np.broadcast_arrays(a, b)), draw_two_broadcastable),
           OpSpec("hsplit", _hsplit_weighted, _np_hsplit_weighted, draw_hsplit),
           unary("atleast_3d", mt.atleast_3d, np.atleast_3d),
           OpSpec("index_put",
                  lambda x, values, index, accumulate: x.index_put(
                      tuple(mt.tensor(i) for i in index), values, accumulate),
                  _np_index_put, draw_index_put),
           OpSpec("put_", lambda x, source, index, accumulate: (x * 1).put_(
               mt.tensor(index), source, accumulate), _np_put, draw_put),
           OpSpec("masked_scatter", lambda x, source, mask: mt.masked_scatter(x, mask, source),
                  _np_masked_scatter, draw_masked_scatter)),
]


def draw_index_copy(data: st.DataObject) -> Inputs:
    """Distinct positions along dim (with repeats the result is left undefined)."""
    x = draw_array(data, data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    index = np.array(data.draw(st.permutations(range(x.shape[dim]))), dtype=np.int64)
    index = index[:data.draw(st.integers(0, index.size))]
    shape = list(x.shape)
    shape[dim] = index.size
    return [x, draw_array(data, tuple(shape))], {"dim": dim, "index": index}


def _np_index_copy(x, source, dim, index):
    out = np.moveaxis(x.copy(), dim, 0)
    out[index] = np.moveaxis(source, dim, 0)
    return np.moveaxis(out, 0, dim)


def off_unit_norms(x):
    """Slices along dim 0 whose 2-norm is not within 0.1 of 1, renorm's maxnorm here (its
    kink): a slice with a norm near 1 is scaled to 1.25 times it."""
    norms = np.sqrt((x ** 2).sum(axis=tuple(range(1, x.ndim)), keepdims=True))
    return np.where(np.abs(norms - 1.0) < 0.1, 1.25 * x, x)


def _np_renorm(x):
    norms = np.sqrt((x ** 2).sum(axis=tuple(range(1, x.ndim)), keepdims=True))
    return x * np.where(norms > 1.0, 1.0 / (norms + 1e-7), 1.0)


def _np_diag_embed(x):
    out = np.zeros(x.shape[:-1] + (x.shape[-1] + 1,) * 2)
    rows = np.arange(x.shape[-1])
    out[..., rows, rows + 1] = x
    return out


OPS += [
    family("more_methods",
           # a > 0 > b: the distance stays off its kink at a == b
           binary("dist", lambda a, b: a.dist(b), lambda a, b: np.linalg.norm((a - b).ravel()),
                  domain_a=positive, domain_b=lambda x: -positive(x)),
           OpSpec("vdot", mt.vdot, np.matmul, draw_fixed_rank_product((1, 1))),
           unary("renorm", lambda x: x.renorm(2, 0, 1.0), _np_renorm, domain=off_unit_norms,
                 shapes=hnp.array_shapes(min_dims=2, max_dims=3, max_side=4)),
           unary("diag_embed", lambda x: x.diag_embed(1), _np_diag_embed,
                 shapes=hnp.array_shapes(min_dims=1, max_dims=2, max_side=3)),
           binary("logaddexp2", mt.logaddexp2, np.logaddexp2),
           OpSpec("index_copy", lambda x, source, dim, index: x.index_copy(
               dim, mt.tensor(index), source), _np_index_copy, draw_index_copy),
           unary("hardshrink", mt.hardshrink, lambda x: np.where(np.abs(x) > 0.5, x, 0),
                 domain=lambda x: np.where(np.abs(np.abs(x) - 0.5) < 0.1, x + 0.3, x)),
           unary("softshrink", F.softshrink,
                 lambda x: np.where(np.abs(x) > 0.5, x - np.sign(x) * 0.5, 0),
                 domain=lambda x: np.where(np.abs(np.abs(x) - 0.5) < 0.1, x + 0.3, x))),
]
