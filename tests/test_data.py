import gzip
from pathlib import Path

import numpy as np
import pytest
from idx_files import idx_bytes, write_file, write_mnist

from minitorch import data
from minitorch.data import (
    DataLoader,
    DatasetSplits,
    TensorDataset,
    load_dataset,
    load_digits,
    load_mnist,
    one_hot,
    read_idx,
)
from minitorch.tensor import Tensor

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


# --------------------------------------------------------------------------- read_idx


@pytest.mark.parametrize("name", ["x-idx3-ubyte", "x-idx3-ubyte.gz"])
def test_read_idx_round_trip(tmp_path, name):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write_file(tmp_path / name, idx_bytes(images))
    result = read_idx(path)
    assert result.dtype == np.uint8 and result.shape == (2, 3, 4)
    np.testing.assert_array_equal(result, images)
    result[0, 0, 0] = 7  # the returned array is writable


def test_read_idx_big_endian_wider_types(tmp_path):
    values = np.array([[1.5, -2.0], [3.25, 1e6]], dtype=np.float32)
    path = write_file(tmp_path / "floats-idx2", idx_bytes(values, type_code=0x0D))
    np.testing.assert_array_equal(read_idx(path), values)
    ints = np.array([-70000, 5, 2**30], dtype=np.int32)
    path = write_file(tmp_path / "ints-idx1", idx_bytes(ints, type_code=0x0C))
    np.testing.assert_array_equal(read_idx(path), ints)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_read_idx_truncated_names_file_and_sizes(tmp_path, suffix):
    content = idx_bytes(np.zeros((4, 5, 5), dtype=np.uint8))
    path = write_file(tmp_path / f"train-images-idx3-ubyte{suffix}", content[:-10])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.*truncated.*100.*found 90"):
        read_idx(path)


