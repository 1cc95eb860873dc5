"""Datasets and the loader that batches them, as in ``torch.utils.data``.

A map-style dataset is any object with ``__len__`` and ``__getitem__(index)``; a sample may
be anything (an array, a number, a tuple or dict of them). ``DataLoader`` draws indices,
optionally shuffled, fetches the samples and merges them with ``default_collate``: arrays,
Tensors and numbers are stacked into Tensors, tuples, lists and dicts are merged field by
field. A ``TensorDataset`` (or a ``Subset`` of one) is batched with one fancy index per
array instead of one ``__getitem__`` per sample, which is what makes an epoch fast.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from minitorch import random as minitorch_random
from minitorch.tensor import Tensor, from_numpy

__all__ = [
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "default_collate",
    "random_split",
]


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``.
    (Any object with those two methods works with ``DataLoader``; deriving from this class
    only documents the intent.)"""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} does not define __len__")


class TensorDataset(Dataset):
    """Samples are the rows of the given tensors or arrays, indexed along the first axis.

    ``dataset[i]`` is a tuple with one Tensor per array. Arrays keep their dtype, so integer
    labels stay integers and can be used as class indices.
    """

    def __init__(self, *tensors: np.ndarray | Tensor | Sequence[Any]) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one array or tensor, got none")
        self.arrays: tuple[np.ndarray, ...] = tuple(_as_ndarray(t) for t in tensors)
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


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order: ``subset[i]`` is
    ``dataset[indices[i]]``."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(
    dataset: Any, lengths: Sequence[int | float], generator: Any = None
) -> list[Subset]:
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
    order = minitorch_random.numpy_generator(generator).permutation(total)
    ends = np.cumsum(counts)
    return [
        Subset(dataset, order[end - count : end].tolist())
        for count, end in zip(counts, ends, strict=True)
    ]


# --------------------------------------------------------------------------- collate


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as PyTorch's ``default_collate`` does.

    Tensors and NumPy arrays are stacked along a new first dimension; Python ints become an
    int64 Tensor, floats a float64 Tensor, bools a bool Tensor (NumPy scalars keep their
    dtype); strings stay a list; dicts, named tuples, tuples and lists are collated field by
    field (a tuple becomes a list of batches, as in PyTorch).
    """
    first = batch[0]
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        arrays = [_as_ndarray(sample) for sample in batch]
        if arrays[0].dtype.kind not in "biuf":
            raise TypeError(f"default_collate: cannot batch arrays of dtype {arrays[0].dtype}")
        shapes = {array.shape for array in arrays}
        if len(shapes) > 1:
            raise ValueError(
                f"default_collate: cannot stack samples of different shapes {sorted(shapes)}; "
                "pass a collate_fn that pads them"
            )
        return from_numpy(np.stack(arrays))
    if isinstance(first, bool):
        return from_numpy(np.array(batch, dtype=bool))
    if isinstance(first, int):
        return from_numpy(np.array(batch, dtype=np.int64))
    if isinstance(first, float):
        return from_numpy(np.array(batch, dtype=np.float64))
    if isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a named tuple
        return type(first)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(first, Sequence):
        if len({len(sample) for sample in batch}) > 1:
            raise ValueError("default_collate: every sample must have the same number of fields")
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(
        "default_collate: samples must be Tensors, NumPy arrays, numbers, strings, or dicts, "
        f"tuples or lists of them; got {type(first).__name__}"
    )


def _as_ndarray(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return value._data
    return np.asarray(value)


# --------------------------------------------------------------------------- loader


class DataLoader:
    """Iterates over a map-style dataset in batches.

    ``shuffle=True`` draws a new order every epoch, from ``generator`` (a
    :class:`minitorch.Generator`) when given, else from the loader's own generator, seeded
    by ``seed`` or, without one, from minitorch's global generator (so
    ``minitorch.manual_seed`` makes the order reproducible). ``sampler`` (an iterable of
    indices, drawn anew each epoch) replaces the order altogether. ``collate_fn`` merges the
    list of samples of a batch (default: :func:`default_collate`). ``len(loader)`` is the
    number of batches per epoch.

    Loading happens in the calling process: ``num_workers``, ``pin_memory`` and
    ``persistent_workers`` are accepted so that PyTorch code runs unchanged, and change
    nothing.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        sampler: Iterable[int] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        generator: Any = None,
        *,
        persistent_workers: bool = False,
        seed: int | None = None,
    ) -> None:
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader expected a dataset with __len__ and __getitem__, "
                f"got {type(dataset).__name__}"
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"batch_size must be an int, got {type(batch_size).__name__}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler and shuffle=True cannot be used together")
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"num_workers must be an int >= 0, got {num_workers!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.sampler = sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory, self.persistent_workers = pin_memory, persistent_workers
        self.drop_last = drop_last
        self.generator = generator
        if generator is not None:
            self._generator = minitorch_random.numpy_generator(generator)
        elif seed is not None:
            self._generator = np.random.default_rng(seed)
        else:
            self._generator = np.random.default_rng(minitorch_random.generator().integers(2**63))

    def _num_samples(self) -> int:
        return len(self.sampler) if self.sampler is not None else len(self.dataset)

    def __len__(self) -> int:
        if self.drop_last:
            return self._num_samples() // self.batch_size
        return math.ceil(self._num_samples() / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if self.sampler is not None:
            order = np.fromiter(self.sampler, dtype=np.intp)
        elif self.shuffle:
            order = self._generator.permutation(len(self.dataset))
        else:
            order = np.arange(len(self.dataset))
        for batch_number in range(len(self)):
            start = batch_number * self.batch_size
            yield self._batch(order[start : start + self.batch_size])

    def _batch(self, indices: np.ndarray) -> Any:
        if self.collate_fn is None:
            arrays, rows = _tensor_arrays(self.dataset, indices)
            if arrays:
                # One fancy index per array builds a fresh batch array; no copy to wrap it.
                return [from_numpy(array[rows]) for array in arrays]
        samples = [self.dataset[int(i)] for i in indices]
        return (self.collate_fn or default_collate)(samples)


def _tensor_arrays(dataset: Any, indices: np.ndarray) -> tuple[tuple[np.ndarray, ...], Any]:
    """For a TensorDataset, or Subsets of one, its arrays and the rows of them that
    ``indices`` select; no arrays for any other dataset."""
    while isinstance(dataset, Subset):
        indices = np.asarray(dataset.indices)[indices]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return (), indices
    return dataset.arrays, indices
