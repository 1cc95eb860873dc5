"""RNN, LSTM, GRU and their cells against PyTorch: from PyTorch's state_dict, the same
outputs, final states and gradients (of the input, the initial states and every parameter)
in every layout; the same starting values from the same seed; the same dropout masks
between layers. Runs where torch is installed."""

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn

torch = pytest.importorskip("torch")

TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}
TORCH_DTYPES = {np.float32: torch.float32, np.float64: torch.float64}

CONFIGS = {
    "plain": dict(),
    "two_layers": dict(num_layers=2),
    "bidirectional": dict(bidirectional=True),
    "two_layers_bidirectional_batch_first": dict(num_layers=2, bidirectional=True,
                                                 batch_first=True),
    "batch_first": dict(batch_first=True),
    "no_bias": dict(num_layers=2, bias=False),
}
# every configuration for every kind, and relu for RNN, named kind-configuration
LAYER_CASES = {f"{kind}-{name}": (kind, options) for kind in ("RNN", "LSTM", "GRU")
               for name, options in CONFIGS.items()}
LAYER_CASES["RNN-relu"] = ("RNN", dict(nonlinearity="relu", num_layers=2))


def _numbers(tensor):
    return tensor.detach().numpy()


def _copy_weights(reference, module):
    """PyTorch's state_dict, as NumPy arrays, into ``module``; the keys must be the same,
    in the same order."""
    state = {key: value.detach().numpy().copy() for key, value in reference.state_dict().items()}
    assert list(state) == list(module.state_dict())
    module.load_state_dict(state)


def _pair(kind, dtype, *args, **kwargs):
    """(PyTorch's module, minitorch's with its weights)."""
    torch.manual_seed(0)
    reference = getattr(torch.nn, kind)(*args, **kwargs, dtype=TORCH_DTYPES[dtype])
    module = getattr(nn, kind)(*args, **kwargs, dtype=dtype)
    _copy_weights(reference, module)
    return reference, module


def _leaves(arrays):
    """The same arrays as leaves requiring grad in both libraries."""
    return ([torch.tensor(a, requires_grad=True) for a in arrays],
            [mt.tensor(a, requires_grad=True) for a in arrays])


def _input_and_states(rng, input_shape, state_shape, kind, dtype):
    """A random input, then a random initial state (h, and c for an LSTM)."""
    count = 2 if kind.startswith("LSTM") else 1
    return [rng.standard_normal(shape).astype(dtype)
            for shape in (input_shape, *[state_shape] * count)]


def _call(layer, leaves):
    """``layer`` on the input and the initial states among ``leaves``: none, h, or an
    LSTM's (h, c) as one tuple."""
    if len(leaves) == 1:
        return layer(leaves[0])
    return layer(leaves[0], leaves[1] if len(leaves) == 2 else tuple(leaves[1:]))


def _flat(result):
    """A module's result (a tensor, or nested tuples of them) as a list of tensors."""
    if isinstance(result, tuple):
        return [t for part in result for t in _flat(part)]
    return [result]