def test_read_idx_truncated_gzip_stream(tmp_path):
    content = gzip.compress(idx_bytes(np.arange(1000, dtype=np.uint8) % 251))
    path = tmp_path / "labels-idx1-ubyte.gz"
    path.write_bytes(content[: len(content) // 2])
    with pytest.raises(ValueError, match=r"labels-idx1-ubyte\.gz.*truncated.*needs 1000"):
        read_idx(path)


def test_read_idx_wrong_magic(tmp_path):
    path = write_file(tmp_path / "labels-idx1-ubyte", idx_bytes(np.zeros(3, dtype=np.uint8)))
    with pytest.raises(ValueError, match=r"labels-idx1-ubyte.*expected 2051.*found 2049"):
        read_idx(path, expected_magic=2051)
    garbage = write_file(tmp_path / "garbage", b"PK\x03\x04 not idx at all")
    with pytest.raises(ValueError, match="garbage: not an IDX file"):
        read_idx(garbage)


def test_read_idx_corrupt_gzip(tmp_path):
    path = write_file(tmp_path / "images-idx3-ubyte.gz", b"")
    path.write_bytes(b"this is not gzip data")
    with pytest.raises(ValueError, match=r"images-idx3-ubyte\.gz.*gzip"):
        read_idx(path)


def test_read_idx_trailing_data(tmp_path):
    content = idx_bytes(np.zeros(3, dtype=np.uint8)) + b"\x00"
    path = write_file(tmp_path / "labels", content)
    with pytest.raises(ValueError, match="trailing data.*needs 3 data bytes, found more"):
        read_idx(path)


# --------------------------------------------------------------------------- load_mnist


@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_layout(tmp_path, gz):
    write_mnist(tmp_path, gz=gz)
    (x_train, y_train), (x_test, y_test) = load_mnist(tmp_path)
    assert x_train.shape == (5, 12) and x_test.shape == (3, 12)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0
    raw = read_idx(tmp_path / f"train-images-idx3-ubyte{'.gz' if gz else ''}")
    np.testing.assert_allclose(x_train, raw.reshape(5, -1) / 255.0, rtol=1e-6)
    x, y = load_mnist(tmp_path, kind="test")
    np.testing.assert_array_equal(x, x_test)
    np.testing.assert_array_equal(y, y_test)


def test_load_mnist_dotted_spelling(tmp_path):
    write_mnist(tmp_path, gz=False)
    for path in list(tmp_path.iterdir()):
        path.rename(path.with_name(path.name.replace("-idx", ".idx")))
    (x_train, _), (x_test, _) = load_mnist(tmp_path)
    assert x_train.shape == (5, 12) and x_test.shape == (3, 12)


def test_load_mnist_missing_file_names_file_and_folder(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match=r"t10k-labels-idx1-ubyte.*" + tmp_path.name):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="folder not found"):
        load_mnist(tmp_path / "absent")


def test_load_mnist_count_mismatch(tmp_path):
    write_mnist(tmp_path)
    labels = np.zeros(4, dtype=np.uint8)
    write_file(tmp_path / "train-labels-idx1-ubyte.gz", idx_bytes(labels))
    with pytest.raises(ValueError, match="train-images.*5 images.*train-labels.*4 labels"):
        load_mnist(tmp_path)


def test_load_mnist_swapped_files_rejected_by_magic(tmp_path):
    write_mnist(tmp_path)
    images = tmp_path / "train-images-idx3-ubyte.gz"
    labels = tmp_path / "train-labels-idx1-ubyte.gz"
    content = images.read_bytes()
    images.write_bytes(labels.read_bytes())
    labels.write_bytes(content)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz: wrong magic number"):
        load_mnist(tmp_path)


def test_load_mnist_bad_kind(tmp_path):
    write_mnist(tmp_path)
    with pytest.raises(ValueError, match="kind"):
        load_mnist(tmp_path, kind="validation")


@pytest.mark.skipif(not (SHARED_DATA / "mnist-10k").is_dir(), reason="shared data absent")
def test_real_mnist_10k():
    dataset = load_dataset("idx", SHARED_DATA / "mnist-10k")
    assert dataset.name == "mnist-10k"
    assert dataset.x_train.shape == (8000, 784) and dataset.x_test.shape == (1000, 784)
    assert dataset.y_train.dtype == np.int64
    for labels in (dataset.y_train, dataset.y_test):
        assert set(np.unique(labels)) == set(range(10))
    assert 0.0 <= dataset.x_train.min() and dataset.x_train.max() <= 1.0
    assert dataset.num_features == 784 and dataset.num_classes == 10


# --------------------------------------------------------------------------- one_hot


def test_one_hot_values():
    encoded = one_hot([2, 0, 1, 2])
    assert encoded.dtype == np.float32 and encoded.shape == (4, 3)
    np.testing.assert_array_equal(encoded.argmax(axis=1), [2, 0, 1, 2])
    np.testing.assert_array_equal(encoded.sum(axis=1), 1.0)
    assert one_hot(np.array([1], dtype=np.uint8), num_classes=5).shape == (1, 5)
    # A Tensor made from ints is float32; whole-number floats are accepted.
    np.testing.assert_array_equal(one_hot(Tensor([0, 1])), np.eye(2, dtype=np.float32))


@pytest.mark.parametrize(
    ("labels", "num_classes", "message"),
    [
        ([0, -1], None, "labels >= 0"),
        ([0, 3], 3, r"label 3, out of range for num_classes=3"),
        ([0.5, 1.0], None, "integer labels"),
        (np.array([[0, 1]]), None, r"1-D labels, got shape \(1, 2\)"),
        (np.array(["a"]), None, "integer labels, got dtype"),
        ([0, 1], 0, "num_classes must be >= 1"),
    ],
)
def test_one_hot_errors(labels, num_classes, message):
    with pytest.raises(ValueError, match=message):
        one_hot(labels, num_classes)


# --------------------------------------------------------------------------- TensorDataset


def test_tensor_dataset_items_and_dtypes():
    features = np.arange(12, dtype=np.float32).reshape(6, 2)
    labels = np.array([0, 1, 2, 0, 1, 2], dtype=np.int64)
    dataset = TensorDataset(Tensor(features), labels)
    assert len(dataset) == 6
    x, y = dataset[4]
    assert isinstance(x, Tensor) and isinstance(y, Tensor)
    np.testing.assert_array_equal(x.data, [8.0, 9.0])
    assert y.dtype == np.int64 and y.data == 1


def test_tensor_dataset_length_mismatch():
    with pytest.raises(ValueError, match=r"equal first dimensions.*\(3, 2\), \(4,\)"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


# --------------------------------------------------------------------------- DataLoader


def make_dataset(n=10):
    return TensorDataset(np.arange(n * 2, dtype=np.float32).reshape(n, 2), np.arange(n))


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "sizes"),
    [
        (10, 3, False, [3, 3, 3, 1]),
        (10, 3, True, [3, 3, 3]),
        (10, 5, False, [5, 5]),
        (10, 5, True, [5, 5]),
        (2, 5, True, []),
        (2, 5, False, [2]),
    ],
)
def test_loader_batch_counts(n, batch_size, drop_last, sizes):
    loader = DataLoader(make_dataset(n), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == len(sizes)
    assert [x.shape[0] for x, _ in loader] == sizes


def test_loader_batches_in_order_with_integer_labels():
    batches = list(DataLoader(make_dataset(), batch_size=4))
    x, y = batches[0]
    assert isinstance(x, Tensor) and x.dtype == np.float32 and x.shape == (4, 2)
    assert y.dtype == np.int64
    np.testing.assert_array_equal(np.concatenate([y.data for _, y in batches]), np.arange(10))


def test_loader_shuffle_seeded_covers_every_sample_once():
    def epochs(loader, count):
        return [np.concatenate([y.data for _, y in loader]) for _ in range(count)]

    first = epochs(DataLoader(make_dataset(50), batch_size=8, shuffle=True, seed=3), 3)
    second = epochs(DataLoader(make_dataset(50), batch_size=8, shuffle=True, seed=3), 3)
    for order_a, order_b in zip(first, second, strict=True):
        np.testing.assert_array_equal(order_a, order_b)
        np.testing.assert_array_equal(np.sort(order_a), np.arange(50))
    assert not np.array_equal(first[0], first[1])  # reshuffled every epoch
    assert not np.array_equal(first[0], np.arange(50))


def test_loader_unseeded_follows_global_seed():
    from minitorch.random import manual_seed

    orders = []
    for _ in range(2):
        manual_seed(11)
        loader = DataLoader(make_dataset(30), batch_size=30, shuffle=True)
        orders.append(next(iter(loader))[1].data)
    np.testing.assert_array_equal(orders[0], orders[1])


def test_loader_batches_are_fresh_arrays():
    dataset = make_dataset()
    x, _ = next(iter(DataLoader(dataset, batch_size=4)))
    x.data[:] = -1
    assert dataset.arrays[0].min() >= 0


def test_loader_generic_dataset():
    class Squares:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=np.float32), i

    batches = list(DataLoader(Squares(), batch_size=2))
    assert len(batches) == 3
    x, y = batches[1]
    np.testing.assert_array_equal(x.data, [[2, 4], [3, 9]])
    assert y.dtype == np.int64


