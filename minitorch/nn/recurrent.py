"""Recurrent layers, with PyTorch's names, signatures, parameter layouts and starting values:
``RNN``, ``LSTM`` and ``GRU`` run over whole sequences, ``RNNCell``, ``LSTMCell`` and
``GRUCell`` take one step.

At every step each kind computes its gates from two affine maps, one of the input x and one
of the previous hidden state h:

    gates_x = x W_ih^T + b_ih,    gates_h = h W_hh^T + b_hh,

where W_ih (G * hidden_size, input_size) and W_hh (G * hidden_size, hidden_size) stack the
weights of the kind's G gates row-block by row-block (1 for RNN; 4 for LSTM, in the order
i, f, g, o; 3 for GRU, in the order r, z, n), and b_ih, b_hh likewise. The kinds differ only
in G and in how the gates update the state: see :func:`rnn_update`, :func:`lstm_update` and
:func:`gru_update`. Everything is built from differentiable operations (an LSTM or GRU step
is one fused node, ``ops/nn.py``), so autograd gives the gradients of the input, the initial
states and every parameter.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from minitorch.nn import _checks, init
from minitorch.nn import functional as F
from minitorch.nn.module import Module, Parameter, positive_int
from minitorch.ops import nn as fused
from minitorch.tensor import Tensor, as_tensor, cat, stack

State = tuple[Tensor, ...]  # (h,) for RNN and GRU, (h, c) for LSTM

NONLINEARITIES = ("tanh", "relu")


# ----- one step of each kind -------------------------------------------------------------------


def rnn_update(gates_x: Tensor, state: State, weight_hh: Tensor, bias_hh: Tensor | None,
               nonlinearity: str = "tanh") -> State:
    """Elman RNN step: h' = act(gates_x + h W_hh^T + b_hh), act tanh or relu."""
    (h,) = state
    total = gates_x + F.linear(h, weight_hh, bias_hh)
    return (total.tanh() if nonlinearity == "tanh" else total.relu(),)


def lstm_update(gates_x: Tensor, state: State, weight_hh: Tensor,
                bias_hh: Tensor | None) -> State:
    """LSTM step: with i, f, g, o the four blocks of gates_x + h W_hh^T + b_hh,

        c' = sigmoid(f) * c + sigmoid(i) * tanh(g),    h' = sigmoid(o) * tanh(c').
    """
    h, c = state
    # One fused node for the gates and both states (ops/nn.py: LSTMStep): a step of small
    # arrays is then 4 recorded operations instead of 14.
    both = fused.LSTMStep.apply(gates_x, F.linear(h, weight_hh, bias_hh), c)
    return both[0], both[1]


def gru_update(gates_x: Tensor, state: State, weight_hh: Tensor,
               bias_hh: Tensor | None) -> State:
    """GRU step: with (x_r, x_z, x_n) the blocks of gates_x and (h_r, h_z, h_n) those of
    h W_hh^T + b_hh,

        r = sigmoid(x_r + h_r),  z = sigmoid(x_z + h_z),  n = tanh(x_n + r * h_n),
        h' = (1 - z) * n + z * h.

    The reset gate r scales h_n, bias included, so the two maps stay apart here; the gates
    and the new state are one fused node (ops/nn.py: GRUStep).
    """
    (h,) = state
    return (fused.GRUStep.apply(gates_x, F.linear(h, weight_hh, bias_hh), h),)


# ----- argument checks shared by layers and cells ----------------------------------------------


def _nonlinearity(nonlinearity: Any, name: str) -> str:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"{name} nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return nonlinearity


def _dropout(dropout: Any, num_layers: int, name: str) -> float:
    if (isinstance(dropout, bool) or not isinstance(dropout, numbers.Real)
            or not 0.0 <= dropout <= 1.0):
        raise ValueError(f"{name} dropout must be a probability in [0, 1], got {dropout!r}")
    if dropout > 0 and num_layers == 1:
        warnings.warn(f"{name}: dropout={dropout} has no effect with num_layers=1, as it applies "
                      "to the outputs of every layer but the last", UserWarning, stacklevel=3)
    return float(dropout)


