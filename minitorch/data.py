"""Datasets, batching and loaders for image-classification data.

``TensorDataset`` and ``DataLoader`` mirror their PyTorch namesakes. ``load_dataset`` is the
one entry point the examples use: it reads MNIST-style IDX files, downloads MNIST from OpenML,
or falls back to scikit-learn's bundled 8x8 digits when there is no network.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import math
import os
import socket
import sys
import warnings
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import Any

import numpy as np

from minitorch import random as minitorch_random
from minitorch._untrusted import read_at_most
from minitorch.tensor import Tensor, from_numpy

__all__ = [
    "DataLoader",
    "DatasetSplits",
    "TensorDataset",
    "fetch_mnist",
    "load_dataset",
    "load_digits",
    "load_mnist",
    "one_hot",
    "read_idx",
]


# --------------------------------------------------------------------------- datasets


class TensorDataset:
    """Samples are the rows of the given arrays or tensors, indexed along the first axis.

    ``dataset[i]`` is a tuple with one Tensor per array. Arrays keep their dtype, so integer
    labels stay integers and can be used as class indices.
    """

    def __init__(self, *arrays: np.ndarray | Tensor | Sequence[Any]) -> None:
        if not arrays:
            raise ValueError("TensorDataset needs at least one array or tensor, got none")
        self.arrays: tuple[np.ndarray, ...] = tuple(_as_ndarray(a) for a in arrays)
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

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(from_numpy(np.array(array[index])) for array in self.arrays)


class DataLoader:
    """Iterates over a dataset in batches, each a tuple of Tensors (one per field).

    With ``shuffle=True`` the order is reshuffled every epoch by the loader's own generator,
    seeded by ``seed`` or, without one, from minitorch's global generator, so
    ``minitorch.random.manual_seed`` makes the order reproducible too.
    ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
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
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._generator = _new_generator(seed)

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.dataset) // self.batch_size
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        num_samples = len(self.dataset)
        if self.shuffle:
            order = self._generator.permutation(num_samples)
        else:
            order = np.arange(num_samples)
        for batch_number in range(len(self)):
            start = batch_number * self.batch_size
            yield self._gather(order[start : start + self.batch_size])

    def _gather(self, indices: np.ndarray) -> tuple[Tensor, ...]:
        if isinstance(self.dataset, TensorDataset):
            # One fancy index per array builds a fresh batch array; wrapping it needs no copy.
            return tuple(from_numpy(array[indices]) for array in self.dataset.arrays)
        samples = [self.dataset[int(i)] for i in indices]
        fields = [s if isinstance(s, tuple) else (s,) for s in samples]
        return tuple(
            from_numpy(np.stack([_as_ndarray(value) for value in column]))
            for column in zip(*fields, strict=True)
        )


def _new_generator(seed: int | None) -> np.random.Generator:
    """A generator for one loader: from ``seed``, else from minitorch's global generator."""
    if seed is not None:
        return np.random.default_rng(seed)
    return np.random.default_rng(minitorch_random.generator().integers(2**63))


def _as_ndarray(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return value._data
    return np.asarray(value)


# --------------------------------------------------------------------------- labels


def one_hot(
    labels: np.ndarray | Tensor | Sequence[int], num_classes: int | None = None
) -> np.ndarray:
    """One-hot encode 1-D integer class labels as a float32 array of shape (N, num_classes).

    ``num_classes`` defaults to ``max(labels) + 1``. Float labels are accepted when every
    value is a whole number (a Tensor built from ints is float32 by default).
    """
    array = _as_ndarray(labels)
    if array.ndim != 1:
        raise ValueError(f"one_hot expected 1-D labels, got shape {array.shape}")
    if np.issubdtype(array.dtype, np.floating):
        if not np.all(np.isfinite(array) & (array == np.round(array))):
            raise ValueError("one_hot expected integer labels, got non-integer float values")
    elif not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"one_hot expected integer labels, got dtype {array.dtype}")
    array = array.astype(np.int64)
    if array.size and array.min() < 0:
        raise ValueError(f"one_hot expected labels >= 0, got {array.min()}")
    largest = int(array.max()) if array.size else -1
    if num_classes is None:
        num_classes = largest + 1
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"num_classes must be an int, got {type(num_classes).__name__}")
    elif num_classes < 1:
        raise ValueError(f"num_classes must be >= 1, got {num_classes}")
    elif largest >= num_classes:
        raise ValueError(
            f"one_hot got label {largest}, out of range for num_classes={num_classes} "
            f"(expected labels in 0..{num_classes - 1})"
        )
    encoded = np.zeros((array.shape[0], num_classes), dtype=np.float32)
    encoded[np.arange(array.shape[0]), array] = 1.0
    return encoded


