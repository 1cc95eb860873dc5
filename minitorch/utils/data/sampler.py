"""Samplers, as in ``torch.utils.data.sampler``: objects whose ``__iter__`` yields the
dataset indices of one epoch (a fresh draw each time it is called), and ``BatchSampler``,
which groups them into batches.

Random samplers draw from ``generator`` (a :class:`minitorch.Generator`) when given, else
from minitorch's global generator when iteration starts, so ``minitorch.manual_seed`` makes
the order reproducible. The numbers are NumPy's, so the orders differ from PyTorch's.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any, Generic, TypeVar

import numpy as np

from minitorch import random as minitorch_random
from minitorch.tensor import Tensor, from_numpy

T_co = TypeVar("T_co", covariant=True)

# Indices drawn at a time by RandomSampler with replacement: enough that drawing costs
# nothing next to the batches (PyTorch draws 32), few enough to hold (512 KiB of int64).
_CHUNK = 1 << 16


class Sampler(Generic[T_co]):
    """Base class of samplers: subclasses define ``__iter__`` and, where the count is known,
    ``__len__``. (``data_source`` is accepted, and ignored, as PyTorch once took it.)"""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} does not define __iter__")


class _DrawnAtOnce(Sampler[int]):
    """A sampler that draws the indices of an epoch as arrays: ``_epoch()`` draws them all
    at once, ``_chunks()`` (by default that one array) in parts, one drawn only when the
    one before has been used, for epochs too long to hold. Iterating gives them as Python
    ints; ``BatchSampler`` slices the arrays into batches instead, with no Python int per
    sample, which keeps a DataLoader epoch fast."""

    def _epoch(self) -> np.ndarray:
        raise NotImplementedError

    def _chunks(self) -> Iterator[np.ndarray]:
        yield self._epoch()

    def __iter__(self) -> Iterator[int]:
        for chunk in self._chunks():
            yield from chunk.tolist()


class SequentialSampler(_DrawnAtOnce):
    """0, 1, ..., len(data_source) - 1, every epoch."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _epoch(self) -> np.ndarray:
        return np.arange(len(self.data_source))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(_DrawnAtOnce):
    """The indices of ``data_source`` in a new random order every epoch.

    Without ``replacement`` each index comes once per pass; ``num_samples`` (default
    ``len(data_source)``) larger than that chains whole passes and part of one more. With
    ``replacement`` each of the ``num_samples`` indices is drawn independently.
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: minitorch_random.Generator | None = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        self.data_source, self.replacement, self.generator = data_source, replacement, generator
        self._num_samples = num_samples
        _check_positive_int(self.num_samples, "num_samples")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _chunks(self) -> Iterator[np.ndarray]:
        # Drawn lazily, as PyTorch does, so that num_samples=int(1e10) (an endless loader)
        # needs no memory for indices not yet used: a chunk of _CHUNK draws at a time with
        # replacement, one whole pass at a time without.
        rng = minitorch_random.chosen(self.generator)
        if self.generator is None:
            # As in PyTorch: a generator of its own, seeded from the global one when the
            # epoch starts, so the order does not depend on draws made between chunks.
            rng = minitorch_random.Generator().manual_seed(minitorch_random.drawn_seed())
        size = len(self.data_source)
        if self.replacement:
            for start in range(0, self.num_samples, _CHUNK):
                yield rng.integers(0, size, (min(_CHUNK, self.num_samples - start),))
            return
        passes, rest = divmod(self.num_samples, size)
        for _ in range(passes):
            yield rng.permutation(size)
        yield rng.permutation(size)[:rest]  # drawn even for none, as PyTorch draws it

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_DrawnAtOnce):
    """The given ``indices`` in a new random order every epoch (each once)."""

    def __init__(
        self, indices: Sequence[int], generator: minitorch_random.Generator | None = None
    ) -> None:
        self.indices, self.generator = indices, generator

    def _epoch(self) -> np.ndarray:
        order = minitorch_random.chosen(self.generator).permutation(len(self.indices))
        return np.asarray(self.indices, dtype=np.int64)[order]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_DrawnAtOnce):
    """``num_samples`` indices in [0, len(weights)), index i drawn with probability
    proportional to ``weights[i]`` (weights need not add up to 1). Without ``replacement``
    an index is drawn at most once per epoch, so that needs at least ``num_samples``
    non-zero weights. Weights are checked here, not when drawing: negative, infinite or
    NaN weights, or weights that are all zero, raise a ValueError."""

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator: minitorch_random.Generator | None = None,
    ) -> None:
        _check_positive_int(num_samples, "num_samples")
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        array = np.asarray(weights, dtype=np.float64)
        if array.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {array.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
        if bad.size:
            raise ValueError(
                f"weights must be finite and >= 0, got {array[bad[0]]} at position {bad[0]}"
            )
        if not array.sum() > 0:
            raise ValueError(f"weights must not all be zero, got {len(array)} zero weights")
        nonzero = int(np.count_nonzero(array))
        if not replacement and num_samples > nonzero:
            raise ValueError(
                f"cannot draw {num_samples} samples without replacement from {nonzero} "
                f"indices of non-zero weight"
            )
        self.weights: Tensor = from_numpy(array)
        self.num_samples, self.replacement, self.generator = num_samples, replacement, generator

    def _epoch(self) -> np.ndarray:
        return minitorch_random.multinomial(
            self.weights.numpy(), self.num_samples, self.replacement, generator=self.generator
        )

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """The indices of ``sampler`` in lists of ``batch_size``; the last list is shorter when
    they do not divide evenly, or left out with ``drop_last``.

        list(BatchSampler(SequentialSampler(range(10)), 3, drop_last=False))
        # [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    """

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        _check_positive_int(batch_size, "batch_size")
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last!r}"
            )
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def __iter__(self) -> Iterator[list[int]]:
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)

    def _index_arrays(self) -> Iterator[np.ndarray | list[Any]]:
        """The batches of ``__iter__``, sliced from one array when the sampler draws its
        epoch as one (see ``_DrawnAtOnce``); as ``__iter__`` gives them otherwise, or when a
        subclass defines its own ``__iter__``."""
        if (type(self).__iter__ is not BatchSampler.__iter__
                or type(self.sampler).__iter__ is not _DrawnAtOnce.__iter__):
            yield from self
            return
        rest = np.empty(0, dtype=np.int64)  # a batch begun in one chunk, ended in the next
        for chunk in self.sampler._chunks():
            order = np.concatenate([rest, chunk]) if len(rest) else chunk
            stop = len(order) - len(order) % self.batch_size
            for start in range(0, stop, self.batch_size):
                yield order[start : start + self.batch_size]
            rest = order[stop:]
        if len(rest) and not self.drop_last:
            yield rest


class _InfiniteConstantSampler(Sampler[None]):
    """None forever: the sampler of a DataLoader over an IterableDataset, which has no
    indices (as in PyTorch, so ``loader.sampler`` and ``loader.batch_sampler`` exist)."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


def _check_positive_int(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