def _states(hx: Any, shape: tuple[int, ...], layout: str, has_cell_state: bool, name: str,
            dtype: np.dtype) -> State:
    """The initial state(s) from ``hx``: h (or, for an LSTM, the pair (h, c)), each checked
    to have ``shape`` and converted to ``dtype``; zeros when ``hx`` is None."""
    labels = ("h_0", "c_0") if has_cell_state else ("h_0",)
    if hx is None:
        zeros = Tensor._make(np.zeros(shape, dtype=dtype), False)
        return (zeros,) * len(labels)
    if has_cell_state:
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            given = f"{len(hx)} values" if isinstance(hx, (tuple, list)) else type(hx).__name__
            raise TypeError(f"{name} expected hx as a tuple (h_0, c_0), got {given}")
        states = tuple(hx)
    else:
        if isinstance(hx, (tuple, list)):
            raise TypeError(f"{name} expected hx as one tensor h_0, got a {type(hx).__name__}")
        states = (hx,)
    checked = []
    for label, state in zip(labels, states, strict=True):
        state = as_tensor(state).astype(dtype)
        if state.shape != shape:
            raise ValueError(f"{name} expected {label} of shape {shape} {layout}, got shape "
                             f"{tuple(state.shape)}")
        checked.append(state)
    return tuple(checked)


class _Recurrent(Module):
    """What the layers and the cells share: their sizes, and PyTorch's starting values. A
    subclass sets ``_gates`` and ``_has_cell_state`` and defines ``_update`` (one step of its
    kind)."""

    _gates: int
    _has_cell_state = False

    def _sizes(self, input_size: int, hidden_size: int, bias: bool, device: Any,
               dtype: Any) -> np.dtype:
        """Check and keep the sizes and ``bias``; the parameters' dtype."""
        name = type(self).__name__
        self.input_size = positive_int(input_size, "input_size", name)
        self.hidden_size = positive_int(hidden_size, "hidden_size", name)
        self.bias = bias
        return _checks.layer_dtype(device, dtype)

    def reset_parameters(self) -> None:
        """Start again from new random values, as PyTorch's: every parameter from
        U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), drawn in the order of registration, as
        PyTorch draws them, so the same seed gives the same values."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            init.uniform_(parameter, -bound, bound)


# ----- layers over sequences -------------------------------------------------------------------


class _RecurrentLayer(_Recurrent):
    """What RNN, LSTM and GRU share: the parameters of every layer and direction, and the run
    over the sequence."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int, bias: bool,
                 batch_first: bool, dropout: float, bidirectional: bool, device: Any,
                 dtype: Any) -> None:
        super().__init__()
        name = type(self).__name__
        dtype = self._sizes(input_size, hidden_size, bias, device, dtype)
        self.num_layers = positive_int(num_layers, "num_layers", name)
        self.batch_first, self.bidirectional = batch_first, bidirectional
        self.dropout = _dropout(dropout, self.num_layers, name)
        self.proj_size = 0  # PyTorch's attribute; LSTM with projections is not supported
        directions = 2 if bidirectional else 1
        rows = self._gates * self.hidden_size
        for layer in range(self.num_layers):
            features = self.input_size if layer == 0 else self.hidden_size * directions
            for suffix in ("", "_reverse")[:directions]:
                shapes = {"weight_ih": (rows, features), "weight_hh": (rows, self.hidden_size)}
                if bias:
                    shapes.update(bias_ih=(rows,), bias_hh=(rows,))
                for kind, shape in shapes.items():
                    setattr(self, f"{kind}_l{layer}{suffix}",
                            Parameter(np.empty(shape, dtype=dtype)))
        self.reset_parameters()

    def flatten_parameters(self) -> None:
        """Nothing to do: PyTorch packs the weights into one buffer for cuDNN on a GPU and
        does nothing on the CPU, the one device here. Kept so that code calling it runs."""

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Any]:
        x, batched = self._time_first(input)
        states = self._initial_states(hx, batched, x.shape[1])
        directions = 2 if self.bidirectional else 1
        finals = []  # the last state of each layer and direction, in h_n's order
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                start = tuple(s[layer * directions + direction] for s in states)
                output, final = self._run(x, start, layer, direction)
                outputs.append(output)
                finals.append(final)
            x = outputs[0] if directions == 1 else cat(outputs, dim=2)
            if self.training and self.dropout > 0 and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout)

        h_n = tuple(stack(parts) for parts in zip(*finals, strict=True))
        if not batched:
            x, h_n = x.squeeze(1), tuple(s.squeeze(1) for s in h_n)
        elif self.batch_first:
            x = x.transpose(0, 1)  # the states stay (layers, N, hidden), as in PyTorch
        return x, (h_n if self._has_cell_state else h_n[0])

    def _time_first(self, input: Any) -> tuple[Tensor, bool]:
        """The checked input as (L, N, input_size) in the parameters' dtype, and whether it
        was batched. Time comes first throughout, as in PyTorch's computation, so that the
        dropout masks are drawn in its order."""
        name = type(self).__name__
        x = as_tensor(input).astype(self.weight_ih_l0.dtype)
        given = tuple(x.shape)
        layout = (f"(N, L, {self.input_size})" if self.batch_first
                  else f"(L, N, {self.input_size})")
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(f"{name} expected input of shape {layout}, or (L, "
                             f"{self.input_size}) unbatched, got shape {given}")
        batched = x.ndim == 3
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        if x.shape[0] == 0:
            raise ValueError(f"{name} expected a sequence of at least one step, got input of "
                             f"shape {given}")
        return x, batched

    def _initial_states(self, hx: Any, batched: bool, batch_size: int) -> State:
        """The checked initial state(s), each (num_layers * num_directions, N, hidden_size)."""
        stacked = self.num_layers * (2 if self.bidirectional else 1)
        if batched:
            shape, layout = ((stacked, batch_size, self.hidden_size),
                             "(num_layers * num_directions, N, hidden_size)")
        else:
            shape, layout = ((stacked, self.hidden_size),
                             "(num_layers * num_directions, hidden_size) for unbatched input")
        states = _states(hx, shape, layout, self._has_cell_state, type(self).__name__,
                         self.weight_ih_l0.dtype)
        return states if batched else tuple(s.unsqueeze(1) for s in states)

    def _run(self, x: Tensor, state: State, layer: int, direction: int) -> tuple[Tensor, State]:
        """One layer in one direction over the sequence x (L, N, features): its outputs
        (L, N, hidden_size) in time order, and its last state. The reverse direction reads
        the sequence from its end."""
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        weight_ih = getattr(self, "weight_ih" + suffix)
        weight_hh = getattr(self, "weight_hh" + suffix)
        bias_ih = getattr(self, "bias_ih" + suffix) if self.bias else None
        bias_hh = getattr(self, "bias_hh" + suffix) if self.bias else None
        # The input's part of the gates does not wait for the previous step: one product
        # for the whole sequence.
        gates_x = F.linear(x, weight_ih, bias_ih).unbind(0)
        outputs = []
        for gates in reversed(gates_x) if direction else gates_x:
            state = self._update(gates, state, weight_hh, bias_hh)
            outputs.append(state[0])
        if direction:
            outputs.reverse()  # back in time order
        return stack(outputs), state

    def extra_repr(self) -> str:
        # PyTorch's text: what differs from the defaults (an RNN's nonlinearity not shown)
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text


