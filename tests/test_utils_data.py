"""minitorch.utils.data against torch.utils.data: datasets (map-style, iterable, Subset,
ConcatDataset, ChainDataset, random_split), samplers, default_collate and default_convert,
DataLoader and its options and errors; minitorch.datasets.MNIST and minitorch.transforms."""

import gzip
from collections import Counter, OrderedDict, namedtuple
from pathlib import Path

import numpy as np
import pytest

import minitorch
from minitorch import datasets, transforms
from minitorch.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    get_worker_info,
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
    with pytest.raises(NotImplementedError, match="IterableDataset does not define __iter__"):
        iter(IterableDataset())
    with pytest.raises(NotImplementedError, match="Sampler does not define __iter__"):
        iter(Sampler())


# --------------------------------------------------------------------------- samplers


def seeded(seed=0):
    return minitorch.Generator().manual_seed(seed)


def test_sequential_sampler():
    sampler = SequentialSampler(range(5))
    assert list(sampler) == [0, 1, 2, 3, 4] == list(sampler) and len(sampler) == 5
    assert all(type(i) is int for i in sampler)  # Python ints, as PyTorch's


@pytest.mark.parametrize(("n", "batch_size", "drop_last", "expected"), [
    (10, 3, False, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]),
    (10, 3, True, [[0, 1, 2], [3, 4, 5], [6, 7, 8]]),
    (4, 4, True, [[0, 1, 2, 3]]),
    (3, 5, True, []),
    (0, 2, False, []),
])
def test_batch_sampler(n, batch_size, drop_last, expected):
    batches = BatchSampler(SequentialSampler(range(n)), batch_size, drop_last)
    assert list(batches) == expected and len(batches) == len(expected)
    # Any iterable of indices (keys, too) can be grouped, and is grouped afresh each epoch.
    keys = BatchSampler(["a", "b", "c"], 2, drop_last=False)
    assert list(keys) == [["a", "b"], ["c"]] == list(keys)


def test_random_sampler_draws_a_new_permutation_each_epoch():
    sampler = RandomSampler(range(20), generator=seeded())
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == list(range(20)) and first != second
    assert list(RandomSampler(range(20), generator=seeded())) == first  # reproducible
    minitorch.manual_seed(3)
    unseeded = list(RandomSampler(range(20)))  # the global generator, when iteration starts
    minitorch.manual_seed(3)
    assert list(RandomSampler(range(20))) == unseeded


def test_random_sampler_num_samples_and_replacement():
    longer = list(RandomSampler(range(10), num_samples=25, generator=seeded()))
    # Two whole passes, then five indices of a third one.
    assert len(longer) == 25 and sorted(longer[:10]) == sorted(longer[10:20]) == list(range(10))
    assert len(set(longer[20:])) == 5
    drawn = RandomSampler(range(3), replacement=True, num_samples=300, generator=seeded())
    counts = Counter(drawn)
    assert len(drawn) == 300 and set(counts) == {0, 1, 2} and min(counts.values()) > 60


def test_random_sampler_draws_a_huge_num_samples_lazily():
    # makemore's endless loader: num_samples=int(1e10) with replacement. Drawn up front,
    # the indices would not fit in memory; drawn in chunks, the first batch comes at once.
    endless = RandomSampler(range(10), replacement=True, num_samples=2**62, generator=seeded())
    (first,) = next(iter(DataLoader(TensorDataset(minitorch.arange(10)), batch_size=4,
                                    sampler=endless)))
    assert first.shape == (4,) and next(iter(endless)) in range(10)
    # Without replacement, one pass is drawn at a time: after the first index of a thousand
    # passes, the generator is where one shuffle leaves it.
    generator, one_pass = seeded(1), seeded(1)
    next(iter(RandomSampler(range(10), num_samples=10 * 1000, generator=generator)))
    minitorch.randperm(10, generator=one_pass)
    assert np.array_equal(generator.get_state(), one_pass.get_state())
    # Batches that straddle two chunks, and the last short one, are as iterating gives.
    sampler = RandomSampler(range(7), num_samples=23, generator=seeded(2))
    loader = DataLoader(TensorDataset(minitorch.arange(7)), batch_size=5, sampler=sampler)
    assert sum((y.tolist() for (y,) in loader), []) == list(
        RandomSampler(range(7), num_samples=23, generator=seeded(2)))


