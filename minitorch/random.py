"""Random numbers: :class:`Generator` objects, and the default generator behind every random
choice minitorch makes when no generator is given (``rand``, ``randn``, weight
initialisation, dropout, shuffling), so that ``manual_seed`` makes a whole run reproducible.

A Generator is PyTorch's CPU generator: a Mersenne Twister (MT19937) started from the low 32
bits of the seed, read as PyTorch reads it. ``rand``, ``randn``, ``normal``, ``randint``,
``randperm``, ``multinomial``, ``uniform_``, ``normal_``, ``exponential_``, ``bernoulli`` and
dropout turn its numbers into values by PyTorch's own formulas, so the same seed gives the
same numbers as in PyTorch: exactly, or one unit in the last place where PyTorch's own
differ between processors (normal samples, whose logarithm, sine and cosine each processor
rounds its own way) or round once where NumPy rounds twice (float64 uniform samples on
bounds other than [0, 1): PyTorch computes u * (high - low) + low as one fused operation)::

    g = minitorch.Generator().manual_seed(2147483647)
    C = minitorch.randn((27, 10), generator=g)   # the numbers of Karpathy's lectures

How values come from the 32-bit words w1, w2, ... of the engine (PyTorch's
``uniform_real_distribution`` and ``normal_distribution``):

* uniform float32: (w & (2**24 - 1)) / 2**24; float64: one 64-bit word (w1 << 32 | w2),
  (that & (2**53 - 1)) / 2**53; then ``u * (high - low) + low`` in float64, rounded.
* normal, 16 values or more: uniform values, then Box-Muller on each block of 16, u_j and
  u_{j+8} giving r cos(t) and r sin(t), r = sqrt(-2 log(1 - u_j)), t = 2 pi u_{j+8} (the
  last, partial block redrawn as a whole block at the end); fewer than 16: one float64 pair
  per two values, the second kept for the next draw.
* integers in [low, high): w % (high - low) + low (64-bit words from a range of 2**32).
* exponential: (-1 / rate) log(1 - u) from float64 u; Bernoulli(p): float64 u < p.

The other distributions (geometric, log-normal, Cauchy, the data samplers' shuffles) are
NumPy's algorithms drawing from the same engine.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

# PyTorch accepts seeds in [-2**63, 2**64) and reads negative ones modulo 2**64.
_SEED_RANGE = 2**64
# What a new torch.Generator starts from.
DEFAULT_SEED = 67280421310721
_WORDS = 624  # MT19937's state
# A generator's state as bytes: the engine's 624 words and position, the seed, and the
# normal sample kept for the next draw (a flag and its float64 bits), each little-endian.
STATE_BYTES = _WORDS * 4 + 8 + 8 + 8 + 8
_FLOAT_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"a seed must be an int, got {type(seed).__name__}")
    if not -(2**63) <= seed < _SEED_RANGE:
        raise ValueError(f"a seed must be in [-2**63, 2**64), got {seed}")
    return int(seed) % _SEED_RANGE


@functools.lru_cache(maxsize=8)  # a new Generator starts from the default seed's
def _mt19937_words(seed: int) -> np.ndarray:
    """MT19937's initial state for the low 32 bits of ``seed`` (its reference
    ``init_genrand``), read-only: the engine copies it."""
    words = [seed & 0xFFFFFFFF]
    for i in range(1, _WORDS):
        previous = words[-1]
        words.append((1812433253 * (previous ^ (previous >> 30)) + i) & 0xFFFFFFFF)
    array = np.array(words, dtype=np.uint32)
    array.flags.writeable = False
    return array


class Generator:
    """A random number generator with its own state, as ``torch.Generator``, drawing
    PyTorch's numbers (see the module's docstring).

    A new Generator starts from PyTorch's default seed, 67280421310721; ``manual_seed(n)``
    restarts it from ``n`` and returns it, so ``Generator().manual_seed(n)`` reads as in
    PyTorch.
    """

    def __init__(self, device: Any = "cpu") -> None:
        if str(device) != "cpu":
            raise ValueError(f"only the CPU is available, got device {device!r}")
        self.device = "cpu"
        self._engine = np.random.MT19937()
        self._numpy = np.random.Generator(self._engine)  # NumPy's algorithms, same engine
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Restart from ``seed``; returns this generator."""
        seed = _check_seed(seed)
        self._restart(seed, _mt19937_words(seed), _WORDS, None)
        return self

    def _restart(self, seed: int, words: np.ndarray, position: int,
                 next_normal: float | None) -> None:
        """Put the engine at ``words`` and ``position``, remembering ``seed``."""
        self._initial_seed = seed
        self._engine.state = {"bit_generator": "MT19937",
                              "state": {"key": words, "pos": position}}
        self._next_normal = next_normal  # the second value of a pair drawn one by one

    def seed(self) -> int:
        """Restart from a fresh unpredictable seed, and return that seed."""
        fresh = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(fresh)
        return fresh

    def initial_seed(self) -> int:
        """The seed this generator was last started from."""
        return self._initial_seed

    def get_state(self) -> Any:
        """The generator's state as a uint8 Tensor (as PyTorch's is), to save with a
        checkpoint and give back to :meth:`set_state` to draw the same numbers again."""
        from minitorch.tensor import Tensor  # tensor.py builds on this module

        engine = self._engine.state["state"]
        kept = self._next_normal
        data = b"".join((
            np.asarray(engine["key"], "<u4").tobytes(),
            int(engine["pos"]).to_bytes(8, "little"),
            self._initial_seed.to_bytes(8, "little"),
            (kept is not None).to_bytes(8, "little"),
            np.float64(0.0 if kept is None else kept).astype("<f8").tobytes(),
        ))
        return Tensor._make(np.frombuffer(data, dtype=np.uint8).copy(), False)

    def set_state(self, new_state: Any) -> Generator:
        """Continue from a state :meth:`get_state` returned; returns this generator."""
        data = np.asarray(getattr(new_state, "_data", new_state))
        if data.dtype != np.uint8 or data.shape != (STATE_BYTES,):
            raise RuntimeError(f"expected a generator state: a uint8 tensor of {STATE_BYTES} "
                               f"bytes from get_state(), got dtype {data.dtype} and shape "
                               f"{data.shape}")
        raw = data.tobytes()
        key_end = _WORDS * 4
        fields = [int.from_bytes(raw[i:i + 8], "little") for i in range(key_end, key_end + 24, 8)]
        position, seed, has_kept = fields
        kept = float(np.frombuffer(raw[key_end + 24:], "<f8")[0])
        words = np.frombuffer(raw[:key_end], "<u4").astype(np.uint32)
        self._restart(seed, words, position, kept if has_kept else None)
        return self

    def __repr__(self) -> str:
        return f"<minitorch.Generator initial_seed={self._initial_seed}>"

    # ----- PyTorch's draws ------------------------------------------------------------------

    def _words(self, count: int) -> np.ndarray:
        """The engine's next ``count`` 32-bit words (as uint64)."""
        return self._engine.random_raw(count)

    def _long_words(self, count: int) -> np.ndarray:
        """The next ``count`` 64-bit words, each made of two 32-bit ones, the first high."""
        words = self._words(2 * count)
        return (words[0::2] << np.uint64(32)) | words[1::2]

    def uniform(self, shape: tuple[int, ...], dtype: Any = np.float32, low: float = 0.0,
                high: float = 1.0) -> np.ndarray:
        """Samples of U[low, high) in ``dtype`` (float16, float32 or float64)."""
        dtype = np.dtype(dtype)
        count = int(np.prod(shape))
        digits = _FLOAT_DIGITS[dtype]
        words = self._long_words(count) if digits == 53 else self._words(count)
        words &= np.uint64((1 << digits) - 1)
        # PyTorch's accumulation type: float64 for float32 too; the bounds in the dtype
        compute = np.float32 if dtype == np.float16 else np.float64
        values = words.astype(compute)
        values *= compute(2.0**-digits)  # exact: a power of two
        if (low, high) != (0.0, 1.0):
            values *= compute(dtype.type(high)) - compute(dtype.type(low))
            values += compute(dtype.type(low))
        return values.astype(dtype, copy=False).reshape(shape)

    def normal(self, shape: tuple[int, ...], dtype: Any = np.float32, mean: float = 0.0,
               std: float = 1.0) -> np.ndarray:
        """Samples of N(mean, std**2) in ``dtype``."""
        dtype = np.dtype(dtype)
        count = int(np.prod(shape))
        if count < 16:
            values = np.array([self._one_normal() for _ in range(count)]) * std + mean
            return values.astype(dtype).reshape(shape)
        compute = np.float64 if dtype == np.float64 else np.float32
        values = self.uniform((count,), compute)
        _box_muller_blocks(values[: count - count % 16])
        if count % 16:
            tail = self.uniform((16,), compute)
            _box_muller_blocks(tail)
            values[-16:] = tail
        if (mean, std) != (0.0, 1.0):
            values *= compute(std)
            values += compute(mean)
        return values.astype(dtype, copy=False).reshape(shape)

    def _one_normal(self) -> float:
        """One N(0, 1) float64 by Box-Muller, keeping the pair's second value for next time."""
        if self._next_normal is not None:
            value, self._next_normal = self._next_normal, None
            return value
        first, second = self.uniform((2,), np.float64)
        radius = np.sqrt(-2.0 * np.log1p(-second))
        angle = 2.0 * np.pi * first
        self._next_normal = float(radius * np.sin(angle))
        return float(radius * np.cos(angle))

    def integers(self, low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
        """Integers drawn uniformly from [low, high), as int64."""
        span = high - low
        count = int(np.prod(shape))
        words = self._long_words(count) if span >= 2**32 else self._words(count)
        values = (words % np.uint64(span)).astype(np.int64)
        values += low
        return values.reshape(shape)

    def permutation(self, n: int) -> np.ndarray:
        """A random order of 0, ..., n - 1 (int64), by Fisher-Yates as PyTorch shuffles."""
        order = list(range(n))
        if n > 1:
            picks = self._words(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)
            for i, pick in enumerate(picks.tolist()):
                j = i + pick
                order[i], order[j] = order[j], order[i]
        return np.array(order, dtype=np.int64)

    def exponential(self, shape: tuple[int, ...], dtype: Any = np.float32,
                    rate: float = 1.0) -> np.ndarray:
        """Samples of the exponential distribution of ``rate`` (mean 1 / rate)."""
        values = (-1.0 / rate) * np.log1p(-self.uniform(shape, np.float64))
        return values.astype(dtype)

    def bernoulli(self, p: Any, shape: tuple[int, ...]) -> np.ndarray:
        """True with probability ``p`` (a float, or an array that broadcasts to ``shape``,
        drawn in its own float dtype), else False."""
        dtype = p.dtype if isinstance(p, np.ndarray) else np.dtype(np.float64)
        return self.uniform(shape, dtype) < p


def _box_muller_blocks(values: np.ndarray) -> None:
    """Turn uniform values, in blocks of 16, into normal ones in place: PyTorch's
    ``normal_fill``. Its logarithm is taken in float64 and rounded (as the processors' vector
    logarithm gives it); cosine and sine in the values' dtype."""
    blocks = values.reshape(-1, 16)
    first, second = blocks[:, :8], blocks[:, 8:]
    log = np.log((1 - first).astype(np.float64)).astype(values.dtype)
    radius = np.sqrt(values.dtype.type(-2) * log)
    angle = values.dtype.type(2.0 * np.pi) * second
    first[...] = radius * np.cos(angle)
    second[...] = radius * np.sin(angle)


default_generator = Generator()
default_generator.seed()  # as PyTorch's, unpredictable until manual_seed


def manual_seed(seed: int) -> Generator:
    """Restart the default generator from ``seed``; returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Restart the default generator from a fresh unpredictable seed, and return it."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last started from."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state (see :meth:`Generator.get_state`)."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Continue the default generator from ``new_state`` (from :func:`get_rng_state`)."""
    default_generator.set_state(new_state)


def chosen(generator: Generator | None = None) -> Generator:
    """``generator``, checked, or the default generator when it is None."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(
            f"generator must be a minitorch.Generator, got {type(generator).__name__}"
        )
    return generator


def drawn_seed(generator: Generator | None = None) -> int:
    """A seed drawn from ``generator`` (or the default one) as PyTorch's
    ``torch.empty((), dtype=torch.int64).random_()`` draws it, a 64-bit word modulo 2**63,
    where PyTorch seeds something else from it (a shuffling sampler, data loader workers)."""
    return int(chosen(generator).integers(0, 2**63, ()))


def numpy_generator(generator: Generator | None = None) -> np.random.Generator:
    """NumPy's distributions drawing from ``generator``'s engine (or the default's)."""
    return chosen(generator)._numpy


def multinomial(weights: np.ndarray, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> np.ndarray:
    """Draw ``num_samples`` category indices (int64) from each row of ``weights``.

    ``weights`` is 1-D (one distribution) or 2-D (one per row) and holds non-negative finite
    weights, not necessarily normalised. Without ``replacement`` a category is drawn at most
    once per row, so a row needs at least ``num_samples`` categories of non-zero weight.
    """
    if weights.dtype.kind != "f":
        raise TypeError(f"multinomial needs floating-point weights, got dtype {weights.dtype}")
    if weights.ndim not in (1, 2):
        raise ValueError(
            f"multinomial needs 1-D or 2-D weights, got {weights.ndim}-D shape {weights.shape}"
        )
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"num_samples must be an int, got {type(num_samples).__name__}")
    if num_samples <= 0:
        raise ValueError(f"multinomial needs num_samples > 0, got {num_samples}")
    rows = np.atleast_2d(weights)
    categories = rows.shape[1]
    if not replacement and num_samples > categories:
        raise ValueError(
            f"cannot draw {num_samples} samples without replacement from {categories} categories"
        )
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise ValueError("multinomial weights must be finite and >= 0 (found inf, nan or < 0)")
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        row = int(np.flatnonzero(totals <= 0)[0])
        raise ValueError(f"multinomial weights of row {row} sum to 0: nothing can be drawn")
    if not replacement:
        nonzero = (rows > 0).sum(axis=1)
        if (nonzero < num_samples).any():
            row = int(np.flatnonzero(nonzero < num_samples)[0])
            raise ValueError(
                f"cannot draw {num_samples} samples without replacement from row {row}, "
                f"which has only {nonzero[row]} categories of non-zero weight"
            )
    if not len(rows):  # no distributions: no samples, as in PyTorch
        return np.empty((0, num_samples), np.int64)
    source = chosen(generator)
    if num_samples == 1 or not replacement:
        # PyTorch's way: the largest p / q with q ~ Exp(1) in each row is a draw from p
        # (the Gumbel-max trick), and the k largest are k draws without replacement.
        keys = rows / source.exponential(rows.shape, rows.dtype)
        if num_samples == 1:
            samples = np.argmax(keys, axis=1)[:, None]
        else:
            samples = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        # Each draw is where a float64 uniform value falls in the row's cumulative sums.
        samples = np.empty((len(rows), num_samples), np.int64)
        for i, row in enumerate(rows):
            cumulative = np.cumsum(row)  # added one by one, as PyTorch adds them
            cumulative /= cumulative[-1]
            samples[i] = np.searchsorted(cumulative, source.uniform((num_samples,), np.float64))
    samples = samples.astype(np.int64, copy=False)
    return samples if weights.ndim == 2 else samples[0]
