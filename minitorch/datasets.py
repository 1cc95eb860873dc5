"""Datasets to train on: MNIST-format IDX files, MNIST from OpenML, and scikit-learn's
bundled 8x8 digits.

``MNIST`` (and ``FashionMNIST``) is a map-style dataset with torchvision's signature, for
code written against ``torchvision.datasets``. ``load_dataset`` is the one entry point the
examples use: whole splits as arrays, from IDX files, from OpenML, or from the bundled
digits when there is no network.
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
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import Any

import numpy as np

from minitorch._untrusted import read_at_most
from minitorch.tensor import from_numpy
from minitorch.utils.data import Dataset

__all__ = [
    "MNIST",
    "DatasetSplits",
    "FashionMNIST",
    "fetch_mnist",
    "load_dataset",
    "load_digits",
    "load_mnist",
    "read_idx",
]


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
    images, labels = _read_idx_split(directory, prefix)
    x = images.reshape(images.shape[0], -1).astype(np.float32)
    x /= 255.0
    return x, labels


def _read_idx_split(directory: Path, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """The uint8 images (N, rows, cols) and int64 labels (N,) of one split."""
    images_path = _find_idx_file(directory, prefix, "images", 3)
    labels_path = _find_idx_file(directory, prefix, "labels", 1)
    images = read_idx(images_path, expected_magic=_IMAGES_MAGIC)
    labels = read_idx(labels_path, expected_magic=_LABELS_MAGIC)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{images_path.name} holds {images.shape[0]} images but {labels_path.name} holds "
            f"{labels.shape[0]} labels (in {directory})"
        )
    return images, labels.astype(np.int64)


def _find_idx_file(directory: Path, prefix: str, part: str, ndim: int) -> Path:
    for stem in (f"{prefix}-{part}-idx{ndim}-ubyte", f"{prefix}-{part}.idx{ndim}-ubyte"):
        for name in (stem, stem + ".gz"):
            if (directory / name).is_file():
                return directory / name
    raise FileNotFoundError(
        f"MNIST file {prefix}-{part}-idx{ndim}-ubyte[.gz] not found in {directory}"
    )


# --------------------------------------------------------------------------- MNIST as a Dataset


class MNIST(Dataset):
    """MNIST as a map-style dataset, with ``torchvision.datasets.MNIST``'s signature.

    ``dataset[i]`` is ``(image, label)``: the image a uint8 array (28, 28) passed through
    ``transform`` (e.g. ``transforms.ToTensor()``), the label an int passed through
    ``target_transform``. The IDX files (see :func:`load_mnist`) are read from ``root``
    itself or from ``root/MNIST/raw`` (torchvision's layout). When they are absent and
    ``download`` is True, MNIST is fetched from OpenML instead (see :func:`fetch_mnist`);
    otherwise FileNotFoundError names the folders searched. ``data`` (uint8, (N, 28, 28))
    and ``targets`` (int64) hold the whole split as Tensors.
    """

    folder = "MNIST"

    def __init__(
        self,
        root: str | os.PathLike[str],
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        download: bool = False,
    ) -> None:
        self.root, self.train = Path(root), train
        self.transform, self.target_transform = transform, target_transform
        prefix = "train" if train else "t10k"
        for directory in (self.root, self.root / self.folder / "raw"):
            if directory.is_dir() and any(directory.glob(f"{prefix}-images*")):
                images, labels = _read_idx_split(directory, prefix)
                break
        else:
            if not download:
                raise FileNotFoundError(
                    f"{self.folder} IDX files ({prefix}-images-idx3-ubyte[.gz], ...) not found "
                    f"in {self.root} or {self.root / self.folder / 'raw'}; pass download=True "
                    "to fetch MNIST from OpenML"
                )
            images, labels = self._download()
        self.data, self.targets = from_numpy(images), from_numpy(labels)

    def _download(self) -> tuple[np.ndarray, np.ndarray]:
        if self.folder != "MNIST":
            raise FileNotFoundError(f"{self.folder} cannot be downloaded: put its IDX files in "
                                    f"{self.root}")
        splits = fetch_mnist()
        x, y = (splits.x_train, splits.y_train) if self.train else (splits.x_test, splits.y_test)
        images = np.rint(x * 255.0).astype(np.uint8).reshape(-1, 28, 28)
        return images, y

    def __len__(self) -> int:
        return len(self.targets._data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, label = self.data._data[index], int(self.targets._data[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label


class FashionMNIST(MNIST):
    """Fashion-MNIST as a map-style dataset: the same as :class:`MNIST`, with the files in
    ``root`` or ``root/FashionMNIST/raw`` (no download)."""

    folder = "FashionMNIST"


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