def test_unseeded_random_sampler_ignores_global_draws_during_the_epoch():
    # As in PyTorch: the epoch's generator is seeded from the global one when it starts.
    minitorch.manual_seed(4)
    undisturbed = list(RandomSampler(range(10), num_samples=30))
    minitorch.manual_seed(4)
    indices = iter(RandomSampler(range(10), num_samples=30))
    head = [next(indices) for _ in range(12)]
    minitorch.rand(5)
    assert head + list(indices) == undisturbed


def test_subset_random_sampler():
    sampler = SubsetRandomSampler([7, 3, 11, 5], generator=seeded())
    epochs = [list(sampler) for _ in range(4)]
    assert all(sorted(e) == [3, 5, 7, 11] for e in epochs) and len(sampler) == 4
    assert len({tuple(e) for e in epochs}) > 1
    assert all(type(i) is int for i in epochs[0])


def test_weighted_random_sampler():
    weights = [0.0, 1.0, 3.0, 0.0]
    drawn = list(WeightedRandomSampler(weights, 4000, generator=seeded()))
    counts = Counter(drawn)
    assert set(counts) == {1, 2} and 2.6 < counts[2] / counts[1] < 3.4  # 3 to 1
    once = list(WeightedRandomSampler([1, 1, 5, 1], 4, replacement=False, generator=seeded()))
    assert sorted(once) == [0, 1, 2, 3]
    sampler = WeightedRandomSampler(np.array([1.0, 2.0]), 5)
    assert len(sampler) == 5 and sampler.weights.dtype == np.float64


@pytest.mark.parametrize(("make", "error", "message"), [
    (lambda: RandomSampler(range(5), num_samples=0), ValueError, "num_samples=0"),
    (lambda: RandomSampler(range(5), num_samples=2.5), ValueError, "positive integer"),
    (lambda: RandomSampler(range(0)), ValueError, "num_samples=0"),
    (lambda: RandomSampler(range(5), replacement=1), TypeError, "replacement should be a bool"),
    (lambda: WeightedRandomSampler([1, 2], 0), ValueError, "num_samples=0"),
    (lambda: WeightedRandomSampler([1, 2], -3), ValueError, "num_samples=-3"),
    (lambda: WeightedRandomSampler([1, 2], True), ValueError, "num_samples=True"),
    (lambda: WeightedRandomSampler([1, 2], 2, replacement="no"), ValueError, "replacement"),
    (lambda: WeightedRandomSampler([[1, 2]], 2), ValueError, r"1d sequence.*\(1, 2\)"),
    (lambda: WeightedRandomSampler([1, -0.5], 2), ValueError, "-0.5 at position 1"),
    (lambda: WeightedRandomSampler([1, np.nan], 2), ValueError, "finite and >= 0"),
    (lambda: WeightedRandomSampler([np.inf, 1], 2), ValueError, "finite and >= 0"),
    (lambda: WeightedRandomSampler([0, 0], 2), ValueError, "must not all be zero"),
    (lambda: WeightedRandomSampler([1, 0, 1], 3, replacement=False), ValueError,
     "3 samples without replacement from 2"),
    (lambda: BatchSampler(range(5), 0, False), ValueError, "batch_size=0"),
    (lambda: BatchSampler(range(5), -2, False), ValueError, "batch_size=-2"),
    (lambda: BatchSampler(range(5), 2.0, False), ValueError, "batch_size=2.0"),
    (lambda: BatchSampler(range(5), 2, drop_last=1), ValueError, "drop_last should be a bool"),
])
def test_sampler_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


# --------------------------------------------------------------------------- DataLoader


class Points(Dataset):
    """A map-style dataset that is not a TensorDataset: one __getitem__ per sample."""

    def __init__(self, n=10):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([i, -i], np.float32), i


