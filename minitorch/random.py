"""Random numbers: :class:`Generator` objects, and the default generator behind every random
choice minitorch makes when no generator is given (``rand``, ``randn``, weight
initialisation, dropout, shuffling), so that ``manual_seed`` makes a whole run reproducible.

A Generator wraps a ``numpy.random.Generator``; passing one as ``generator=`` to a random
factory gives a stream of numbers that no other code can disturb, as in PyTorch::

    g = minitorch.Generator().manual_seed(2147483647)
    C = minitorch.randn((27, 10), generator=g)

The numbers are NumPy's (PCG64), so they differ from PyTorch's for the same seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# PyTorch accepts seeds in [-2**63, 2**64) and reads negative ones modulo 2**64.
_SEED_RANGE = 2**64
# A generator's state as bytes: PCG64's 128-bit state and increment, its buffered 32-bit
# half (a flag and the value) and the initial seed, each little-endian.
_STATE_FIELDS = (("state", 16), ("inc", 16), ("has_uint32", 8), ("uinteger", 8), ("seed", 8))
STATE_BYTES = sum(size for _, size in _STATE_FIELDS)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"a seed must be an int, got {type(seed).__name__}")
    if not -(2**63) <= seed < _SEED_RANGE:
        raise ValueError(f"a seed must be in [-2**63, 2**64), got {seed}")
    return int(seed) % _SEED_RANGE


class Generator:
    """A random number generator with its own state, as ``torch.Generator``.

    A new Generator starts from a fresh unpredictable seed; ``manual_seed(n)`` restarts it
    from ``n`` and returns it, so ``Generator().manual_seed(n)`` reads as in PyTorch.
    """

    def __init__(self, device: Any = "cpu") -> None:
        if str(device) != "cpu":
            raise ValueError(f"only the CPU is available, got device {device!r}")
        self.device = "cpu"
        self.seed()

    def manual_seed(self, seed: int) -> Generator:
        """Restart from ``seed``; returns this generator."""
        self._initial_seed = _check_seed(seed)
        self._rng = np.random.default_rng(self._initial_seed)
        return self

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

        state = self._rng.bit_generator.state
        values = {**state["state"], "has_uint32": state["has_uint32"],
                  "uinteger": state["uinteger"], "seed": self._initial_seed}
        data = b"".join(values[name].to_bytes(size, "little") for name, size in _STATE_FIELDS)
        return Tensor._make(np.frombuffer(data, dtype=np.uint8).copy(), False)

    def set_state(self, new_state: Any) -> Generator:
        """Continue from a state :meth:`get_state` returned; returns this generator."""
        data = np.asarray(getattr(new_state, "_data", new_state))
        if data.dtype != np.uint8 or data.shape != (STATE_BYTES,):
            raise RuntimeError(f"expected a generator state: a uint8 tensor of {STATE_BYTES} "
                               f"bytes from get_state(), got dtype {data.dtype} and shape "
                               f"{data.shape}")
        raw, values, offset = data.tobytes(), {}, 0
        for name, size in _STATE_FIELDS:
            values[name] = int.from_bytes(raw[offset:offset + size], "little")
            offset += size
        self.manual_seed(values["seed"])
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": values["state"], "inc": values["inc"]},
            "has_uint32": values["has_uint32"], "uinteger": values["uinteger"]}
        return self

    def __repr__(self) -> str:
        return f"<minitorch.Generator initial_seed={self._initial_seed}>"


default_generator = Generator()


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


def numpy_generator(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator``, or behind the default generator."""
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(
            f"generator must be a minitorch.Generator, got {type(generator).__name__}"
        )
    return generator._rng


def generator() -> np.random.Generator:
    """The NumPy generator behind the default generator."""
    return default_generator._rng


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
    rows = np.atleast_2d(weights).astype(np.float64)
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
    rng = numpy_generator(generator)
    if not len(rows):  # no distributions: no samples, as in PyTorch
        return np.empty((0, num_samples), np.int64)
    samples = np.stack([
        rng.choice(categories, size=num_samples, replace=replacement, p=row / total)
        for row, total in zip(rows, totals)
    ]).astype(np.int64)
    return samples if weights.ndim == 2 else samples[0]
