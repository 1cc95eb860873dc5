"""minitorch.utils.data (PyTorch's Dataset, Subset, random_split, DataLoader with
default_collate), minitorch.datasets.MNIST and minitorch.transforms."""

import gzip
from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest

import minitorch
from minitorch import datasets, transforms
from minitorch.utils.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


class Records(Dataset):
    """A map-style dataset of dicts of mixed types."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return {"image": np.full((2, 2), i, np.float32), "label": i % 3, "name": f"n{i}"}


def test_default_collate_follows_pytorch_types():
    batch = default_collate([(np.zeros(2, np.float32), 1, 0.5, True), (np.ones(2, np.float32),
                                                                        2, 1.5, False)])
    assert isinstance(batch, list) and len(batch) == 4  # a tuple sample gives a list
    arrays, ints, floats, flags = batch
    assert arrays.shape == (2, 2) and arrays.dtype == np.float32
    assert ints.dtype == np.int64 and floats.dtype == np.float64 and flags.dtype == np.bool_
    Pair = namedtuple("Pair", "x y")
    pair = default_collate([Pair(minitorch.tensor([1.0]), 3), Pair(minitorch.tensor([2.0]), 4)])
    assert isinstance(pair, Pair) and pair.x.shape == (2, 1) and pair.y.tolist() == [3, 4]
    assert default_collate([np.int32(1), np.int32(2)]).dtype == np.int32
    with pytest.raises(ValueError, match=r"different shapes \[\(2,\), \(3,\)\]"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="got object"):
        default_collate([object(), object()])


def test_loader_batches_dicts_of_any_type():
    batches = list(DataLoader(Records(), batch_size=3, drop_last=True))
    assert len(batches) == 2
    assert batches[1]["image"].shape == (3, 2, 2) and batches[1]["label"].tolist() == [0, 1, 2]
    assert batches[0]["name"] == ["n0", "n1", "n2"]
    lengths = [len(b) for b in DataLoader(Records(), batch_size=3, collate_fn=lambda s: s)]
    assert lengths == [3, 3, 1]


def test_loader_generator_and_sampler():
    dataset = TensorDataset(np.arange(20))
    first = [b[0].tolist() for b in DataLoader(
        dataset, batch_size=20, shuffle=True, generator=minitorch.Generator().manual_seed(5))]
    again = [b[0].tolist() for b in DataLoader(
        dataset, batch_size=20, shuffle=True, generator=minitorch.Generator().manual_seed(5))]
    assert first == again and sorted(first[0]) == list(range(20)) and first[0] != list(range(20))
    reversed_order = DataLoader(dataset, batch_size=8, sampler=range(19, -1, -1))
    assert len(reversed_order) == 3
    assert next(iter(reversed_order))[0].tolist() == list(range(19, 11, -1))
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(dataset, sampler=range(20), shuffle=True)
    assert DataLoader(dataset, num_workers=2, pin_memory=True).num_workers == 2


def test_random_split_by_counts_and_fractions():
    dataset = TensorDataset(np.arange(10))
    train, test = random_split(dataset, [7, 3], generator=minitorch.Generator().manual_seed(0))
    assert isinstance(train, Subset) and len(train) == 7 and len(test) == 3
    values = sorted(int(train[i][0]) for i in range(7)) + sorted(int(x[0]) for x in test)
    assert sorted(values) == list(range(10))  # no overlap, nothing lost
    parts = random_split(dataset, [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [5, 3, 2]
    assert [len(p) for p in random_split(range(7), [0.5, 0.5])] == [4, 3]  # round-robin
    batch = next(iter(DataLoader(train, batch_size=7)))  # a Subset of a TensorDataset
    assert sorted(batch[0].tolist()) == sorted(int(train[i][0]) for i in range(7))
    with pytest.raises(ValueError, match="add up to 9, but the dataset has 10 samples"):
        random_split(dataset, [5, 4])
    with pytest.raises(ValueError, match="add up to 1"):
        random_split(dataset, [0.5, 0.4])


def test_tensor_dataset_tensors_share_memory():
    features = np.zeros((3, 2), np.float32)
    dataset = TensorDataset(features, np.arange(3))
    assert [t.shape for t in dataset.tensors] == [(3, 2), (3,)]
    dataset.tensors[0]._data[0, 0] = 1
    assert features[0, 0] == 1  # no copy, as in PyTorch


def test_dataset_base_class_names_what_is_missing():
    with pytest.raises(NotImplementedError, match="Dataset does not define __getitem__"):
        Dataset()[0]


# --------------------------------------------------------------------------- MNIST, transforms


def write_idx(directory, prefix, images, labels):
    def idx(array, dims):
        header = bytes([0, 0, 8, dims]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
        return header + array.astype(np.uint8).tobytes()

    (directory / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx(images, 3)))
    (directory / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx(labels, 1)))


def test_mnist_dataset_reads_torchvision_layout_and_applies_transforms(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256
    write_idx(raw, "t10k", images, np.array([7, 2, 1]))
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.25,))])
    test_set = datasets.MNIST(tmp_path, train=False, transform=transform,
                              target_transform=lambda y: y + 10)
    assert len(test_set) == 3 and test_set.targets.dtype == np.int64
    image, label = test_set[1]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and label == 12
    np.testing.assert_allclose(image.numpy()[0], (images[1] / 255 - 0.5) / 0.25, atol=1e-6)
    raw_image, _ = datasets.MNIST(tmp_path, train=False)[0]
    assert raw_image.dtype == np.uint8 and raw_image.shape == (28, 28)
    with pytest.raises(FileNotFoundError, match="download=True"):
        datasets.MNIST(tmp_path, train=True)


def test_transforms_check_their_input():
    with pytest.raises(ValueError, match="std must not be 0"):
        transforms.Normalize((0.0,), (0.0,))
    with pytest.raises(ValueError, match="3 means for an image with 1 channels"):
        transforms.Normalize((0.1, 0.2, 0.3), (1, 1, 1))(transforms.ToTensor()(np.zeros((2, 2))))
    rgb = transforms.ToTensor()(np.zeros((4, 5, 3), np.float32))
    assert rgb.shape == (3, 4, 5) and rgb.dtype == np.float32


@pytest.mark.skipif(not (SHARED_DATA / "mnist-10k").is_dir(), reason="shared data absent")
def test_mnist_dataset_on_the_shared_digits():
    train = datasets.MNIST(SHARED_DATA / "mnist-10k", train=True, transform=transforms.ToTensor())
    assert len(train) == 8000
    images, labels = next(iter(DataLoader(train, batch_size=64)))
    assert images.shape == (64, 1, 28, 28) and labels.dtype == np.int64
