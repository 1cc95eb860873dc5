"""Run examples/pytorch_mnist.py with PyTorch itself, for the accuracy and time to compare
with minitorch's run of the same script on the same data and epochs.

The script's text is executed with its minitorch import lines swapped back to PyTorch's
(so the two runs share every other line). torchvision is replaced by a stand-in with the
three pieces the script uses, ``datasets.MNIST``, ``transforms.ToTensor`` and
``transforms.Normalize``: the same IDX files, read by minitorch's reader, as the same float32
tensors. Like the script, run it from a folder whose ``../data`` holds the IDX files::

    mkdir -p run && ln -s path/to/mnist-10k data && cd run
    python ../benchmarks/mnist_port_torch.py --epochs 14        # PyTorch
    python ../examples/pytorch_mnist.py --epochs 14             # minitorch
"""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

import numpy as np
import torch

import minitorch.datasets
import minitorch.transforms

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "pytorch_mnist.py"
TORCH_IMPORTS = {
    "import minitorch as torch": "import torch",
    "import minitorch.nn as nn": "import torch.nn as nn",
    "import minitorch.nn.functional as F": "import torch.nn.functional as F",
    "import minitorch.optim as optim": "import torch.optim as optim",
    "from minitorch import datasets, transforms": "from torchvision import datasets, transforms",
}
TORCH_IMPORTS["from minitorch.optim.lr_scheduler import StepLR"] = (
    "from torch.optim.lr_scheduler import StepLR"
)


class ToTensor:
    """A uint8 image (H, W) as a float32 torch tensor (1, H, W) in [0, 1]."""

    def __call__(self, image: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(image, np.float32)[None] / np.float32(255))


class Normalize:
    def __init__(self, mean: tuple[float, ...], std: tuple[float, ...]) -> None:
        self.mean, self.std = torch.tensor(mean).view(-1, 1, 1), torch.tensor(std).view(-1, 1, 1)

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        return (image - self.mean) / self.std


def torchvision_stand_in() -> types.ModuleType:
    module = types.ModuleType("torchvision")
    module.datasets = types.SimpleNamespace(MNIST=minitorch.datasets.MNIST)
    module.transforms = types.SimpleNamespace(
        Compose=minitorch.transforms.Compose, ToTensor=ToTensor, Normalize=Normalize
    )
    return module


def torch_source() -> str:
    lines = SCRIPT.read_text().splitlines()
    missing = [line for line in TORCH_IMPORTS if line not in lines]
    if missing:
        raise SystemExit(f"{SCRIPT.name} no longer has the import lines {missing}")
    return "\n".join(TORCH_IMPORTS.get(line, line) for line in lines)


def main() -> None:
    sys.modules["torchvision"] = torchvision_stand_in()
    namespace = {"__name__": "pytorch_mnist_with_torch"}
    exec(compile(torch_source(), str(SCRIPT), "exec"), namespace)
    start = time.perf_counter()
    namespace["main"]()
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads: "
          f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
