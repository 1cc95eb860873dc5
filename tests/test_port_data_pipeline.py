"""A typical PyTorch data pipeline, run with only its import lines changed: a custom Dataset
with a transform, a train/validation split by index samplers, a class-balancing
WeightedRandomSampler, a BatchSampler, and a training loop over ``for x, y in loader``.

The pipeline is one piece of code, run once with ``import minitorch as torch`` and, where
PyTorch is installed, once with ``import torch``: the deterministic parts (the validation
batches) must agree, and both must train the model."""

import numpy as np
import pytest

PIPELINE = '''
import numpy as np
import {library} as torch
import {library}.nn.functional as F
from {library} import nn
from {library}.utils.data import BatchSampler, DataLoader, Dataset, WeightedRandomSampler
from {library}.utils.data.sampler import SubsetRandomSampler


class PointsDataset(Dataset):
    """Points in 4-D, labelled by the sign of their coordinate sum (3 in 4 are positive)."""

    def __init__(self, n=200, transform=None):
        rng = np.random.default_rng(0)
        self.features = rng.standard_normal((n, 4)).astype(np.float32) + 0.4
        self.labels = (self.features.sum(axis=1) > 0).astype(np.int64)
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        x = torch.from_numpy(self.features[idx])
        if self.transform:
            x = self.transform(x)
        return x, int(self.labels[idx])


torch.manual_seed(0)
dataset = PointsDataset(transform=lambda x: x * 0.5)
train_idx, val_idx = list(range(160)), list(range(160, 200))
generator = torch.Generator().manual_seed(0)
train_loader = DataLoader(dataset, batch_size=16,
                          sampler=SubsetRandomSampler(train_idx, generator=generator))
val_loader = DataLoader(dataset, batch_sampler=BatchSampler(val_idx, batch_size=16,
                                                            drop_last=False))

class_counts = np.bincount(dataset.labels[train_idx])
sample_weights = 1.0 / class_counts[dataset.labels[train_idx]]
balanced_loader = DataLoader(dataset, batch_size=32, sampler=WeightedRandomSampler(
    sample_weights, num_samples=len(train_idx), replacement=True, generator=generator))

model = nn.Linear(4, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
for epoch in range(10):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()

model.eval()
correct, val_labels = 0, []
with torch.no_grad():
    for x, y in val_loader:
        correct += (model(x).argmax(dim=1) == y).sum().item()
        val_labels.append(y.tolist())
accuracy = correct / len(val_idx)

positives = [y.float().mean().item() for _, y in balanced_loader]
'''


def run_pipeline(library):
    namespace = {}
    exec(PIPELINE.format(library=library), namespace)  # noqa: S102
    return namespace


def test_pipeline_runs_with_minitorch():
    result = run_pipeline("minitorch")
    assert len(result["train_loader"]) == 10 and len(result["val_loader"]) == 3
    assert [len(labels) for labels in result["val_labels"]] == [16, 16, 8]
    # Always answering "positive" scores 0.75 on these 40 validation points.
    assert result["dataset"].labels[160:].mean() == 0.75 and result["accuracy"] >= 0.85
    # Balanced batches hold about as many positives as negatives; the data holds 3 in 4.
    assert result["dataset"].labels.mean() > 0.65
    assert 0.35 < np.mean(result["positives"]) < 0.65


def test_pipeline_agrees_with_pytorch():
    pytest.importorskip("torch")
    ours, theirs = run_pipeline("minitorch"), run_pipeline("torch")
    assert ours["val_labels"] == theirs["val_labels"]
    assert len(ours["train_loader"]) == len(theirs["train_loader"])
    assert ours["accuracy"] >= 0.85 and theirs["accuracy"] >= 0.85