class Stream(IterableDataset):
    """An iterable-style dataset, with a __len__ or without one."""

    def __init__(self, n=7, sized=True):
        self.n, self.sized = n, sized

    def __iter__(self):
        for i in range(self.n):
            yield {"x": np.full(2, i, np.float32), "y": i}

    def __len__(self):
        if not self.sized:
            raise TypeError("Stream has no length")
        return self.n


def labels_of(loader):
    return [batch[1].tolist() for batch in loader]


def test_loader_with_sampler():
    loader = DataLoader(Points(), batch_size=3, sampler=SubsetRandomSampler([1, 4, 6, 8, 9]))
    epoch = labels_of(loader)
    assert len(loader) == 2 and [len(b) for b in epoch] == [3, 2]
    assert sorted(sum(epoch, [])) == [1, 4, 6, 8, 9]
    weighted = DataLoader(Points(), batch_size=4, sampler=WeightedRandomSampler(
        [0] * 9 + [1], 8, generator=seeded()))
    assert labels_of(weighted) == [[9] * 4, [9] * 4]


def test_loader_with_batch_sampler():
    batches = [[0, 5], [9], [2, 2, 3]]  # any iterable of lists of indices
    loader = DataLoader(Points(), batch_sampler=batches)
    assert loader.batch_size is None and loader.drop_last is False and len(loader) == 3
    assert labels_of(loader) == batches == labels_of(loader)
    sampled = DataLoader(Points(), batch_sampler=BatchSampler(RandomSampler(
        range(10), generator=seeded()), 4, drop_last=True))
    epoch = labels_of(sampled)
    assert len(sampled) == 2 and [len(b) for b in epoch] == [4, 4] and len(set(sum(epoch, []))) == 8


def test_loader_without_batching():
    loader = DataLoader(Points(4), batch_size=None)
    samples = list(loader)
    assert len(loader) == 4 and len(samples) == 4
    x, y = samples[2]  # default_convert: the array becomes a Tensor, the int stays an int
    assert isinstance(samples[2], list) and isinstance(x, minitorch.Tensor) and y == 2
    assert x.tolist() == [2.0, -2.0]
    shuffled = DataLoader(Points(4), batch_size=None, shuffle=True, generator=seeded())
    assert sorted(y for _, y in shuffled) == [0, 1, 2, 3]
    raw = DataLoader(Points(4), batch_size=None, collate_fn=lambda sample: sample[1] * 10)
    assert list(raw) == [0, 10, 20, 30]
    rows = list(DataLoader(TensorDataset(np.arange(6).reshape(3, 2)), batch_size=None))
    assert [[t.tolist() for t in row] for row in rows] == [[[0, 1]], [[2, 3]], [[4, 5]]]


@pytest.mark.parametrize("sized", [True, False])
def test_loader_over_an_iterable_dataset(sized):
    loader = DataLoader(Stream(7, sized), batch_size=3)
    epoch = list(loader)
    assert [b["y"].tolist() for b in epoch] == [[0, 1, 2], [3, 4, 5], [6]]
    assert epoch[1]["x"].shape == (3, 2) and epoch[1]["x"].dtype == np.float32
    assert [b["y"].tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]  # re-iterable
    dropped = DataLoader(Stream(7, sized), batch_size=3, drop_last=True)
    assert [b["y"].tolist() for b in dropped] == [[0, 1, 2], [3, 4, 5]]
    single = list(DataLoader(Stream(3, sized), batch_size=None))
    assert [s["y"] for s in single] == [0, 1, 2] and isinstance(single[0]["x"], minitorch.Tensor)
    if sized:
        assert (len(loader), len(dropped)) == (3, 2)
        assert len(DataLoader(Stream(7), batch_size=None)) == 7
    else:
        with pytest.raises(TypeError, match="no length"):
            len(loader)


