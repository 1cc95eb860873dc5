"""The same seed gives PyTorch's numbers: every random factory, in-place sampler, layer
initialisation, dropout mask and shuffle, against PyTorch itself (skipped without it)."""

import numpy as np
import pytest

import minitorch as mt

torch = pytest.importorskip("torch")

SEED = 2147483647  # the seed of Karpathy's makemore lectures


def _pair(seed=SEED):
    return mt.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def _same(ours, theirs, rounded=False):
    ours, theirs = np.asarray(ours), np.asarray(theirs.detach().numpy())
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    if rounded:  # normal samples: each processor rounds log, cos and sin its own way
        np.testing.assert_allclose(ours, theirs, rtol=5e-7, atol=5e-7)
    else:
        np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("size", [1, 3, 15, 16, 17, 100, 1000])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rand_and_randn(size, dtype):
    ours, theirs = _pair()
    for _ in range(2):  # the second call starts where the first left, a kept normal included
        _same(mt.rand(size, generator=ours, dtype=getattr(mt, dtype)),
              torch.rand(size, generator=theirs, dtype=getattr(torch, dtype)))
        _same(mt.randn(size, generator=ours, dtype=getattr(mt, dtype)),
              torch.randn(size, generator=theirs, dtype=getattr(torch, dtype)), rounded=True)


def test_the_default_generator_and_a_new_generator():
    mt.manual_seed(42)
    torch.manual_seed(42)
    _same(mt.randn(4, 5), torch.randn(4, 5), rounded=True)
    _same(mt.rand(7), torch.rand(7))
    _same(mt.rand(3, generator=mt.Generator()), torch.rand(3, generator=torch.Generator()))


@pytest.mark.parametrize(("low", "high"), [(0, 10), (-5, 32033), (0, 2**40)])
def test_randint_and_random_(low, high):
    ours, theirs = _pair()
    _same(mt.randint(low, high, (50,), generator=ours),
          torch.randint(low, high, (50,), generator=theirs))
    for dtype in ("int64", "int32", "float32", "float64", "bool"):
        _same(mt.empty(20, dtype=getattr(mt, dtype)).random_(generator=ours),
              torch.empty(20, dtype=getattr(torch, dtype)).random_(generator=theirs))


@pytest.mark.parametrize("n", [1, 2, 10, 1000])
def test_randperm(n):
    ours, theirs = _pair()
    _same(mt.randperm(n, generator=ours), torch.randperm(n, generator=theirs))


@pytest.mark.parametrize(("num_samples", "replacement"), [(1, True), (1, False), (5, False),
                                                          (5, True), (200, True)])
def test_multinomial(num_samples, replacement):
    weights = np.random.default_rng(0).random((4, 27)).astype(np.float32)
    ours, theirs = _pair()
    for rows in (weights, weights[0]):
        _same(mt.multinomial(mt.tensor(rows), num_samples, replacement, generator=ours),
              torch.multinomial(torch.tensor(rows), num_samples, replacement, generator=theirs))


def test_distributions_filled_in_place():
    ours, theirs = _pair()
    for dtype in ("float32", "float64"):
        mine, yours = mt.empty(300, dtype=getattr(mt, dtype)), torch.empty(
            300, dtype=getattr(torch, dtype))
        _same(mine.uniform_(-0.3, 0.7, generator=ours), yours.uniform_(-0.3, 0.7,
                                                                        generator=theirs))
        _same(mine.normal_(0.5, 2.0, generator=ours), yours.normal_(0.5, 2.0, generator=theirs),
              rounded=True)
        _same(mine.exponential_(2.5, generator=ours), yours.exponential_(2.5, generator=theirs),
              rounded=True)
        _same(mine.bernoulli_(0.3, generator=ours), yours.bernoulli_(0.3, generator=theirs))
    p = np.random.default_rng(1).random(50).astype(np.float32)
    _same(mt.bernoulli(mt.tensor(p), generator=ours), torch.bernoulli(torch.tensor(p),
                                                                      generator=theirs))
    _same(mt.normal(1.0, 3.0, (40,), generator=ours),
          torch.normal(1.0, 3.0, (40,), generator=theirs), rounded=True)


def test_layers_start_from_pytorchs_weights_for_the_same_seed():
    mt.manual_seed(3)
    torch.manual_seed(3)
    for ours, theirs in ((mt.nn.Linear(784, 128), torch.nn.Linear(784, 128)),
                         (mt.nn.Conv2d(3, 16, 5), torch.nn.Conv2d(3, 16, 5)),
                         (mt.nn.Linear(5, 2, bias=False), torch.nn.Linear(5, 2, bias=False))):
        for name, value in theirs.state_dict().items():
            _same(ours.state_dict()[name], value)
    _same(mt.nn.Embedding(27, 10).weight, torch.nn.Embedding(27, 10).weight, rounded=True)


def test_dropout_masks():
    mt.manual_seed(7)
    torch.manual_seed(7)
    for p in (0.1, 0.5):
        _same(mt.nn.functional.dropout(mt.ones(4, 50), p),
              torch.nn.functional.dropout(torch.ones(4, 50), p))
    _same(mt.nn.Dropout2d(0.5)(mt.ones(2, 8, 3, 3)),
          torch.nn.Dropout2d(0.5)(torch.ones(2, 8, 3, 3)))


def test_shuffled_batches_and_random_split():
    for library in (mt, torch):
        library.manual_seed(11)
    loaders = []
    for library in (mt, torch):
        data = library.utils.data.TensorDataset(library.arange(20))
        loaders.append([library.utils.data.DataLoader(data, batch_size=6, shuffle=True),
                        library.utils.data.DataLoader(data, batch_size=6, shuffle=True,
                                                      generator=library.Generator())])
    for ours, theirs in zip(*loaders, strict=True):
        for _ in range(2):  # two epochs
            assert [b[0].tolist() for b in ours] == [b[0].tolist() for b in theirs]
    ours, theirs = _pair(5)
    assert ([list(s.indices) for s in mt.utils.data.random_split(range(10), [3, 7], ours)]
            == [list(s.indices) for s in torch.utils.data.random_split(range(10), [3, 7],
                                                                       theirs)])


def test_makemore_bigram_samples_the_lectures_names():
    """Karpathy's makemore part 1 samples names from a 27x27 matrix of bigram counts."""
    counts = np.random.default_rng(0).integers(0, 500, (27, 27)).astype(np.float32)
    names = []
    for library in (mt, torch):
        probabilities = library.tensor(counts + 1)
        probabilities /= probabilities.sum(1, keepdim=True)
        g = library.Generator().manual_seed(SEED)
        drawn = []
        for _ in range(20):
            index = 0
            while True:
                index = library.multinomial(probabilities[index], num_samples=1,
                                            replacement=True, generator=g).item()
                drawn.append(index)
                if index == 0:
                    break
        names.append(drawn)
    assert names[0] == names[1]
