"""The data tools under one short import path: ``from minitorch.data import DataLoader``.

The datasets and the loader live in :mod:`minitorch.utils.data` (PyTorch's path) and the
MNIST / digits loaders in :mod:`minitorch.datasets`; this module re-exports them, and keeps
``one_hot`` for NumPy labels (``nn.functional.one_hot`` is PyTorch's int64 form).
"""

# ruff: noqa: F401

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from minitorch.datasets import (
    MNIST,
    DatasetSplits,
    FashionMNIST,
    fetch_mnist,
    load_dataset,
    load_digits,
    load_mnist,
    read_idx,
)
from minitorch.nn import functional as F
from minitorch.tensor import Tensor
from minitorch.utils.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def one_hot(
    labels: np.ndarray | Tensor | Sequence[int], num_classes: int | None = None
) -> np.ndarray:
    """One-hot encode 1-D class labels as a float32 array of shape (N, num_classes).

    ``num_classes`` defaults to ``max(labels) + 1``. Float labels are accepted when every
    value is a whole number.
    """
    array = labels._data if isinstance(labels, Tensor) else np.asarray(labels)
    if array.ndim != 1:
        raise ValueError(f"one_hot expected 1-D labels, got shape {array.shape}")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array) & (array == np.round(array))):
            raise ValueError("one_hot expected integer labels, got non-integer float values")
        array = array.astype(np.int64)
    encoded = F.one_hot(array, -1 if num_classes is None else num_classes)
    return encoded.numpy().astype(np.float32)