def test_loader_len_follows_its_sampler():
    assert len(DataLoader(Points(10), batch_size=4)) == 3
    assert len(DataLoader(Points(10), batch_size=4, drop_last=True)) == 2
    assert len(DataLoader(Points(10), batch_size=None)) == 10
    assert len(DataLoader(Points(10), batch_size=4, sampler=range(6))) == 2
    long_epoch = DataLoader(Points(10), batch_size=4, sampler=RandomSampler(
        range(10), replacement=True, num_samples=30))
    assert len(long_epoch) == 8 and sum(len(y) for _, y in long_epoch) == 30


def test_loader_reshuffles_every_epoch_and_reproduces_with_a_generator():
    def epochs(loader):
        return [sum(labels_of(loader), []) for _ in range(3)]

    first = epochs(DataLoader(Points(30), batch_size=7, shuffle=True, generator=seeded(2)))
    again = epochs(DataLoader(Points(30), batch_size=7, shuffle=True, generator=seeded(2)))
    assert first == again and len({tuple(e) for e in first}) == 3
    assert all(sorted(e) == list(range(30)) for e in first)
    seeded_loader = DataLoader(Points(30), batch_size=7, shuffle=True, seed=2)
    assert epochs(seeded_loader) == first  # seed= is short for generator=Generator().manual_seed


