"""examples/pytorch_mnist.py is pytorch/examples' MNIST script with only its import lines
changed; it must run, train and save on the shared MNIST digits (the full run is reported in
the README, beside PyTorch's run of the same script)."""

import importlib.util
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import minitorch

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "pytorch_mnist.py"
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist-10k"


def load_example():
    spec = importlib.util.spec_from_file_location("pytorch_mnist", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_import_lines_mention_minitorch():
    code = EXAMPLE.read_text().split('"""', 2)[2]  # after the module docstring
    lines = [line for line in code.splitlines() if "minitorch" in line]
    assert lines and all(line.startswith(("import minitorch", "from minitorch")) for line in lines)
    assert "torch.utils.data.DataLoader" in code and "optim.Adadelta" in code


@pytest.mark.skipif(not SHARED_MNIST.is_dir(), reason="shared MNIST data absent")
def test_script_trains_tests_and_saves_on_mnist(tmp_path, monkeypatch, capsys):
    (tmp_path / "data").symlink_to(SHARED_MNIST)  # the script reads ../data
    (tmp_path / "run").mkdir()
    monkeypatch.chdir(tmp_path / "run")
    arguments = ["--epochs", "1", "--dry-run", "--batch-size", "256", "--save-model"]
    monkeypatch.setattr(sys, "argv", ["pytorch_mnist.py", *arguments])
    load_example().main()
    out = capsys.readouterr().out
    first = re.search(r"Train Epoch: 1 \[0/8000 \(0%\)\]\tLoss: (\d+\.\d{6})", out)
    assert first and float(first.group(1)) == pytest.approx(math.log(10), abs=0.2)  # chance
    accuracy = re.search(r"Test set: Average loss: (\d+\.\d{4}), Accuracy: (\d+)/1000", out)
    assert accuracy and 0 <= int(accuracy.group(2)) <= 1000  # after one batch: near chance
    state = minitorch.load("mnist_cnn.pt")
    assert state["fc1.weight"].shape == (128, 9216)  # PyTorch's layout, as torch.save writes
    assert np.all(np.isfinite(state["conv1.weight"]))