# --------------------------------------------------------------------------- IDX files

# IDX type codes (third header byte) and the big-endian dtypes they stand for.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
# One split of a dataset: float32 inputs (N, features) and int64 labels (N,).
Split = tuple[np.ndarray, np.ndarray]

_IDX_LONGEST_HEADER = 4 + 4 * 255  # the magic number and up to 255 dimensions
_ENDS_EARLY = " (the gzip stream ends early)"
_IMAGES_MAGIC = 0x0803  # uint8, 3 dimensions
_LABELS_MAGIC = 0x0801  # uint8, 1 dimension


def read_idx(path: str | os.PathLike[str], expected_magic: int | None = None) -> np.ndarray:
    """Read one IDX file (optionally gzip-compressed, by its ``.gz`` suffix) into an array.

    The header is big-endian: two zero bytes, a type code, the number of dimensions, then
    one uint32 per dimension. Raises ValueError naming the file when the header is bad, the
    magic number differs from ``expected_magic``, or the data length does not match it.
    At most the bytes the header announces (and one more, to detect trailing data) are read
    or decompressed.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            return _parse_idx(path, stream, expected_magic)
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(f"{path}: corrupt gzip data: {exc}") from exc


def _parse_idx(path: Path, stream: io.BufferedIOBase, expected_magic: int | None) -> np.ndarray:
    content, complete = read_at_most(stream, _IDX_LONGEST_HEADER)
    note = "" if complete else _ENDS_EARLY
    if len(content) < 4:
        raise ValueError(
            f"{path}: not an IDX file: {len(content)} bytes, too short for a header{note}"
        )
    magic = int.from_bytes(content[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(
            f"{path}: wrong magic number: expected {expected_magic} (0x{expected_magic:08x}), "
            f"found {magic} (0x{magic:08x})"
        )
    zero_bytes, type_code, ndim = magic >> 16, content[2], content[3]
    if zero_bytes != 0 or type_code not in _IDX_DTYPES:
        raise ValueError(f"{path}: not an IDX file: bad magic number 0x{magic:08x}")
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise ValueError(
            f"{path}: truncated header: expected {header_size} bytes for {ndim} dimensions, "
            f"found {len(content)}{note}"
        )
    shape = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[type_code]
    expected = math.prod(shape) * dtype.itemsize
    if complete:
        # One byte more than the header announces shows whether there is trailing data.
        rest, complete = read_at_most(stream, header_size + expected + 1 - len(content))
        content += rest
        note = "" if complete else _ENDS_EARLY
    found = len(content) - header_size
    if found < expected:
        raise ValueError(
            f"{path}: truncated: header shape {shape} needs {expected} data bytes, "
            f"found {found}{note}"
        )
    if found > expected:
        raise ValueError(
            f"{path}: unexpected trailing data: header shape {shape} needs {expected} data "
            f"bytes, found more"
        )
    array = np.frombuffer(content, dtype=dtype, count=math.prod(shape), offset=header_size)
    return array.reshape(shape).astype(dtype.newbyteorder("="), copy=False)


def load_mnist(
    directory: str | os.PathLike[str], kind: str | None = None
) -> tuple[Split, Split] | Split:
    """Load MNIST-format IDX files (MNIST, Fashion-MNIST, ...) from ``directory``.

    Reads ``{train,t10k}-{images-idx3,labels-idx1}-ubyte`` with or without ``.gz`` (the
    ``train-images.idx3-ubyte`` spelling too). Images come back flattened to float32 rows
    of shape (N, rows * cols) scaled to [0, 1]; labels as int64.

    Returns ``((x_train, y_train), (x_test, y_test))``, or just ``(x, y)`` of one split
    when ``kind`` is ``"train"`` or ``"test"`` (``"t10k"`` is accepted too).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"MNIST data folder not found: {directory}")
    if kind is None:
        return _load_idx_split(directory, "train"), _load_idx_split(directory, "t10k")
    prefixes = {"train": "train", "test": "t10k", "t10k": "t10k"}
    if kind not in prefixes:
        raise ValueError(f"kind must be None, 'train' or 'test', got {kind!r}")
    return _load_idx_split(directory, prefixes[kind])


def _load_idx_split(directory: Path, prefix: str) -> Split:
    images_path = _find_idx_file(directory, prefix, "images", 3)
    labels_path = _find_idx_file(directory, prefix, "labels", 1)
    images = read_idx(images_path, expected_magic=_IMAGES_MAGIC)
    labels = read_idx(labels_path, expected_magic=_LABELS_MAGIC)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{images_path.name} holds {images.shape[0]} images but {labels_path.name} holds "
            f"{labels.shape[0]} labels (in {directory})"
        )
    x = images.reshape(images.shape[0], -1).astype(np.float32)
    x /= 255.0
    return x, labels.astype(np.int64)