@pytest.mark.parametrize("batch_size", [0, -1, 2.0, True])
def test_loader_validates_batch_size(batch_size):
    # ValueError for a float too, as PyTorch raises it.
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(make_dataset(), batch_size=batch_size)


def test_loader_rejects_non_dataset():
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(42)


# --------------------------------------------------------------------------- named datasets


def test_load_digits_split_is_stratified_and_deterministic():
    first, second = load_digits(), load_digits()
    assert first.name == "digits"
    assert first.x_train.shape[0] + first.x_test.shape[0] == 1797
    assert first.x_train.shape[1] == 64 and first.x_train.dtype == np.float32
    assert 0.0 <= first.x_train.min() and first.x_train.max() <= 1.0
    assert first.y_test.dtype == np.int64
    np.testing.assert_array_equal(first.y_test, second.y_test)
    assert np.all(np.bincount(first.y_test, minlength=10) >= 30)


def refuse_network(*args, **kwargs):
    raise OSError("network is unreachable")


def test_auto_falls_back_to_digits_offline(monkeypatch, capsys):
    monkeypatch.setattr("sklearn.datasets.fetch_openml", refuse_network)
    dataset = load_dataset("auto")
    assert isinstance(dataset, DatasetSplits) and dataset.name == "digits"
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).strip().splitlines()
    assert len(lines) == 1
    assert "could not download mnist" in lines[0].lower() and "digits" in lines[0]


def test_openml_offline_raises_instead_of_falling_back(monkeypatch):
    monkeypatch.setattr("sklearn.datasets.fetch_openml", refuse_network)
    with pytest.raises(ConnectionError, match="could not download MNIST"):
        load_dataset("openml")


def test_fetch_mnist_splits_and_scales(monkeypatch):
    def fake_fetch_openml(name, **kwargs):
        assert name == "mnist_784" and kwargs["as_frame"] is False
        images = np.full((70000, 2), 255.0)
        labels = np.array([str(i % 10) for i in range(70000)], dtype=object)
        return images, labels

    monkeypatch.setattr("sklearn.datasets.fetch_openml", fake_fetch_openml)
    dataset = data.fetch_mnist()
    assert dataset.name == "mnist"
    assert dataset.x_train.shape == (60000, 2) and dataset.x_test.shape == (10000, 2)
    assert dataset.x_train.dtype == np.float32 and dataset.x_train.max() == 1.0
    assert dataset.y_test.dtype == np.int64 and dataset.y_test[:3].tolist() == [0, 1, 2]


def test_load_dataset_argument_errors():
    with pytest.raises(ValueError, match="one of"):
        load_dataset("cifar")
    with pytest.raises(ValueError, match="data_dir"):
        load_dataset("idx")