class RNN(_RecurrentLayer):
    """A multi-layer Elman RNN: for each step t of the input sequence, each layer computes

        h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),

    ``act`` being tanh or relu (``nonlinearity``), x_t the input (layer 0) or the output of
    the layer below, and h_{-1} the initial state ``hx`` (zeros if not given).

    ``rnn(input, hx=None)`` takes input (L, N, input_size), (N, L, input_size) with
    ``batch_first``, or unbatched (L, input_size), and hx (num_layers * num_directions, N,
    hidden_size) (no N unbatched; ``batch_first`` does not apply to it). It returns
    ``(output, h_n)``: output (L, N, num_directions * hidden_size) (batch first with
    ``batch_first``) holds the last layer's h_t for every t, h_n the last state of every layer
    and direction (layer 0 forward, layer 0 reverse, layer 1 forward...), shaped as hx.

    With ``bidirectional`` each layer also runs over the reversed sequence with its own
    weights (suffix ``_reverse``); the two directions' outputs are concatenated, forward
    first, for each t. ``dropout`` drops elements of each layer's output but the last, in
    training mode only. The parameters ``weight_ih_l{k}``, ``weight_hh_l{k}``,
    ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (none with ``bias=False``) are PyTorch's, in its
    order, starting from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) as in PyTorch.
    """

    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        nonlinearity = _nonlinearity(nonlinearity, "RNN")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device, dtype)
        self.nonlinearity = nonlinearity

    def _update(self, gates_x: Tensor, state: State, weight_hh: Tensor,
                bias_hh: Tensor | None) -> State:
        return rnn_update(gates_x, state, weight_hh, bias_hh, self.nonlinearity)


class LSTM(_RecurrentLayer):
    """A multi-layer long short-term memory network: for each step t, each layer computes

        i, f, g, o = the four blocks of x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh,
        c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g),
        h_t = sigmoid(o) * tanh(c_t).

    ``lstm(input, (h_0, c_0))`` returns ``(output, (h_n, c_n))``; the states are optional
    (zeros), both or neither, and c_0 and c_n have the shape of h_0 and h_n. Shapes, layers,
    directions, dropout and parameters are as in :class:`RNN`, with four gates' rows (i, f,
    g, o) in each weight and bias. ``proj_size`` (LSTM with projections) is not supported.
    """

    _gates = 4
    _has_cell_state = True
    _update = staticmethod(lstm_update)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        if isinstance(proj_size, bool) or not isinstance(proj_size, (int, np.integer)) or (
                proj_size < 0):
            raise ValueError(f"LSTM proj_size must be an int >= 0 (0: no projection), got "
                             f"{proj_size!r}")
        if proj_size > 0:
            raise NotImplementedError(f"LSTM proj_size={proj_size}: LSTM with projections is "
                                      "not supported; use proj_size=0")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device, dtype)


