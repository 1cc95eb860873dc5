"""Generators, the random factories and multinomial sampling: reproducibility, statistics and
every error they raise."""

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn


def _draws(generator):
    """One number stream from every random factory, as arrays."""
    base = mt.zeros(2, 3)
    return [
        mt.rand(3, generator=generator).numpy(),
        mt.randn(2, 2, generator=generator).numpy(),
        mt.randint(0, 10, (5,), generator=generator).numpy(),
        mt.randperm(6, generator=generator).numpy(),
        mt.multinomial(mt.tensor([0.2, 0.3, 0.5]), 4, True, generator=generator).numpy(),
        mt.rand_like(base, generator=generator).numpy(),
        mt.randn_like(base, generator=generator).numpy(),
    ]


def _assert_same(first, second):
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_same_seed_gives_same_numbers():
    _assert_same(_draws(mt.Generator().manual_seed(5)), _draws(mt.Generator().manual_seed(5)))
    assert not np.array_equal(mt.rand(8, generator=mt.Generator().manual_seed(5)).numpy(),
                              mt.rand(8, generator=mt.Generator().manual_seed(6)).numpy())


def test_generator_is_independent_of_the_global_seed():
    mt.manual_seed(0)
    first = _draws(mt.Generator().manual_seed(2147483647))
    mt.manual_seed(1)
    mt.randn(100)  # the default generator moves on; a Generator of its own does not notice
    _assert_same(first, _draws(mt.Generator().manual_seed(2147483647)))


def test_generator_draws_leave_the_default_generator_alone():
    mt.manual_seed(3)
    expected = mt.rand(4).numpy()
    mt.manual_seed(3)
    mt.rand(10, generator=mt.Generator().manual_seed(0))
    np.testing.assert_array_equal(mt.rand(4).numpy(), expected)


def test_manual_seed_returns_the_generator_and_remembers_the_seed():
    g = mt.Generator()
    assert g.manual_seed(42) is g and g.initial_seed() == 42
    assert mt.manual_seed(7) is mt.default_generator and mt.initial_seed() == 7
    assert g.manual_seed(-1).initial_seed() == 2**64 - 1  # as PyTorch reads negative seeds


def test_seed_picks_a_fresh_seed_and_reports_it():
    g = mt.Generator()
    fresh = g.seed()
    assert g.initial_seed() == fresh
    expected = mt.rand(3, generator=mt.Generator().manual_seed(fresh)).numpy()
    np.testing.assert_array_equal(mt.rand(3, generator=g.manual_seed(fresh)).numpy(), expected)
    assert mt.Generator().initial_seed() == 67280421310721  # a new one starts as PyTorch's
    assert mt.seed() == mt.initial_seed()


@pytest.mark.parametrize(("seed", "error"), [(1.5, TypeError), (True, TypeError),
                                             ("1", TypeError), (2**64, ValueError),
                                             (-(2**63) - 1, ValueError)])
def test_bad_seed_raises(seed, error):
    with pytest.raises(error, match="seed"):
        mt.Generator().manual_seed(seed)


def test_generator_only_on_the_cpu():
    assert mt.Generator("cpu").device == "cpu"
    with pytest.raises(ValueError, match="only the CPU"):
        mt.Generator("cuda")


def test_generator_argument_must_be_a_generator():
    with pytest.raises(TypeError, match="minitorch.Generator, got int"):
        mt.rand(2, generator=3)
    with pytest.raises(TypeError, match="minitorch.Generator, got Generator"):
        mt.randn(2, generator=np.random.default_rng(0))


# ----- factories --------------------------------------------------------------------------


def test_rand_and_randn_dtypes_and_ranges():
    g = mt.Generator().manual_seed(0)
    u = mt.rand(1000, generator=g)
    assert u.dtype == np.float32 and 0 <= u.numpy().min() and u.numpy().max() < 1
    n = mt.randn((10, 100), dtype=np.float64, generator=g)
    assert n.shape == (10, 100) and n.dtype == np.float64
    assert abs(n.numpy().mean()) < 0.1 and abs(n.numpy().std() - 1) < 0.1
    like = mt.randn_like(mt.zeros(3, dtype=np.float64), requires_grad=True)
    assert like.dtype == np.float64 and like.requires_grad


@pytest.mark.parametrize("make", [lambda: mt.rand(2, dtype=np.int64),
                                  lambda: mt.randn(2, dtype=np.int64),
                                  lambda: mt.rand_like(mt.tensor([1, 2])),
                                  lambda: mt.randn_like(mt.tensor([True]))])
def test_random_floats_need_a_float_dtype(make):
    with pytest.raises(TypeError, match="floating-point"):
        make()


