"""Turning samples into Tensors, as PyTorch's ``default_collate`` (the samples of a batch,
merged) and ``default_convert`` (one sample, when a DataLoader has ``batch_size=None``)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

import numpy as np

from minitorch.dtypes import float64
from minitorch.factories import tensor
from minitorch.tensor import Tensor, from_numpy


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as PyTorch's ``default_collate`` does.

    Tensors and NumPy arrays (and NumPy scalars) are stacked along a new first dimension,
    keeping their dtype; Python ints become an int64 Tensor, floats a float64 Tensor, bools
    a bool Tensor; strings stay a list. Dicts, named tuples, lists and tuples are collated
    field by field, recursively: a dict (or OrderedDict, ...) of batches, a named tuple of
    batches, a list of batches for a tuple (as in PyTorch) and the sample's own sequence
    type for a list.
    """
    first = batch[0]
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        arrays = [sample._data if isinstance(sample, Tensor) else np.asarray(sample)
                  for sample in batch]
        if arrays[0].dtype.kind not in "biuf":
            raise TypeError(f"default_collate: cannot batch arrays of dtype {arrays[0].dtype}")
        shapes = {array.shape for array in arrays}
        if len(shapes) > 1:
            raise ValueError(
                f"default_collate: cannot stack samples of different shapes {sorted(shapes)}; "
                "pass a collate_fn that pads them"
            )
        return from_numpy(np.stack(arrays))
    if isinstance(first, float):
        return tensor(batch, dtype=float64)
    if isinstance(first, int):  # bool too: bools give a bool Tensor, as torch.tensor does
        return tensor(batch)
    if isinstance(first, Mapping):
        fields = {key: default_collate([sample[key] for sample in batch]) for key in first}
        return _same_container(first, fields)
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a named tuple
        return type(first)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(first, Sequence):
        if len({len(sample) for sample in batch}) > 1:
            raise ValueError("default_collate: every sample must have the same number of fields")
        fields = [default_collate(field) for field in zip(*batch)]
        return fields if isinstance(first, tuple) else _same_container(first, fields)
    raise TypeError(
        "default_collate: samples must be Tensors, NumPy arrays, numbers, strings, or dicts, "
        f"tuples or lists of them; got {type(first).__name__}"
    )


def default_convert(data: Any) -> Any:
    """One sample with its NumPy arrays and scalars turned into Tensors (sharing memory),
    inside dicts, named tuples, lists and tuples too (a tuple becomes a list, as in
    PyTorch); everything else, Python numbers and strings included, is left as it is."""
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind in "biuf":
        return from_numpy(np.asarray(data))
    if isinstance(data, Mapping):
        return _same_container(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a named tuple
        return type(data)(*(default_convert(field) for field in data))
    if isinstance(data, tuple):
        return [default_convert(field) for field in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes, Tensor)):
        return _same_container(data, [default_convert(field) for field in data])
    return data


def _same_container(example: Any, contents: dict[Any, Any] | list[Any]) -> Any:
    """``contents`` in the container type of ``example`` (an OrderedDict, a defaultdict, a
    list subclass, ...), as PyTorch returns them; a plain dict or list when that type cannot
    be rebuilt."""
    if type(example) in (dict, list):
        return contents
    try:
        if isinstance(example, MutableMapping):
            clone = copy.copy(example)
            clone.update(contents)
            return clone
        if isinstance(example, MutableSequence):
            clone = copy.copy(example)
            for i, value in enumerate(contents):
                clone[i] = value
            return clone
        return type(example)(contents)
    except TypeError:
        return contents