class GRU(_RecurrentLayer):
    """A multi-layer gated recurrent unit network: for each step t, each layer computes

        r_t = sigmoid(x_t W_ir^T + b_ir + h_{t-1} W_hr^T + b_hr)
        z_t = sigmoid(x_t W_iz^T + b_iz + h_{t-1} W_hz^T + b_hz)
        n_t = tanh(x_t W_in^T + b_in + r_t * (h_{t-1} W_hn^T + b_hn))
        h_t = (1 - z_t) * n_t + z_t * h_{t-1},

    the weights and biases being the blocks (r, z, n) of PyTorch's ``weight_ih_l{k}`` (W_i*),
    ``weight_hh_l{k}`` (W_h*), ``bias_ih_l{k}`` and ``bias_hh_l{k}``. Arguments, shapes,
    layers, directions and dropout are as in :class:`RNN`: ``gru(input, hx)`` returns
    ``(output, h_n)``.
    """

    _gates = 3
    _update = staticmethod(gru_update)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device, dtype)


# ----- cells: one step -------------------------------------------------------------------------


class _RecurrentCell(_Recurrent):
    """What RNNCell, LSTMCell and GRUCell share: ``weight_ih``, ``weight_hh``, ``bias_ih``
    and ``bias_hh``, and one step."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, device: Any,
                 dtype: Any) -> None:
        super().__init__()
        dtype = self._sizes(input_size, hidden_size, bias, device, dtype)
        rows = self._gates * self.hidden_size
        self.weight_ih = Parameter(np.empty((rows, self.input_size), dtype=dtype))
        self.weight_hh = Parameter(np.empty((rows, self.hidden_size), dtype=dtype))
        self.bias_ih = Parameter(np.empty(rows, dtype=dtype)) if bias else None
        self.bias_hh = Parameter(np.empty(rows, dtype=dtype)) if bias else None
        self.reset_parameters()

    def _step(self, input: Tensor, hx: Any) -> State:
        """The next state from input (N, input_size) or (input_size,) and hx."""
        name = type(self).__name__
        dtype = self.weight_ih.dtype
        x = as_tensor(input).astype(dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{name} expected input of shape (N, {self.input_size}) or "
                             f"({self.input_size},), got shape {tuple(x.shape)}")
        batched = x.ndim == 2
        if batched:
            shape, layout = (x.shape[0], self.hidden_size), "(N, hidden_size)"
        else:
            shape, layout = (self.hidden_size,), "(hidden_size,) for an unbatched input"
        state = _states(hx, shape, layout, self._has_cell_state, name, dtype)
        if not batched:
            x, state = x.unsqueeze(0), tuple(s.unsqueeze(0) for s in state)
        state = self._update(F.linear(x, self.weight_ih, self.bias_ih), state, self.weight_hh,
                             self.bias_hh)
        return state if batched else tuple(s.squeeze(0) for s in state)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        return text


class RNNCell(_RecurrentCell):
    """One step of an Elman RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act tanh or
    relu. ``cell(input, hx=None)`` takes input (N, input_size) or (input_size,) and h of
    shape (N, hidden_size) or (hidden_size,) (zeros if not given) and returns h'."""

    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        nonlinearity = _nonlinearity(nonlinearity, "RNNCell")
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def _update(self, gates_x: Tensor, state: State, weight_hh: Tensor,
                bias_hh: Tensor | None) -> State:
        return rnn_update(gates_x, state, weight_hh, bias_hh, self.nonlinearity)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)[0]

    def extra_repr(self) -> str:
        relu = ", nonlinearity=relu" if self.nonlinearity == "relu" else ""
        return super().extra_repr() + relu


class LSTMCell(_RecurrentCell):
    """One step of an LSTM (see :class:`LSTM` for the formulas): ``cell(input, (h, c))``
    returns ``(h', c')``; h and c are (N, hidden_size), or (hidden_size,) for an input
    (input_size,), and zeros if hx is not given."""

    _gates = 4
    _has_cell_state = True
    _update = staticmethod(lstm_update)

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, Tensor]:
        h, c = self._step(input, hx)
        return h, c


class GRUCell(_RecurrentCell):
    """One step of a GRU (see :class:`GRU` for the formulas): ``cell(input, hx)`` returns
    h', with the shapes of :class:`RNNCell`."""

    _gates = 3
    _update = staticmethod(gru_update)

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)[0]
