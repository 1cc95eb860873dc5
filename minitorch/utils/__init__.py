"""Utilities under PyTorch's paths: :mod:`minitorch.utils.data` (datasets and loaders)."""

from minitorch.utils import data