@pytest.mark.parametrize(("options", "message"), [
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], batch_size=None), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], sampler=range(3)), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(sampler=range(3), shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
    (dict(batch_size=0), "batch_size should be a positive integer value"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified"),
    (dict(num_workers=1, prefetch_factor=-1), "prefetch_factor option should be non-negative"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(seed=1, generator=minitorch.Generator()), "generator or a seed, not both"),
])
def test_loader_rejects_conflicting_options(options, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(Points(), **options)


@pytest.mark.parametrize("option", [dict(shuffle=True), dict(sampler=range(3)),
                                    dict(batch_sampler=[[0]])])
def test_loader_over_an_iterable_dataset_takes_no_order(option):
    name = next(iter(option))
    with pytest.raises(ValueError, match=f"IterableDataset: expected unspecified {name} option"):
        DataLoader(Stream(), **option)
    assert len(DataLoader(Stream(), shuffle=False)) == 7  # False is the same as unspecified


def test_loader_rejects_what_is_not_a_dataset():
    with pytest.raises(TypeError, match="__len__ and __getitem__.*IterableDataset, got int"):
        DataLoader(42)
    with pytest.raises(TypeError, match="num_workers must be an int"):
        DataLoader(Points(), num_workers=1.5)


def test_worker_options_load_in_this_process_with_the_same_batches():
    class Sharded(IterableDataset):
        """Splits its samples between workers, as PyTorch's documentation shows."""

        def __iter__(self):
            info = get_worker_info()
            start, step = (0, 1) if info is None else (info.id, info.num_workers)
            return iter(range(start, 10, step))

    initialised = []
    for dataset, options in ((Points(), dict(batch_size=3, shuffle=True)),
                             (Sharded(), dict(batch_size=4))):
        plain = DataLoader(dataset, generator=seeded(), **options)
        workers = DataLoader(dataset, generator=seeded(), num_workers=3, prefetch_factor=4,
                             persistent_workers=True, timeout=5, in_order=False,
                             worker_init_fn=initialised.append, **options)
        for a, b in zip(plain, workers, strict=True):
            assert repr(a) == repr(b)
    assert get_worker_info() is None and initialised == []  # no worker, nothing to initialise
    assert DataLoader(Points(), num_workers=2).prefetch_factor == 2  # PyTorch's default


def test_pin_memory_warns_that_there_is_no_accelerator():
    loader = DataLoader(Points(4), batch_size=2, pin_memory=True)
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator"):
        batches = list(loader)
    assert [y.tolist() for _, y in batches] == [[0, 1], [2, 3]]


def test_tensor_dataset_fast_path_gives_what_collating_the_samples_gives():
    dataset = TensorDataset(np.arange(40, dtype=np.float32).reshape(20, 2), np.arange(20) % 3)
    nested = Subset(Subset(dataset, list(range(19, -1, -1))), np.arange(3, 15))
    for data in (dataset, nested):
        fast = DataLoader(data, batch_size=5, shuffle=True, generator=seeded())
        slow = DataLoader(data, batch_size=5, shuffle=True, generator=seeded(),
                          collate_fn=lambda samples: default_collate(samples))
        for a, b in zip(fast, slow, strict=True):
            assert [t.dtype for t in a] == [t.dtype for t in b]
            assert [t.tolist() for t in a] == [t.tolist() for t in b]


def test_samples_are_fetched_with_python_int_indices():
    seen = []

    class Recording(Points):
        def __getitem__(self, i):
            seen.append(type(i))
            return super().__getitem__(i)

    list(DataLoader(Recording(6), batch_size=4, shuffle=True))
    list(DataLoader(Recording(6), batch_size=None))
    assert set(seen) == {int}


# --------------------------------------------------------------------------- combined datasets


def test_concat_dataset():
    first, second = Points(3), TensorDataset(np.arange(4, dtype=np.float32).reshape(2, 2),
                                             np.array([7, 8]))
    both = ConcatDataset([first, second])
    assert len(both) == 5 and both.cumulative_sizes == [3, 5]
    assert both[2][1] == 2 and both[3][1].item() == 7 and both[-1][1].item() == 8
    with pytest.raises(IndexError, match="index 5 is out of range for a ConcatDataset of 5"):
        both[5]
    with pytest.raises(IndexError, match="index -6"):
        both[-6]
    assert len(first + first) == 6 and isinstance(first + first, ConcatDataset)
    labels = [y.tolist() for _, y in DataLoader(both, batch_size=5)]
    assert labels == [[0, 1, 2, 7, 8]]
    with pytest.raises(ValueError, match="at least one dataset"):
        ConcatDataset([])
    with pytest.raises(TypeError, match="does not support an IterableDataset"):
        ConcatDataset([first, Stream()])


def test_chain_dataset():
    chained = ChainDataset([Stream(2), Stream(3)])
    assert [s["y"] for s in chained] == [0, 1, 0, 1, 2] and len(chained) == 5
    assert isinstance(Stream(1) + Stream(1), ChainDataset)
    assert [b["y"].tolist() for b in DataLoader(chained, batch_size=4)] == [[0, 1, 0, 1], [2]]
    with pytest.raises(TypeError, match="ChainDataset chains IterableDatasets, got Points"):
        list(ChainDataset([Points(2)]))


# --------------------------------------------------------------------------- collate


Pair = namedtuple("Pair", "x y")


def nested_samples():
    return [
        OrderedDict(image=np.full((2, 2), i, np.float32),
                    target=(i, float(i), bool(i % 2)),
                    meta=[np.int32(i), f"name{i}", np.float64(i) / 2],
                    pair=Pair(np.array([i, i + 1]), i))
        for i in range(3)
    ]


def test_default_collate_of_nested_structures():
    batch = default_collate(nested_samples())
    assert type(batch) is OrderedDict and list(batch) == ["image", "target", "meta", "pair"]
    assert batch["image"].shape == (3, 2, 2) and batch["image"].dtype == np.float32
    ints, floats, flags = batch["target"]  # a tuple sample gives a list of batches
    assert (ints.dtype, floats.dtype, flags.dtype) == (np.int64, np.float64, np.bool_)
    assert flags.tolist() == [False, True, False]
    numpy_ints, names, halves = batch["meta"]
    assert numpy_ints.dtype == np.int32 and halves.tolist() == [0.0, 0.5, 1.0]
    assert names == ("name0", "name1", "name2")  # strings stay as they are, as in PyTorch
    assert isinstance(batch["pair"], Pair) and batch["pair"].x.shape == (3, 2)
    with pytest.raises(ValueError, match="same number of fields"):
        default_collate([[1, 2], [3]])


def test_default_convert_turns_arrays_into_tensors_and_leaves_the_rest():
    converted = default_convert(nested_samples()[1])
    assert type(converted) is OrderedDict and isinstance(converted["image"], minitorch.Tensor)
    assert converted["target"] == [1, 1.0, True]  # the tuple becomes a list; numbers stay
    number, name, half = converted["meta"]
    assert number.dtype == np.int32 and number.shape == () and name == "name1"
    assert half.item() == 0.5 and isinstance(converted["pair"], Pair)
    array = np.zeros(3)
    assert default_convert(array)._data is array  # shares memory, as torch.as_tensor
    assert default_convert("text") == "text" and default_convert(5) == 5


# --------------------------------------------------------------------------- against PyTorch


def plain(value):
    """A value with its Tensors (minitorch's or PyTorch's) as (dtype name, values), so the
    two libraries' results compare with ==."""
    if hasattr(value, "dtype") and hasattr(value, "tolist"):
        return ("tensor", str(value.dtype).removeprefix("torch."), value.tolist())
    if isinstance(value, dict):
        return (type(value).__name__, {key: plain(v) for key, v in value.items()})
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, [plain(v) for v in value])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [plain(v) for v in value])
    return value