@pytest.mark.parametrize(
    ("args", "kwargs", "low", "high", "shape"),
    [((10, (5,)), {}, 0, 10, (5,)),
     ((3, 10, (2, 4)), {}, 3, 10, (2, 4)),
     ((10,), {"size": (3,)}, 0, 10, (3,)),
     ((), {"high": 10, "size": (3,)}, 0, 10, (3,)),
     ((), {"low": -4, "high": -1, "size": 7}, -4, -1, (7,))],
)
def test_randint_signature_forms(args, kwargs, low, high, shape):
    values = mt.randint(*args, **kwargs, generator=mt.Generator().manual_seed(1))
    assert values.shape == shape and values.dtype == np.int64
    assert low <= values.numpy().min() and values.numpy().max() < high


def test_randint_covers_its_range_and_takes_a_dtype():
    values = mt.randint(0, 3, (300,), generator=mt.Generator().manual_seed(0)).numpy()
    assert set(values.tolist()) == {0, 1, 2}
    assert mt.randint(5, (2,), dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: mt.randint(5, 3, (2,)), ValueError, "low < high, got low=5, high=3"),
    (lambda: mt.randint(5, 5, (2,)), ValueError, "low < high"),
    (lambda: mt.randint(5.5, (2,)), TypeError, "high must be an int, got float"),
    (lambda: mt.randint(0, 5), TypeError, "needs a size"),
])
def test_randint_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_randperm_is_a_permutation():
    perm = mt.randperm(20, generator=mt.Generator().manual_seed(0))
    assert perm.dtype == np.int64 and sorted(perm.tolist()) == list(range(20))
    assert mt.randperm(0).shape == (0,)
    with pytest.raises(ValueError, match="n must be >= 0, got -1"):
        mt.randperm(-1)
    with pytest.raises(TypeError, match="n must be an int"):
        mt.randperm(2.0)


# ----- multinomial ------------------------------------------------------------------------


def test_multinomial_frequencies_follow_the_weights():
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    draws = mt.multinomial(mt.tensor(weights), 20_000, replacement=True,
                           generator=mt.Generator().manual_seed(0))
    assert draws.shape == (20_000,) and draws.dtype == np.int64
    observed = np.bincount(draws.numpy(), minlength=4)
    expected = 20_000 * weights / weights.sum()
    chi_square = ((observed - expected) ** 2 / expected).sum()
    assert chi_square < 16.3  # the 0.1% critical value with 3 degrees of freedom


def test_multinomial_rows_are_separate_distributions():
    probs = mt.tensor([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]])
    draws = probs.multinomial(500, replacement=True, generator=mt.Generator().manual_seed(0))
    assert draws.shape == (2, 500)
    assert (draws.numpy()[0] == 1).all()
    assert set(draws.numpy()[1].tolist()) == {0, 2}  # a zero weight is never drawn


def test_multinomial_without_replacement_draws_each_category_once():
    weights = mt.tensor([[1.0, 0.0, 2.0, 3.0, 1.0]] * 3)
    draws = mt.multinomial(weights, 4, generator=mt.Generator().manual_seed(0)).numpy()
    for row in draws:
        assert sorted(row.tolist()) == [0, 2, 3, 4]
    # the first draw of each row follows the weights
    firsts = mt.multinomial(mt.tensor([[1.0, 3.0]] * 4000), 2,
                            generator=mt.Generator().manual_seed(1)).numpy()[:, 0]
    assert abs((firsts == 1).mean() - 0.75) < 0.03


def test_multinomial_of_no_rows_draws_nothing():
    """As in PyTorch: sampling zero names at the end of a run gives an empty (0, k) result."""
    for replacement in (False, True):
        draws = mt.multinomial(mt.ones(0, 27), 3, replacement=replacement)
        assert draws.shape == (0, 3) and draws.dtype == mt.int64


def test_multinomial_one_sample_as_in_makemore():
    probs = mt.tensor([[0.1, 0.7, 0.2]])
    ix = mt.multinomial(probs, num_samples=1, generator=mt.Generator().manual_seed(0)).item()
    assert isinstance(ix, int) and ix in (0, 1, 2)


