"""Datasets, as in ``torch.utils.data.dataset``.

A map-style dataset is any object with ``__getitem__(index)`` (and usually ``__len__``); an
iterable-style dataset is an :class:`IterableDataset`, whose ``__iter__`` yields the samples
in the order it chooses (a stream, a file read line by line). A sample may be anything: an
array, a number, a tuple or dict of them.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from minitorch import random as minitorch_random
from minitorch.tensor import Tensor, from_numpy

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """Base class of map-style datasets: subclasses define ``__getitem__`` and usually
    ``__len__`` (which ``DataLoader`` needs for its default samplers). Any object with those
    methods works with ``DataLoader``; deriving from this class documents the intent and
    gives ``dataset_a + dataset_b``, a :class:`ConcatDataset`."""

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """Base class of iterable-style datasets: subclasses define ``__iter__``, which yields
    the samples of one pass; ``__len__`` is optional (``len(loader)`` needs it). A
    ``DataLoader`` takes the samples in the order they come: no sampler, no shuffle.
    ``dataset_a + dataset_b`` is a :class:`ChainDataset`."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} does not define __iter__")

    def __add__(self, other: Dataset[T_co]) -> ChainDataset:
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Samples are the rows of the given tensors or arrays, indexed along the first axis.

    ``dataset[i]`` is a tuple with one Tensor per array. Arrays keep their dtype, so integer
    labels stay integers and can be used as class indices. A ``DataLoader`` batches a
    TensorDataset with one fancy index per array rather than one ``__getitem__`` per sample.
    """

    def __init__(self, *tensors: np.ndarray | Tensor | Sequence[Any]) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one array or tensor, got none")
        self.arrays: tuple[np.ndarray, ...] = tuple(np.asarray(t) for t in tensors)
        for position, array in enumerate(self.arrays):
            if array.ndim == 0:
                raise ValueError(
                    f"TensorDataset expected arrays with a first (sample) dimension, "
                    f"got a 0-d array at position {position}"
                )
            if array.dtype.kind not in "biuf":
                raise TypeError(
                    f"TensorDataset expected numeric arrays, got dtype {array.dtype} "
                    f"at position {position}"
                )
        lengths = [array.shape[0] for array in self.arrays]
        if len(set(lengths)) > 1:
            shapes = ", ".join(str(array.shape) for array in self.arrays)
            raise ValueError(
                f"TensorDataset expected arrays with equal first dimensions, got shapes {shapes}"
            )

    @property
    def tensors(self) -> tuple[Tensor, ...]:
        """The whole arrays as Tensors (sharing memory), as in PyTorch."""
        return tuple(from_numpy(array) for array in self.arrays)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(from_numpy(np.array(array[index])) for array in self.arrays)


class ConcatDataset(Dataset[T_co]):
    """Map-style datasets one after another: sample ``i`` of the first, then of the second,
    ... ``cumulative_sizes[k]`` is the number of samples in the first k + 1 datasets."""

    def __init__(self, datasets: Iterable[Dataset[T_co]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset needs at least one dataset, got none")
        for dataset in self.datasets:
            if isinstance(dataset, IterableDataset):
                raise TypeError(
                    "ConcatDataset does not support an IterableDataset (it has no index); "
                    "chain iterable datasets with ChainDataset"
                )
        self.cumulative_sizes: list[int] = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> T_co:
        total = len(self)
        if not -total <= index < total:
            raise IndexError(
                f"index {index} is out of range for a ConcatDataset of {total} samples"
            )
        index %= total
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another: all the samples of the first, then of the
    second, ... ``len`` is the sum of theirs (each must have one)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise TypeError(
                    f"ChainDataset chains IterableDatasets, got {type(dataset).__name__}"
                )
            yield from dataset

    def __len__(self) -> int:
        return sum(len(dataset) for dataset in self.datasets)


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order: ``subset[i]`` is
    ``dataset[indices[i]]``."""

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: int) -> T_co:
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(
    dataset: Dataset[T_co], lengths: Sequence[int | float], generator: Any = None
) -> list[Subset[T_co]]:
    """Split ``dataset`` at random into non-overlapping ``Subset``s of the given lengths.

    ``lengths`` are counts that add up to ``len(dataset)``, or fractions that add up to 1
    (each part gets the floor of its share, and the samples left over go one each to the
    first parts, as in PyTorch). ``generator`` (a :class:`minitorch.Generator`) makes the
    split reproducible; by default minitorch's global generator draws it.
    """
    total = len(dataset)
    if all(isinstance(n, float) for n in lengths) and lengths:
        if not math.isclose(sum(lengths), 1.0) or any(not 0 <= n <= 1 for n in lengths):
            raise ValueError(
                f"random_split fractions must be in [0, 1] and add up to 1, got {list(lengths)}"
            )
        counts = [math.floor(total * fraction) for fraction in lengths]
        for i in range(total - sum(counts)):
            counts[i % len(counts)] += 1
    else:
        counts = list(lengths)
        if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0
               for n in counts):
            raise ValueError(
                f"random_split lengths must be counts (ints >= 0) or fractions (floats), got "
                f"{list(lengths)}"
            )
        if sum(counts) != total:
            raise ValueError(
                f"random_split lengths add up to {sum(counts)}, but the dataset has {total} "
                f"samples"
            )
    order = minitorch_random.chosen(generator).permutation(total)
    ends = np.cumsum(counts)
    return [
        Subset(dataset, order[end - count : end].tolist())
        for count, end in zip(counts, ends, strict=True)
    ]
