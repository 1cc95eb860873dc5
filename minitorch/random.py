"""The one random number generator behind every random choice minitorch makes
(``rand``, ``randn``, weight initialisation, dropout, shuffling), so that
``manual_seed`` makes a whole run reproducible."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Restart minitorch's random number generator from ``seed``."""
    global _generator
    _generator = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The generator that minitorch's random functions draw from."""
    return _generator


def numpy_generator(generator: object | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (a :class:`minitorch.Generator`), or the
    default one when it is None."""
    if generator is None:
        return _generator
    inner = getattr(generator, "_numpy", generator)
    if not isinstance(inner, np.random.Generator):
        raise TypeError(f"generator must be a minitorch.Generator, got {type(generator).__name__}")
    return inner
