"""Writing MNIST-format IDX files for tests: the data tests read them back, the README test
points the examples at a small folder of them."""

import gzip
from pathlib import Path

import numpy as np


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_file(path: Path, content: bytes) -> Path:
    if path.suffix == ".gz":
        content = gzip.compress(content)
    path.write_bytes(content)
    return path


def write_mnist(directory: Path, n_train=5, n_test=3, gz=True, rows=4, cols=3) -> None:
    rng = np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, rows, cols), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        write_file(directory / f"{prefix}-images-idx3-ubyte{suffix}", idx_bytes(images))
        write_file(directory / f"{prefix}-labels-idx1-ubyte{suffix}", idx_bytes(labels))
