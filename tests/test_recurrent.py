"""RNN, LSTM, GRU and their cells: shapes in every layout, the formulas (cells against NumPy,
layers against their cells step by step), gradients against finite differences, learning,
parameters and their starting values, dropout, dtypes, reprs and errors. Agreement with
PyTorch is in test_recurrent_torch.py."""

import contextlib
import math

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn

KINDS = ["RNN", "LSTM", "GRU"]
GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}
CELLS = {"RNN": nn.RNNCell, "LSTM": nn.LSTMCell, "GRU": nn.GRUCell}


def _random(*shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _layer(kind, *args, **kwargs):
    return getattr(nn, kind)(*args, **kwargs)


def _hidden(kind, out):
    """h_n of a layer's result, or of an LSTM's (h_n, c_n)."""
    return out[1][0] if kind == "LSTM" else out[1]


# ----- NumPy references of one step, from the formulas ----------------------------------------


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def _numpy_step(kind, x, state, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"):
    gx, gh = x @ w_ih.T + b_ih, state[0] @ w_hh.T + b_hh
    if kind == "RNN":
        total = gx + gh
        return (np.tanh(total) if nonlinearity == "tanh" else np.maximum(total, 0),)
    if kind == "LSTM":
        i, f, g, o = np.split(gx + gh, 4, axis=-1)
        c = _sigmoid(f) * state[1] + _sigmoid(i) * np.tanh(g)
        return _sigmoid(o) * np.tanh(c), c
    (x_r, x_z, x_n), (h_r, h_z, h_n) = np.split(gx, 3, axis=-1), np.split(gh, 3, axis=-1)
    r, z = _sigmoid(x_r + h_r), _sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return ((1 - z) * n + z * state[0],)


def _weights(module, suffix=""):
    """W_ih, W_hh, b_ih and b_hh as float64 arrays; 0 for a bias the module does not have."""
    parameters = [getattr(module, name + suffix, None)
                  for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    return [0.0 if p is None else p.detach().numpy().astype(np.float64) for p in parameters]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batched", [True, False])
def test_cells_compute_the_formulas(kind, batched):
    mt.manual_seed(0)
    cell = CELLS[kind](3, 4)
    shape = (2,) if batched else ()
    x = _random(*shape, 3)
    states = [_random(*shape, 4, seed=1), _random(*shape, 4, seed=2)][:2 if kind == "LSTM" else 1]
    hx = tuple(mt.tensor(s) for s in states) if kind == "LSTM" else mt.tensor(states[0])
    out = cell(mt.tensor(x), hx)
    got = out if kind == "LSTM" else (out,)
    expected = _numpy_step(kind, x.astype(np.float64), states, *_weights(cell))
    for mine, reference in zip(got, expected, strict=True):
        assert mine.shape == reference.shape and mine.dtype == np.float32
        np.testing.assert_allclose(mine.detach().numpy(), reference, rtol=1e-5, atol=1e-6)


def test_rnn_cell_with_relu_and_zero_state():
    mt.manual_seed(0)
    cell = nn.RNNCell(3, 4, nonlinearity="relu")
    x = _random(5, 3)
    expected = _numpy_step("RNN", x.astype(np.float64), [np.zeros((5, 4))], *_weights(cell),
                           nonlinearity="relu")[0]
    np.testing.assert_allclose(cell(mt.tensor(x)).detach().numpy(), expected, rtol=1e-5,
                               atol=1e-6)
    assert (expected == 0).any()  # relu did clip something


@pytest.mark.parametrize("kind", KINDS)
def test_cells_without_bias_and_without_state(kind):
    cell = CELLS[kind](3, 4, bias=False)
    assert [name for name, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]
    assert cell.bias_ih is None and cell.bias_hh is None
    out = cell(mt.tensor(_random(3)))
    h = out[0] if kind == "LSTM" else out
    assert h.shape == (4,)
    # no state and no bias: h' depends on x only through x W_ih^T, so x = 0 gives h' = 0
    zero = cell(mt.zeros(2, 3))
    for state in zero if kind == "LSTM" else (zero,):
        assert state.shape == (2, 4)
        if kind != "GRU":  # a GRU's h' = (1 - z) * tanh(0) + z * 0 = 0 as well
            np.testing.assert_array_equal(state.detach().numpy(), 0)


# ----- layers: their cells step by step ------------------------------------------------------


CONFIGS = {
    "plain": dict(),
    "batch_first": dict(batch_first=True),
    "two_layers": dict(num_layers=2),
    "bidirectional": dict(bidirectional=True),
    "deep_bidirectional": dict(num_layers=2, bidirectional=True, batch_first=True),
    "no_bias": dict(bias=False, num_layers=2),
}


def _by_cells(kind, layer, x, states):
    """The layer's result computed with NumPy steps: x (L, N, H_in) time first, states a
    list of (layers * directions, N, H) arrays; returns output and final states."""
    directions = 2 if layer.bidirectional else 1
    finals = []
    for k in range(layer.num_layers):
        outputs = []
        for d in range(directions):
            suffix = f"_l{k}" + ("_reverse" if d else "")
            weights = _weights(layer, suffix)
            state = [s[k * directions + d] for s in states]
            steps = range(len(x))
            out = [None] * len(x)
            for t in reversed(steps) if d else steps:
                state = _numpy_step(kind, x[t], state, *weights)
                out[t] = state[0]
            outputs.append(np.stack(out))
            finals.append(state)
        x = np.concatenate(outputs, axis=-1)
    return x, [np.stack(parts) for parts in zip(*finals, strict=True)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("config", CONFIGS)
def test_layers_run_their_cells_over_the_sequence(kind, config):
    options = CONFIGS[config]
    mt.manual_seed(1)
    layer = _layer(kind, 3, 4, **options)
    D = 2 if layer.bidirectional else 1
    L, N = 5, 2
    x = _random(N, L, 3) if layer.batch_first else _random(L, N, 3)
    states = [_random(layer.num_layers * D, N, 4, seed=s) for s in (1, 2)]
    states = states if kind == "LSTM" else states[:1]
    hx = tuple(mt.tensor(s) for s in states) if kind == "LSTM" else mt.tensor(states[0])
    output, final = layer(mt.tensor(x), hx)
    time_first = x.transpose(1, 0, 2) if layer.batch_first else x
    expected, expected_finals = _by_cells(kind, layer, time_first.astype(np.float64), states)
    if layer.batch_first:
        expected = expected.transpose(1, 0, 2)
    assert output.shape == ((N, L, D * 4) if layer.batch_first else (L, N, D * 4))
    np.testing.assert_allclose(output.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    for mine, reference in zip(final if kind == "LSTM" else (final,), expected_finals,
                               strict=True):
        assert mine.shape == (layer.num_layers * D, N, 4)  # batch_first leaves h_n alone
        np.testing.assert_allclose(mine.detach().numpy(), reference, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_unbatched_input_is_one_sequence_without_a_batch_dimension(kind):
    mt.manual_seed(0)
    layer = _layer(kind, 3, 4, num_layers=2, bidirectional=True)
    x = _random(6, 3)
    h0 = _random(4, 4, seed=1)
    hx = (mt.tensor(h0), mt.tensor(h0 * 0.5)) if kind == "LSTM" else mt.tensor(h0)
    output, final = layer(mt.tensor(x), hx)
    assert output.shape == (6, 8)
    for state in final if kind == "LSTM" else (final,):
        assert state.shape == (4, 4)
    batched_hx = tuple(s[:, None] for s in hx) if kind == "LSTM" else hx[:, None]
    batched_output, batched_final = layer(mt.tensor(x[:, None]), batched_hx)
    np.testing.assert_array_equal(output.detach().numpy(), batched_output.detach().numpy()[:, 0])
    np.testing.assert_array_equal(_hidden(kind, (output, final)).detach().numpy(),
                                  _hidden(kind, (0, batched_final)).detach().numpy()[:, 0])


@pytest.mark.parametrize("kind", KINDS)
def test_missing_states_are_zeros_and_the_result_continues_a_sequence(kind):
    mt.manual_seed(0)
    layer = _layer(kind, 3, 4, num_layers=2)
    x = mt.tensor(_random(6, 2, 3))
    zeros = mt.zeros(2, 2, 4)
    output, final = layer(x)
    given, _ = layer(x, (zeros, zeros) if kind == "LSTM" else zeros)
    np.testing.assert_array_equal(output.detach().numpy(), given.detach().numpy())
    # the last state of the first half starts the second half where the whole left off
    _, middle = layer(x[:3])
    second, end = layer(x[3:], middle)
    np.testing.assert_allclose(second.detach().numpy(), output.detach().numpy()[3:], atol=1e-6)
    np.testing.assert_allclose(_hidden(kind, (0, end)).detach().numpy(),
                               _hidden(kind, (0, final)).detach().numpy(), atol=1e-6)


def test_an_empty_batch_gives_empty_results():
    output, (h_n, c_n) = nn.LSTM(3, 4, bidirectional=True)(mt.zeros(5, 0, 3))
    assert output.shape == (5, 0, 8) and h_n.shape == c_n.shape == (2, 0, 4)


# ----- gradients ------------------------------------------------------------------------------


@contextlib.contextmanager
def _parameters_replaced(module, tensors):
    """The module computing with ``tensors`` (by parameter name) in place of its
    parameters, so that gradcheck can perturb them."""
    saved = dict(module.named_parameters())
    vars(module).update(tensors)
    try:
        yield
    finally:
        vars(module).update(saved)


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_match_finite_differences(kind):
    mt.manual_seed(0)
    layer = _layer(kind, 2, 2, num_layers=2, bidirectional=True, dtype=mt.float64)
    names = [name for name, _ in layer.named_parameters()]
    x, h0, c0 = _random(2, 1, 2, dtype=np.float64), _random(4, 1, 2, seed=1, dtype=np.float64), (
        _random(4, 1, 2, seed=2, dtype=np.float64))

    def run(x, h0, c0, *parameters):
        with _parameters_replaced(layer, dict(zip(names, parameters, strict=True))):
            output, final = layer(x, (h0, c0) if kind == "LSTM" else h0)
        states = final if kind == "LSTM" else (final,)
        return mt.cat([output.reshape(-1), *(s.reshape(-1) for s in states)])

    parameters = [p.detach().numpy() for p in layer.parameters()]
    assert mt.gradcheck(run, x, h0, c0, *parameters)


@pytest.mark.parametrize("kind", KINDS)
def test_cell_gradients_match_finite_differences(kind):
    mt.manual_seed(0)
    cell = CELLS[kind](3, 2, dtype=mt.float64)
    names = [name for name, _ in cell.named_parameters()]

    def step(x, h, c, *parameters):
        with _parameters_replaced(cell, dict(zip(names, parameters, strict=True))):
            out = cell(x, (h, c) if kind == "LSTM" else h)
        return mt.cat(out, dim=1) if kind == "LSTM" else out

    parameters = [p.detach().numpy() for p in cell.parameters()]
    assert mt.gradcheck(step, _random(2, 3, dtype=np.float64), _random(2, 2, seed=1,
                        dtype=np.float64), _random(2, 2, seed=2, dtype=np.float64), *parameters)


def test_an_lstm_learns_the_sum_of_a_short_sequence():
    mt.manual_seed(0)

    class Summer(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(1, 16, batch_first=True)
            self.head = nn.Linear(16, 1)

        def forward(self, x):
            _, (h_n, _) = self.lstm(x)
            return self.head(h_n[-1])

    model = Summer()
    optimizer = mt.optim.Adam(model.parameters(), lr=0.03)
    x = mt.tensor(np.random.default_rng(0).uniform(-1, 1, (64, 4, 1)).astype(np.float32))
    target = x.sum(dim=1)
    losses = []
    for _ in range(150):
        loss = nn.functional.mse_loss(model(x), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 50, (losses[0], losses[-1])


# ----- parameters, starting values, dtypes, repr -------------------------------------------------


def test_parameters_are_pytorchs_names_order_and_shapes():
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    expected = []
    for k, features in ((0, 3), (1, 10)):
        for suffix in ("", "_reverse"):
            expected += [(f"weight_ih_l{k}{suffix}", (20, features)),
                         (f"weight_hh_l{k}{suffix}", (20, 5)),
                         (f"bias_ih_l{k}{suffix}", (20,)), (f"bias_hh_l{k}{suffix}", (20,))]
    assert [(key, tuple(v.shape)) for key, v in lstm.state_dict().items()] == expected
    assert [name for name, _ in nn.GRU(3, 5, bias=False).named_parameters()] == [
        "weight_ih_l0", "weight_hh_l0"]
    assert nn.GRU(3, 5).weight_hh_l0.shape == (15, 5)
    assert nn.RNN(3, 5).weight_ih_l0.shape == (5, 3)
    assert list(nn.LSTMCell(3, 5).state_dict()) == ["weight_ih", "weight_hh", "bias_ih",
                                                    "bias_hh"]
    assert nn.GRUCell(3, 5).weight_ih.shape == (15, 3)


@pytest.mark.parametrize("make", [lambda: nn.GRU(4, 9, num_layers=2),
                                  lambda: nn.LSTMCell(4, 9), lambda: nn.RNN(4, 9)])
def test_parameters_start_uniform_within_one_over_sqrt_hidden_size(make):
    mt.manual_seed(3)
    module = make()
    values = np.concatenate([p.detach().numpy().ravel() for p in module.parameters()])
    bound = 1 / math.sqrt(9)
    assert values.min() >= -bound and values.max() < bound
    assert values.min() < -0.9 * bound and values.max() > 0.9 * bound
    assert abs(values.mean()) < 0.05
    mt.manual_seed(3)
    again = make()
    for p, q in zip(module.parameters(), again.parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    before = [p.detach().numpy().copy() for p in module.parameters()]
    module.reset_parameters()
    assert all(not np.array_equal(b, p.detach().numpy())
               for b, p in zip(before, module.parameters(), strict=True))


@pytest.mark.parametrize("make", [nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_layers_take_device_and_dtype(make):
    assert {p.dtype for p in make(3, 4).parameters()} == {np.dtype(np.float32)}
    layer = make(3, 4, device=mt.device("cpu"), dtype=mt.float64)
    assert {p.dtype for p in layer.parameters()} == {np.dtype(np.float64)}
    with pytest.raises(RuntimeError, match="CPU only"):
        make(3, 4, device="cuda")


def test_dtype_float64_and_double():
    lstm = nn.LSTM(3, 4, dtype=mt.float64)
    assert all(p.dtype == np.float64 for p in lstm.parameters())
    output, (h_n, c_n) = lstm(mt.tensor(_random(2, 1, 3)))  # float32 input computed in float64
    assert output.dtype == h_n.dtype == c_n.dtype == np.float64
    gru = nn.GRU(3, 4).double()
    assert gru(mt.tensor(_random(2, 1, 3)))[0].dtype == np.float64
    assert nn.GRUCell(3, 4).double()(mt.tensor(_random(3))).dtype == np.float64
    assert nn.RNN(3, 4)(mt.tensor(_random(2, 3)))[0].dtype == np.float32
    assert nn.RNNCell(3, 4, device="cpu").weight_ih.dtype == np.float32


def test_reprs_are_pytorchs():
    assert repr(nn.LSTM(10, 20, num_layers=2, batch_first=True)) == (
        "LSTM(10, 20, num_layers=2, batch_first=True)")
    assert repr(nn.GRU(10, 20)) == "GRU(10, 20)"
    assert repr(nn.RNN(1, 2, 2, "relu", False, True, 0.5, True)) == (
        "RNN(1, 2, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)")
    assert repr(nn.RNNCell(3, 4, False, "relu")) == "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    assert repr(nn.LSTMCell(3, 4)) == "LSTMCell(3, 4)"
    assert repr(nn.GRUCell(3, 4, bias=False)) == "GRUCell(3, 4, bias=False)"


def test_positional_arguments_follow_pytorchs_order():
    rnn = nn.RNN(3, 4, 2, "relu", False, True, 0.25, True)
    assert (rnn.num_layers, rnn.nonlinearity, rnn.bias, rnn.batch_first, rnn.dropout,
            rnn.bidirectional) == (2, "relu", False, True, 0.25, True)
    lstm = nn.LSTM(3, 4, 2, False, True, 0.25, True, 0)
    assert (lstm.num_layers, lstm.bias, lstm.batch_first, lstm.dropout, lstm.bidirectional,
            lstm.proj_size) == (2, False, True, 0.25, True, 0)


def test_flatten_parameters_changes_nothing():
    gru = nn.GRU(3, 4)
    before = {k: v.numpy().copy() for k, v in gru.state_dict().items()}
    assert gru.flatten_parameters() is None
    assert all(np.array_equal(before[k], v.numpy()) for k, v in gru.state_dict().items())


# ----- dropout between layers --------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_dropout_acts_between_layers_in_training_only(kind):
    mt.manual_seed(0)
    layer = _layer(kind, 3, 4, num_layers=2, dropout=1.0)
    x = mt.tensor(_random(4, 2, 3), requires_grad=True)
    output, _ = layer(x)
    output.sum().backward()
    # everything layer 0 passes up is dropped: the output does not depend on the input
    np.testing.assert_array_equal(x.grad.numpy(), 0)
    layer.eval()
    evaluated, _ = layer(x)
    without = _layer(kind, 3, 4, num_layers=2)
    without.load_state_dict(layer.state_dict())
    np.testing.assert_array_equal(evaluated.detach().numpy(), without(x)[0].detach().numpy())


def test_dropout_draws_from_the_default_generator():
    layer = nn.LSTM(3, 4, num_layers=3, dropout=0.5)
    x = mt.tensor(_random(4, 2, 3))
    mt.manual_seed(5)
    first = layer(x)[0].detach().numpy()
    mt.manual_seed(5)
    again = layer(x)[0].detach().numpy()
    second = layer(x)[0].detach().numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)


def test_dropout_with_one_layer_warns_that_it_does_nothing():
    with pytest.warns(UserWarning, match="no effect with num_layers=1"):
        nn.GRU(3, 4, dropout=0.5)


# ----- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "error", "match"), [
    (lambda: nn.LSTM(0, 4), ValueError, "LSTM input_size must be a positive int, got 0"),
    (lambda: nn.GRU(3, -1), ValueError, "GRU hidden_size must be a positive int, got -1"),
    (lambda: nn.RNN(3, 4, 0), ValueError, "RNN num_layers must be a positive int, got 0"),
    (lambda: nn.RNN(3, 2.5), ValueError, "hidden_size must be a positive int, got 2.5"),
    (lambda: nn.RNNCell(3, 0), ValueError, "RNNCell hidden_size must be a positive int"),
    (lambda: nn.GRUCell(0, 3), ValueError, "GRUCell input_size must be a positive int"),
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), ValueError,
     "nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"),
    (lambda: nn.RNNCell(3, 4, nonlinearity="gelu"), ValueError, "got 'gelu'"),
    (lambda: nn.LSTM(3, 4, 2, dropout=1.5), ValueError, r"dropout must be a probability in \[0, "
     r"1\], got 1.5"),
    (lambda: nn.GRU(3, 4, 2, dropout=-0.1), ValueError, "got -0.1"),
    (lambda: nn.RNN(3, 4, 2, dropout=True), ValueError, "got True"),
    (lambda: nn.LSTM(3, 4, proj_size=2), NotImplementedError,
     "proj_size=2: LSTM with projections is not supported"),
    (lambda: nn.LSTM(3, 4, proj_size=-1), ValueError, "proj_size must be an int >= 0"),
])
def test_bad_arguments_are_refused(make, error, match):
    with pytest.raises(error, match=match):
        make()


LSTM_ERRORS = [
    (mt.zeros(2, 2, 2, 3), None, ValueError,
     r"LSTM expected input of shape \(L, N, 3\), or \(L, 3\) unbatched, got shape \(2, 2, 2, 3\)"),
    (mt.zeros(3), None, ValueError, r"got shape \(3,\)"),
    (mt.zeros(5, 2, 4), None, ValueError, r"\(L, N, 3\).*got shape \(5, 2, 4\)"),
    (mt.zeros(0, 2, 3), None, ValueError, "at least one step"),
    (mt.zeros(5, 2, 3), (mt.zeros(2, 3, 4), mt.zeros(2, 2, 4)), ValueError,
     r"LSTM expected h_0 of shape \(2, 2, 4\) \(num_layers \* num_directions, N, hidden_size\), "
     r"got shape \(2, 3, 4\)"),
    (mt.zeros(5, 2, 3), (mt.zeros(2, 2, 4), mt.zeros(1, 2, 4)), ValueError,
     r"expected c_0 of shape \(2, 2, 4\).*got shape \(1, 2, 4\)"),
    (mt.zeros(5, 3), (mt.zeros(2, 1, 4), mt.zeros(2, 1, 4)), ValueError,
     r"h_0 of shape \(2, 4\) \(num_layers \* num_directions, hidden_size\) for unbatched"),
    (mt.zeros(5, 2, 3), mt.zeros(2, 2, 4), TypeError,
     r"LSTM expected hx as a tuple \(h_0, c_0\), got Tensor"),
    (mt.zeros(5, 2, 3), (mt.zeros(2, 2, 4),), TypeError, "got 1 values"),
]


@pytest.mark.parametrize(("x", "hx", "error", "match"), LSTM_ERRORS)
def test_bad_lstm_inputs_are_refused(x, hx, error, match):
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(error, match=match):
        lstm(x, hx)


def test_bad_rnn_and_gru_inputs_are_refused():
    with pytest.raises(ValueError, match=r"GRU expected input of shape \(N, L, 3\)"):
        nn.GRU(3, 4, batch_first=True)(mt.zeros(2, 5, 2))
    with pytest.raises(ValueError, match=r"RNN expected h_0 of shape \(2, 2, 4\).*got shape "
                                         r"\(1, 2, 4\)"):
        nn.RNN(3, 4, bidirectional=True)(mt.zeros(5, 2, 3), mt.zeros(1, 2, 4))
    with pytest.raises(TypeError, match="GRU expected hx as one tensor h_0, got a tuple"):
        nn.GRU(3, 4)(mt.zeros(5, 2, 3), (mt.zeros(1, 2, 4),))


def test_bad_cell_inputs_are_refused():
    with pytest.raises(ValueError, match=r"LSTMCell expected input of shape \(N, 3\) or "
                                         r"\(3,\), got shape \(2, 2, 3\)"):
        nn.LSTMCell(3, 4)(mt.zeros(2, 2, 3))
    with pytest.raises(ValueError, match=r"GRUCell expected input .* got shape \(2, 5\)"):
        nn.GRUCell(3, 4)(mt.zeros(2, 5))
    with pytest.raises(ValueError, match=r"RNNCell expected h_0 of shape \(2, 4\) \(N, "
                                         r"hidden_size\), got shape \(3, 4\)"):
        nn.RNNCell(3, 4)(mt.zeros(2, 3), mt.zeros(3, 4))
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(4,\) \(hidden_size,\) for an "
                                         r"unbatched input, got shape \(1, 4\)"):
        nn.GRUCell(3, 4)(mt.zeros(3), mt.zeros(1, 4))
    with pytest.raises(TypeError, match=r"LSTMCell expected hx as a tuple \(h_0, c_0\)"):
        nn.LSTMCell(3, 4)(mt.zeros(2, 3), mt.zeros(2, 4))
