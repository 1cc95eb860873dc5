"""Datasets, samplers and the loader that batches them, under PyTorch's names and paths:
``from minitorch.utils.data import DataLoader, Dataset`` (or ``.dataset``, ``.sampler``,
``.dataloader`` as in ``torch.utils.data``).

- :mod:`.dataset`: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``ConcatDataset``,
  ``ChainDataset``, ``Subset``, ``random_split``.
- :mod:`.sampler`: ``Sampler``, ``SequentialSampler``, ``RandomSampler``,
  ``SubsetRandomSampler``, ``WeightedRandomSampler``, ``BatchSampler``.
- :mod:`.collate`: ``default_collate``, ``default_convert``.
- :mod:`.dataloader`: ``DataLoader``, ``get_worker_info``.
"""

from minitorch.utils.data.collate import default_collate, default_convert
from minitorch.utils.data.dataloader import DataLoader, get_worker_info
from minitorch.utils.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from minitorch.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
