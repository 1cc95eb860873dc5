"""Image transforms with ``torchvision.transforms``' names, for datasets such as
:class:`minitorch.datasets.MNIST`: ``Compose([ToTensor(), Normalize(mean, std)])``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minitorch.dtypes import float32
from minitorch.tensor import Tensor

__all__ = ["Compose", "Lambda", "Normalize", "ToTensor"]


class Compose:
    """Apply ``transforms`` one after another."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, image: Any) -> Any:
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r})"


class Lambda:
    """A function of the image used as a transform, as ``Lambda(lambda x: torch.flatten(x))``."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, image: Any) -> Any:
        return self.lambd(image)

    def __repr__(self) -> str:
        return "Lambda()"


class ToTensor:
    """An image array (H, W) or (H, W, C) (or anything ``np.asarray`` takes, such as a PIL
    image) as a float32 Tensor (C, H, W); uint8 pixels are scaled from 0..255 to [0, 1]."""

    def __call__(self, image: Any) -> Tensor:
        array = np.asarray(image)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3:
            raise ValueError(f"ToTensor expected an image (H, W) or (H, W, C), got {array.shape}")
        scale = 1.0 / 255.0 if array.dtype == np.uint8 else 1.0
        channels_first = np.multiply(array.transpose(2, 0, 1), scale, dtype=float32)
        return Tensor._make(channels_first, False)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """(image - mean) / std per channel of a Tensor (C, H, W), with one mean and one std per
    channel (or one for all)."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean, self.std = tuple(mean), tuple(std)
        if any(s == 0 for s in self.std):
            raise ValueError(f"Normalize std must not be 0, got {self.std}")
        self.inplace = inplace

    def __call__(self, image: Tensor) -> Tensor:
        array = image._data
        mean = np.asarray(self.mean, array.dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, array.dtype).reshape(-1, 1, 1)
        if mean.shape[0] not in (1, array.shape[0]):
            raise ValueError(
                f"Normalize has {mean.shape[0]} means for an image with {array.shape[0]} channels"
            )
        return Tensor._make((array - mean) / std, False)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"