@pytest.mark.parametrize(("weights", "num_samples", "replacement", "error", "match"), [
    ([0.5, -0.1, 0.6], 1, True, ValueError, "finite and >= 0"),
    ([0.5, np.nan], 1, True, ValueError, "finite and >= 0"),
    ([0.5, np.inf], 1, True, ValueError, "finite and >= 0"),
    ([[1.0, 1.0], [0.0, 0.0]], 1, True, ValueError, "row 1 sum to 0"),
    ([1.0, 1.0], 3, False, ValueError, "cannot draw 3 samples without replacement from 2"),
    ([1.0, 0.0, 1.0], 3, False, ValueError, "only 2 categories of non-zero weight"),
    ([1.0, 1.0], 0, True, ValueError, "num_samples > 0, got 0"),
    ([1.0, 1.0], 1.0, True, TypeError, "num_samples must be an int"),
    ([[[1.0]]], 1, True, ValueError, "1-D or 2-D weights, got 3-D"),
    (np.array([1, 2]), 1, True, TypeError, "floating-point weights, got dtype int64"),
])
def test_multinomial_errors(weights, num_samples, replacement, error, match):
    weights = mt.tensor(np.asarray(weights))
    with pytest.raises(error, match=match):
        mt.multinomial(weights, num_samples, replacement)


@pytest.mark.parametrize("fn", [nn.init.uniform_, nn.init.normal_, nn.init.kaiming_uniform_,
                                nn.init.kaiming_normal_, nn.init.xavier_uniform_,
                                nn.init.xavier_normal_])
def test_init_functions_take_a_generator(fn):
    first = fn(mt.zeros(4, 3), generator=mt.Generator().manual_seed(9)).numpy()
    mt.manual_seed(0)
    again = fn(mt.zeros(4, 3), generator=mt.Generator().manual_seed(9)).numpy()
    np.testing.assert_array_equal(first, again)
    assert first.any()


def test_in_place_fills_take_a_generator():
    first = mt.zeros(5).normal_(generator=mt.Generator().manual_seed(3))
    again = mt.zeros(5).normal_(generator=mt.Generator().manual_seed(3))
    assert first.tolist() == again.tolist() and first.numpy().any()
    uniform = mt.zeros(50).uniform_(2.0, 3.0, generator=mt.Generator().manual_seed(3)).numpy()
    assert 2.0 <= uniform.min() and uniform.max() < 3.0


def test_rng_state_round_trip_repeats_the_same_numbers(tmp_path):
    mt.manual_seed(3)
    mt.randn(5)
    state = mt.get_rng_state()
    assert state.dtype == mt.uint8 and state.ndim == 1
    first = (mt.randn(4), mt.randint(0, 100, (6,)), mt.rand(3))
    mt.save({"rng": state}, tmp_path / "rng.npz")  # checkpoints carry it, pickle-free
    mt.set_rng_state(mt.load(tmp_path / "rng.npz")["rng"])
    again = (mt.randn(4), mt.randint(0, 100, (6,)), mt.rand(3))
    for a, b in zip(first, again, strict=True):
        assert a.tolist() == b.tolist()
    assert mt.initial_seed() == 3


def test_generator_state_moves_between_generators():
    g = mt.Generator().manual_seed(7)
    state = g.get_state()
    drawn = mt.randn(3, generator=g)
    other = mt.Generator().set_state(state)
    assert mt.randn(3, generator=other).tolist() == drawn.tolist()
    assert other.initial_seed() == 7
    with pytest.raises(RuntimeError, match="uint8 tensor of 2528 bytes"):
        other.set_state(mt.zeros(3))


def test_normal_draws_each_overload_from_its_distribution():
    mean = mt.tensor([-5.0, 0.0, 5.0]).reshape(3, 1)
    sample = mt.normal(mean, mt.full((1, 20000), 2.0), generator=mt.Generator().manual_seed(0))
    assert sample.shape == (3, 20000) and sample.dtype == mt.float32
    np.testing.assert_allclose(sample.numpy().mean(1), [-5.0, 0.0, 5.0], atol=0.05)
    np.testing.assert_allclose(sample.numpy().std(1), [2.0] * 3, rtol=0.03)
    sized = mt.normal(1.0, 0.5, (20000,), generator=mt.Generator().manual_seed(0))
    assert abs(sized.mean().item() - 1.0) < 0.02 and abs(sized.std().item() - 0.5) < 0.02
    again = mt.normal(1.0, 0.5, size=(20000,), generator=mt.Generator().manual_seed(0))
    assert again.tolist() == sized.tolist()
    assert mt.normal(mt.zeros(2, dtype=mt.float64), 1.0).dtype == mt.float64
    assert mt.normal(0.0, mt.ones(4)).shape == (4,)
    with pytest.raises(TypeError, match="needs a size"):
        mt.normal(0.0, 1.0)
    with pytest.raises(TypeError, match="size only with a float mean and std"):
        mt.normal(mt.zeros(2), 1.0, (2,))
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        mt.normal(mt.zeros(2), mt.tensor([1.0, -1.0]))