def _compare(reference, module, their_result, our_result, their_leaves, our_leaves, dtype):
    """The results, then the gradients of the leaves and of every parameter after backward
    of the same random weighting of all results; returns the largest difference."""
    tolerance, rng, largest = TOLERANCE[dtype], np.random.default_rng(7), 0.0
    theirs, ours = _flat(their_result), _flat(our_result)
    assert len(theirs) == len(ours)
    their_loss = our_loss = 0
    for t, o in zip(theirs, ours, strict=True):
        assert tuple(t.shape) == o.shape and o.dtype == dtype
        np.testing.assert_allclose(_numbers(o), _numbers(t), rtol=tolerance, atol=tolerance)
        largest = max(largest, float(np.abs(_numbers(o) - _numbers(t)).max(initial=0)))
        weights = rng.standard_normal(o.shape).astype(dtype)
        their_loss = their_loss + (t * torch.tensor(weights)).sum()
        our_loss = our_loss + (o * mt.tensor(weights)).sum()
    their_loss.backward()
    our_loss.backward()
    their_grads = [t.grad for t in their_leaves] + [p.grad for p in reference.parameters()]
    our_grads = [o.grad for o in our_leaves] + [p.grad for p in module.parameters()]
    for t, o in zip(their_grads, our_grads, strict=True):
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=tolerance, atol=tolerance)
        largest = max(largest, float(np.abs(o.numpy() - t.numpy()).max()))
    return largest


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize(("kind", "options"), LAYER_CASES.values(), ids=LAYER_CASES.keys())
def test_layers_match_pytorch(kind, options, with_state, dtype):
    reference, module = _pair(kind, dtype, 3, 4, **options)
    D = 2 if module.bidirectional else 1
    rng = np.random.default_rng(1)
    L, N = 5, 2
    arrays = _input_and_states(rng, (N, L, 3) if module.batch_first else (L, N, 3),
                               (module.num_layers * D, N, 4), kind, dtype)
    their_leaves, our_leaves = _leaves(arrays if with_state else arrays[:1])
    largest = _compare(reference, module, _call(reference, their_leaves),
                       _call(module, our_leaves), their_leaves, our_leaves, dtype)
    assert largest <= TOLERANCE[dtype]


@pytest.mark.parametrize("batch_first", [False, True])  # no batch: (L, H_in) either way
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_unbatched_layers_match_pytorch(kind, batch_first):
    reference, module = _pair(kind, np.float32, 3, 4, num_layers=2, bidirectional=True,
                              batch_first=batch_first)
    rng = np.random.default_rng(2)
    their_leaves, our_leaves = _leaves(_input_and_states(rng, (6, 3), (4, 4), kind, np.float32))
    _compare(reference, module, _call(reference, their_leaves), _call(module, our_leaves),
             their_leaves, our_leaves, np.float32)


CELL_CASES = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("RNNCell", {"bias": False}),
              ("LSTMCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {}),
              ("GRUCell", {"bias": False})]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize(("kind", "options"), CELL_CASES,
                         ids=[f"{k}-{'-'.join(map(str, o.values()))}" for k, o in CELL_CASES])
def test_cells_match_pytorch(kind, options, batched, dtype):
    reference, module = _pair(kind, dtype, 3, 4, **options)
    rng = np.random.default_rng(3)
    batch = (2,) if batched else ()
    arrays = _input_and_states(rng, (*batch, 3), (*batch, 4), kind, dtype)
    their_leaves, our_leaves = _leaves(arrays)
    largest = _compare(reference, module, _call(reference, their_leaves),
                       _call(module, our_leaves), their_leaves, our_leaves, dtype)
    assert largest <= TOLERANCE[dtype]
    # without a state: zeros in both
    reference.zero_grad()
    module.zero_grad()
    their_x, our_x = _leaves(arrays[:1])
    _compare(reference, module, reference(*their_x), module(*our_x), their_x, our_x, dtype)


MODULES = [("RNN", (5, 7), dict(num_layers=2, bidirectional=True)),
           ("LSTM", (5, 7), dict(num_layers=2)), ("GRU", (5, 7), dict(bidirectional=True)),
           ("RNNCell", (5, 7), {}), ("LSTMCell", (5, 7), {}), ("GRUCell", (5, 7), {})]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("kind", "args", "options"), MODULES, ids=[m[0] for m in MODULES])