def _find_idx_file(directory: Path, prefix: str, part: str, ndim: int) -> Path:
    for stem in (f"{prefix}-{part}-idx{ndim}-ubyte", f"{prefix}-{part}.idx{ndim}-ubyte"):
        for name in (stem, stem + ".gz"):
            if (directory / name).is_file():
                return directory / name
    raise FileNotFoundError(
        f"MNIST file {prefix}-{part}-idx{ndim}-ubyte[.gz] not found in {directory}"
    )


# --------------------------------------------------------------------------- whole datasets


@dataclass(eq=False)
class DatasetSplits:
    """A classification dataset split into train and test parts.

    ``x_*`` are float32 arrays of shape (N, features) scaled to [0, 1]; ``y_*`` are int64
    class labels.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def num_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def num_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def load_digits(test_fraction: float = 0.2, seed: int = 0) -> DatasetSplits:
    """scikit-learn's bundled 8x8 digits (1797 samples, 64 features scaled to [0, 1]).

    The train/test split is stratified by class and deterministic for a given ``seed``.
    """
    from sklearn.datasets import load_digits as sklearn_load_digits
    from sklearn.model_selection import train_test_split

    images, labels = sklearn_load_digits(return_X_y=True)
    x = (images / 16.0).astype(np.float32)
    y = labels.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    return DatasetSplits("digits", x_train, y_train, x_test, y_test)


def fetch_mnist(
    data_home: str | os.PathLike[str] | None = None, timeout: float = 5.0
) -> DatasetSplits:
    """MNIST (60000 train / 10000 test) from OpenML through scikit-learn, which caches it
    under ``data_home`` (default ``~/scikit_learn_data``).

    Every network operation gives up after ``timeout`` seconds, so without a network this
    fails within seconds. Raises ConnectionError when the download fails.
    """
    from sklearn.datasets import fetch_openml

    # Without pandas, scikit-learn's default parser for dense data would fail to import it.
    parser = "pandas" if importlib.util.find_spec("pandas") else "liac-arff"
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        with warnings.catch_warnings():
            # scikit-learn warns on each retry; the caller gets one clear error instead.
            warnings.simplefilter("ignore", UserWarning)
            images, labels = fetch_openml(
                "mnist_784",
                version=1,
                as_frame=False,
                return_X_y=True,
                data_home=data_home,
                n_retries=1,
                delay=0.5,
                parser=parser,
            )
    except (OSError, HTTPException) as exc:
        raise ConnectionError(f"could not download MNIST from OpenML: {exc}") from exc
    finally:
        socket.setdefaulttimeout(previous_timeout)
    x = np.asarray(images, dtype=np.float32)
    x /= 255.0
    y = np.asarray(labels).astype(np.int64)
    return DatasetSplits("mnist", x[:60000], y[:60000], x[60000:], y[60000:])


_DATASET_NAMES = ("auto", "openml", "digits", "idx")


def load_dataset(
    name: str = "auto",
    data_dir: str | os.PathLike[str] | None = None,
    *,
    data_home: str | os.PathLike[str] | None = None,
    timeout: float = 5.0,
) -> DatasetSplits:
    """Load a classification dataset by name.

    - ``"idx"``: MNIST-format IDX files from ``data_dir`` (see ``load_mnist``).
    - ``"openml"``: MNIST from OpenML (see ``fetch_mnist``); raises ConnectionError offline.
    - ``"digits"``: scikit-learn's bundled 8x8 digits (see ``load_digits``).
    - ``"auto"``: ``"idx"`` when ``data_dir`` is given, else ``"openml"``, falling back to
      ``"digits"`` with a one-line notice on stderr when MNIST cannot be downloaded.
    """
    if name not in _DATASET_NAMES:
        raise ValueError(f"dataset name must be one of {_DATASET_NAMES}, got {name!r}")
    if name == "idx" or (name == "auto" and data_dir is not None):
        if data_dir is None:
            raise ValueError("dataset 'idx' needs data_dir, the folder holding the IDX files")
        (x_train, y_train), (x_test, y_test) = load_mnist(data_dir)
        return DatasetSplits(Path(data_dir).resolve().name, x_train, y_train, x_test, y_test)
    if name == "digits":
        return load_digits()
    if name == "openml":
        return fetch_mnist(data_home=data_home, timeout=timeout)
    try:
        return fetch_mnist(data_home=data_home, timeout=timeout)
    except ConnectionError as exc:
        reason = " ".join(str(exc.__cause__ or exc).split())
        print(
            f"Could not download MNIST ({reason}); "
            "falling back to scikit-learn's bundled 8x8 digits.",
            file=sys.stderr,
        )
        return load_digits()