def test_collate_and_convert_match_pytorch():
    torch_data = pytest.importorskip("torch.utils.data")
    samples = nested_samples()
    assert plain(default_collate(samples)) == plain(torch_data.default_collate(samples))
    for sample in samples:
        assert plain(default_convert(sample)) == plain(torch_data.default_convert(sample))
    numbers = [np.float32(1.5), np.float32(2)]
    assert plain(default_collate(numbers)) == plain(torch_data.default_collate(numbers))


def test_deterministic_orders_match_pytorch():
    torch_data = pytest.importorskip("torch.utils.data")
    for n, batch_size, drop_last in ((10, 3, False), (10, 3, True), (8, 4, False)):
        ours = BatchSampler(SequentialSampler(range(n)), batch_size, drop_last)
        theirs = torch_data.BatchSampler(torch_data.SequentialSampler(range(n)), batch_size,
                                         drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def points(dataset_class):
    """A map-style dataset as PyTorch code writes it, deriving from ``dataset_class``."""

    class Points(dataset_class):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return np.array([i, -i], np.float32), {"label": i, "name": f"p{i}"}

    return Points()


@pytest.mark.parametrize("options", [
    dict(batch_size=3),
    dict(batch_size=4, drop_last=True),
    dict(batch_size=None),
    dict(batch_sampler=[[3, 1], [0, 9, 2]]),
    dict(batch_size=2, sampler=[5, 4, 7]),
])
def test_loader_batches_match_pytorch(options):
    torch_data = pytest.importorskip("torch.utils.data")
    ours = DataLoader(points(Dataset), **options)
    theirs = torch_data.DataLoader(points(torch_data.Dataset), **options)
    assert [plain(b) for b in ours] == [plain(b) for b in theirs]
    assert len(ours) == len(theirs)


@pytest.mark.parametrize("options", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                     dict(batch_size=None)])
def test_iterable_loader_matches_pytorch(options):
    torch_data = pytest.importorskip("torch.utils.data")

    def stream(base):
        class Counting(base):
            def __iter__(self):
                return iter([(np.float32(i), i) for i in range(7)])

            def __len__(self):
                return 7

        return Counting()

    ours = DataLoader(stream(IterableDataset), **options)
    theirs = torch_data.DataLoader(stream(torch_data.IterableDataset), **options)
    assert [plain(b) for b in ours] == [plain(b) for b in theirs]
    assert len(ours) == len(theirs)


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


def test_lambda_transform_flattens_as_in_the_forward_forward_example():
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,)),
                                    transforms.Lambda(lambda x: minitorch.flatten(x))])
    image = transform(np.full((28, 28), 255, np.uint8))
    assert image.shape == (784,) and image.tolist() == [1.0] * 784
    with pytest.raises(TypeError, match="should be callable, got 'int'"):
        transforms.Lambda(3)


@pytest.mark.skipif(not (SHARED_DATA / "mnist-10k").is_dir(), reason="shared data absent")
def test_mnist_dataset_on_the_shared_digits():
    train = datasets.MNIST(SHARED_DATA / "mnist-10k", train=True, transform=transforms.ToTensor())
    assert len(train) == 8000
    images, labels = next(iter(DataLoader(train, batch_size=64)))
    assert images.shape == (64, 1, 28, 28) and labels.dtype == np.int64