def test_the_same_seed_gives_pytorchs_starting_values(kind, args, options, seed):
    for dtype in (np.float32, np.float64):
        torch.manual_seed(seed)
        reference = getattr(torch.nn, kind)(*args, **options, dtype=TORCH_DTYPES[dtype])
        mt.manual_seed(seed)
        module = getattr(nn, kind)(*args, **options, dtype=dtype)
        theirs, ours = reference.state_dict(), module.state_dict()
        assert list(theirs) == list(ours)
        for key in theirs:
            if dtype == np.float32:
                np.testing.assert_array_equal(_numbers(ours[key]), _numbers(theirs[key]))
            else:  # PyTorch rounds u * (b - a) + a once where NumPy rounds twice
                np.testing.assert_allclose(_numbers(ours[key]), _numbers(theirs[key]),
                                           rtol=0, atol=1e-15)
        # the next draw is the same too: both consumed the same numbers
        assert float(mt.rand(1).item()) == float(torch.rand(1).item())


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_dropout_between_layers_draws_pytorchs_masks(kind, bidirectional):
    # Both libraries draw one Bernoulli mask over each layer's whole output (L, N, D * H),
    # time first, from the default generator, layer after layer: the same seed drops the
    # same elements.
    reference, module = _pair(kind, np.float32, 3, 4, num_layers=3, dropout=0.4,
                              bidirectional=bidirectional, batch_first=True)
    x = np.random.default_rng(4).standard_normal((2, 5, 3)).astype(np.float32)
    their_leaves, our_leaves = _leaves([x])
    torch.manual_seed(11)
    their_result = reference(*their_leaves)
    mt.manual_seed(11)
    our_result = module(*our_leaves)
    _compare(reference, module, their_result, our_result, their_leaves, our_leaves, np.float32)
    reference.eval()
    module.eval()
    dropped, kept = _numbers(our_result[0]), _numbers(module(our_leaves[0])[0])
    assert not np.allclose(dropped, kept)  # dropout did act in training mode


def test_reprs_match_pytorch():
    cases = [("LSTM", (10, 20), dict(num_layers=2, batch_first=True)),
             ("RNN", (1, 2), dict(nonlinearity="relu", bias=False, dropout=0.5, num_layers=2,
                                  bidirectional=True)),
             ("GRU", (3, 4), {}), ("RNNCell", (3, 4), dict(bias=False, nonlinearity="relu")),
             ("LSTMCell", (3, 4), {}), ("GRUCell", (3, 4), dict(bias=False))]
    for kind, args, options in cases:
        assert repr(getattr(nn, kind)(*args, **options)) == repr(
            getattr(torch.nn, kind)(*args, **options))


def test_errors_are_raised_where_pytorch_raises():
    # (An LSTM given one tensor for hx is left out: PyTorch indexes it as the pair and fails
    # with an IndexError; minitorch says that it expected the tuple (h_0, c_0).)
    x = np.zeros((5, 2, 3), dtype=np.float32)
    bad_calls = [
        lambda lib: lib.nn.LSTM(3, 4)(lib.tensor(np.zeros((5, 2, 2), dtype=np.float32))),
        lambda lib: lib.nn.LSTM(3, 4)(lib.tensor(np.zeros((2, 2, 2, 3), dtype=np.float32))),
        lambda lib: lib.nn.GRU(3, 4)(lib.tensor(x), lib.zeros(1, 3, 4)),
        lambda lib: lib.nn.LSTM(3, 4)(lib.tensor(x), (lib.zeros(1, 2, 4), lib.zeros(2, 2, 4))),
        lambda lib: lib.nn.RNN(3, 4)(lib.tensor(x[:0])),
        lambda lib: lib.nn.RNN(3, 4, nonlinearity="sigmoid"),
        lambda lib: lib.nn.GRU(3, 4, num_layers=2, dropout=2.0),
        lambda lib: lib.nn.LSTM(3, 0),
        lambda lib: lib.nn.LSTMCell(3, 4)(lib.zeros(2, 5)),
        lambda lib: lib.nn.GRUCell(3, 4)(lib.zeros(2, 3), lib.zeros(3, 4)),
    ]
    for call in bad_calls:
        for library in (torch, mt):
            with pytest.raises((ValueError, RuntimeError, TypeError)):
                call(library)
