"""Weights move between minitorch and PyTorch through safetensors files: the same
architecture has the same state_dict names, shapes and dtypes in both frameworks, and gives
the same outputs after loading. Runs where torch and safetensors are installed."""

import numpy as np
import pytest

import minitorch
from minitorch import nn, optim

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")

INPUTS = np.random.default_rng(0).normal(size=(6, 1, 8, 8)).astype(np.float32)
LABELS = np.arange(6) % 3


def mlp(library):
    return library.nn.Sequential(
        library.nn.Flatten(),
        library.nn.Linear(64, 16),
        library.nn.ReLU(),
        library.nn.Linear(16, 3),
    )


def cnn(library):
    return library.nn.Sequential(
        library.nn.Conv2d(1, 4, 3, padding=1),
        library.nn.BatchNorm2d(4),
        library.nn.ReLU(),
        library.nn.MaxPool2d(2),
        library.nn.Flatten(),
        library.nn.Linear(4 * 4 * 4, 3),
    )


def train_a_little(model, library, steps=3):
    """A few Adam steps (batch-norm running statistics move too); returns the model in
    evaluation mode."""
    optimizer = library.optim.Adam(model.parameters(), lr=0.05)
    x, y = library.tensor(INPUTS), library.tensor(LABELS)
    for _ in range(steps):
        optimizer.zero_grad()
        library.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    return model.eval()


# The same float32 weights in both frameworks: outputs agree to float32 rounding, which the
# two libraries' different summation orders make about 1e-7 of each value (up to ~2e-6 on
# outputs near 10).
SAME = dict(rtol=1e-6, atol=1e-6)


def outputs(model, library):
    with library.no_grad():
        return np.asarray(model(library.tensor(INPUTS)).numpy())


@pytest.mark.parametrize("architecture", [mlp, cnn])
def test_minitorch_weights_load_into_pytorch(architecture, tmp_path):
    minitorch.manual_seed(0)
    ours = train_a_little(architecture(minitorch), minitorch)
    minitorch.save(ours.state_dict(), tmp_path / "model.safetensors")

    theirs = architecture(torch).eval()
    theirs.load_state_dict(safetensors_torch.load_file(tmp_path / "model.safetensors"), strict=True)
    np.testing.assert_allclose(outputs(theirs, torch), outputs(ours, minitorch), **SAME)


@pytest.mark.parametrize("architecture", [mlp, cnn])
def test_pytorch_weights_load_into_minitorch(architecture, tmp_path):
    torch.manual_seed(0)
    theirs = train_a_little(architecture(torch), torch)
    safetensors_torch.save_file(theirs.state_dict(), tmp_path / "model.safetensors")

    ours = architecture(minitorch).eval()
    ours.load_state_dict(minitorch.load(tmp_path / "model.safetensors"), strict=True)
    np.testing.assert_allclose(outputs(ours, minitorch), outputs(theirs, torch), **SAME)


@pytest.mark.parametrize("architecture", [mlp, cnn])
def test_state_dicts_have_pytorch_names_shapes_and_dtypes(architecture):
    ours, theirs = architecture(minitorch).state_dict(), architecture(torch).state_dict()
    assert list(ours) == list(theirs)
    for name, value in theirs.items():
        assert ours[name].shape == tuple(value.shape), name
        assert str(ours[name].dtype) == str(value.dtype).removeprefix("torch."), name


def test_a_pytorch_layout_mismatch_names_the_key_and_both_shapes():
    state = {name: value.numpy() for name, value in torch.nn.Linear(4, 2).state_dict().items()}
    state["weight"] = state["weight"].T  # the (in, out) layout
    message = r"\['weight'\] has shape \(4, 2\), but the model's 'weight' has shape \(2, 4\)"
    with pytest.raises(ValueError, match=message):
        nn.Linear(4, 2).load_state_dict(state)


def test_optimizer_state_follows_pytorch_layout():
    model = nn.Linear(2, 1)
    optimizer = optim.Adam(model.parameters())
    model(minitorch.ones(3, 2)).sum().backward()
    optimizer.step()
    state = optimizer.state_dict()
    torch_model = torch.nn.Linear(2, 1)
    torch_optimizer = torch.optim.Adam(torch_model.parameters())
    torch_model(torch.ones(3, 2)).sum().backward()
    torch_optimizer.step()
    theirs = torch_optimizer.state_dict()
    assert sorted(state["state"][0]) == sorted(theirs["state"][0])
    assert state["param_groups"][0]["params"] == theirs["param_groups"][0]["params"]
