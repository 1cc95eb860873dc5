"""``DataLoader``: iterates over a dataset in batches, as ``torch.utils.data.DataLoader``."""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

import numpy as np

from minitorch.random import Generator, drawn_seed
from minitorch.tensor import Tensor, from_numpy
from minitorch.utils.data.collate import default_collate, default_convert
from minitorch.utils.data.dataset import Dataset, IterableDataset, Subset, TensorDataset
from minitorch.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    _InfiniteConstantSampler,
)

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

T_co = TypeVar("T_co", covariant=True)


def get_worker_info() -> None:
    """Information about the worker process a dataset's code runs in: always None, as in
    PyTorch's main process, because minitorch loads every batch in the calling process."""
    return None


class DataLoader(Generic[T_co]):
    """Iterates over ``dataset`` in batches, with PyTorch's arguments and behaviour.

    A map-style dataset (``__getitem__``, ``__len__``) is read in the order of ``sampler``:
    by default 0, 1, 2, ..., or with ``shuffle=True`` a new random order every epoch (a
    :class:`RandomSampler` drawing from ``generator``, or from minitorch's global generator
    when there is none). The indices are grouped into batches of ``batch_size`` (the last
    one shorter unless ``drop_last``), or by ``batch_sampler``, which yields whole lists of
    indices and then replaces ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
    An :class:`IterableDataset` is read in the order it yields its samples; it takes no
    sampler and no shuffle.

    ``collate_fn`` merges the samples of a batch (default :func:`default_collate`: arrays,
    Tensors and numbers stacked into Tensors, field by field in tuples, lists and dicts).
    ``batch_size=None`` turns batching off: each sample goes through ``collate_fn`` alone
    (default :func:`default_convert`: NumPy arrays become Tensors). A
    :class:`TensorDataset` (or a ``Subset`` of one) with the default collation is batched
    with one fancy index per array instead of one ``__getitem__`` per sample, which is what
    makes an epoch fast.

    ``len(loader)`` is the number of batches of an epoch (of samples with
    ``batch_size=None``); for an IterableDataset it comes from the dataset's ``__len__``.
    The loader can be iterated any number of times, one epoch each.

    Every batch is loaded in the calling process, also with ``num_workers > 0``: the
    batches are the same as with ``num_workers=0``, ``get_worker_info()`` is None and
    ``worker_init_fn`` is never called (there is no worker). ``num_workers``,
    ``prefetch_factor``, ``persistent_workers``, ``timeout`` and
    ``multiprocessing_context`` are checked as PyTorch checks them and otherwise change
    nothing. There is no accelerator, so ``pin_memory=True`` warns, as PyTorch does without
    one, and changes nothing. ``seed`` (minitorch's own, keyword only) is a short form of
    ``generator=minitorch.Generator().manual_seed(seed)``.
    """

    def __init__(
        self,
        dataset: Dataset[T_co] | Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[list[Any]] | Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = None,
    ) -> None:
        prefetch_factor = _checked_worker_options(
            num_workers, timeout, prefetch_factor, persistent_workers)
        if seed is not None:
            if generator is not None:
                raise ValueError("DataLoader takes a generator or a seed, not both")
            generator = Generator().manual_seed(seed)
        is_iterable = isinstance(dataset, IterableDataset)
        if is_iterable:
            # shuffle=False counts as unspecified: it was once the default.
            given = {"shuffle": shuffle or None, "sampler": sampler, "batch_sampler": batch_sampler}
            for name, value in given.items():
                if value is not None:
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} option, "
                        f"but got {name}={value!r}"
                    )
        elif not hasattr(dataset, "__getitem__"):
            raise TypeError(
                "DataLoader expected a map-style dataset (with __len__ and __getitem__) or an "
                f"IterableDataset, got {type(dataset).__name__}"
            )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last"
            )
        if sampler is None:
            if is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert

        self.dataset = dataset
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.generator, self.collate_fn = generator, collate_fn
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device
        # Kept as given; loading happens in this process (see the class docstring).
        self.num_workers, self.prefetch_factor = num_workers, prefetch_factor
        self.persistent_workers, self.timeout, self.in_order = persistent_workers, timeout, in_order
        self.worker_init_fn, self.multiprocessing_context = worker_init_fn, multiprocessing_context
        self._is_iterable = is_iterable

    def __len__(self) -> int:
        if not self._is_iterable:
            return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)
        samples = len(self.dataset)  # a TypeError without __len__, as in PyTorch
        if self.batch_size is None:
            return samples
        if self.drop_last:
            return samples // self.batch_size
        return math.ceil(samples / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if self.pin_memory:
            warnings.warn(
                "'pin_memory' argument is set as true but no accelerator is found, then "
                "device pinned memory won't be used.",
                stacklevel=2,
            )
        # PyTorch draws the seed of its worker processes here, from the loader's generator:
        # drawn (and unused) so that the shuffles that follow are PyTorch's own.
        drawn_seed(self.generator)
        if self._is_iterable:
            return self._iterable_batches()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[index]) for index in self.sampler)
        if isinstance(self.batch_sampler, BatchSampler):
            batches = self.batch_sampler._index_arrays()
        else:
            batches = iter(self.batch_sampler)
        return (self._fetch(indices) for indices in batches)

    def _fetch(self, indices: np.ndarray | list[Any]) -> Any:
        if self.collate_fn is default_collate:
            batch = _tensor_batch(self.dataset, indices)
            if batch is not None:
                return batch
        if isinstance(indices, np.ndarray):
            indices = indices.tolist()  # Python ints, as PyTorch's samplers give
        return self.collate_fn([self.dataset[index] for index in indices])

    def _iterable_batches(self) -> Iterator[Any]:
        samples = iter(self.dataset)
        if self.batch_size is None:
            for sample in samples:
                yield self.collate_fn(sample)
            return
        while batch := list(itertools.islice(samples, self.batch_size)):
            if self.drop_last and len(batch) < self.batch_size:
                return
            yield self.collate_fn(batch)


def _tensor_batch(dataset: Any, indices: np.ndarray | list[Any]) -> list[Tensor] | None:
    """What ``default_collate`` makes of the samples at ``indices`` of a TensorDataset, or of
    Subsets of one: the rows of each array, taken with one fancy index (a fresh array, so
    no copy to wrap it). None for any other dataset."""
    while type(dataset) is Subset:
        subset_indices = dataset.indices
        if isinstance(subset_indices, (np.ndarray, Tensor)):
            indices = np.asarray(subset_indices)[indices]
        else:  # a list: look up this batch's entries, not convert the whole list every batch
            positions = indices.tolist() if isinstance(indices, np.ndarray) else indices
            indices = [subset_indices[i] for i in positions]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None
    return [from_numpy(array[indices]) for array in dataset.arrays]


def _checked_worker_options(num_workers: int, timeout: float, prefetch_factor: int | None,
                            persistent_workers: bool) -> int | None:
    """The worker options checked as PyTorch checks them; the prefetch factor it uses."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)):
        raise TypeError(f"num_workers must be an int, got {type(num_workers).__name__}")
    if num_workers < 0:
        raise ValueError(
            f"num_workers option should be non-negative, got {num_workers}; use num_workers=0 "
            "to load in this process"
        )
    if timeout < 0:
        raise ValueError(f"timeout option should be non-negative, got {timeout}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "prefetch_factor option could only be specified with num_workers > 0, got "
            f"prefetch_factor={prefetch_factor} with num_workers=0"
        )
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError(f"prefetch_factor option should be non-negative, got {prefetch_factor}")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    return 2 if num_workers > 0 and prefetch_factor is None else prefetch_factor
