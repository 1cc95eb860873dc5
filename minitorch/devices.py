"""Devices: minitorch computes on the CPU only.

``minitorch.device("cpu")``, ``tensor.to("cpu")`` and ``model.to(device)`` work, so that
device-agnostic PyTorch code (``device = "cuda" if torch.cuda.is_available() else "cpu"``)
runs unchanged; computing on any other device raises a clear error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# PyTorch's device types: any of them names a device, though only the CPU computes here.
DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "mtia", "xla", "ipu", "hpu",
                "privateuseone")


class device:  # noqa: N801  (PyTorch's name)
    """A compute device, as ``torch.device``: ``device("cuda:0")`` can be made (so that
    ``torch.device("cuda").index`` works, as on a PyTorch without GPU), but computing
    anywhere but on the CPU raises (see :func:`on_cpu`)."""

    __slots__ = ("type", "index")

    def __init__(self, spec: Any, index: int | None = None) -> None:
        if isinstance(spec, device):
            spec, index = spec.type, spec.index
        if not isinstance(spec, str):
            raise TypeError(f"device() expects a string such as 'cpu', got {type(spec).__name__}")
        kind, _, number = spec.partition(":")
        if kind not in DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start "
                               f"of device string: {spec}")
        if number and not number.isdigit():
            raise RuntimeError(f"Invalid device string: {spec!r}")
        self.type = kind
        self.index = int(number) if number else index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and other.type == self.type

    def __hash__(self) -> int:
        return hash(self.type)

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __enter__(self) -> device:
        """``with torch.device("cpu"):`` makes tensors and modules on the CPU, as they
        always are here; any other device raises on entering (see :func:`on_cpu`)."""
        on_cpu(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


def on_cpu(spec: Any) -> device:
    """``spec`` as a device, which must be the CPU: minitorch computes nowhere else."""
    found = device(spec)
    if found.type != "cpu":
        raise RuntimeError(
            f"device {str(found)!r} is not available: minitorch runs on the CPU only "
            "(use 'cpu'; minitorch.cuda.is_available() is False)"
        )
    return found


CPU = device("cpu")


def set_default_device(device: Any) -> None:
    """``torch.set_default_device``: tensors are made on the CPU, which is the only device
    accepted here (``None`` too, PyTorch's way back to the CPU); any other raises."""
    if device is not None:
        on_cpu(device)


def get_default_device() -> device:
    """The device new tensors are made on: always the CPU."""
    return CPU


def is_device(value: Any) -> bool:
    """Whether ``value`` names a device (a ``device`` or a string such as ``"cpu"``), as
    opposed to a dtype, in calls such as ``tensor.to(value)``."""
    return isinstance(value, device) or (isinstance(value, str) and not _is_dtype_name(value))


def _is_dtype_name(name: str) -> bool:
    try:
        np.dtype(name)
    except TypeError:
        return False
    return True


class _Backend:
    """``minitorch.cuda`` / ``minitorch.accelerator``: there is no accelerator."""

    def __init__(self, name: str) -> None:
        self._name = name

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0

    @staticmethod
    def current_accelerator() -> None:
        return None

    @staticmethod
    def is_bf16_supported(including_emulation: bool = True) -> bool:
        """False, as in PyTorch without a GPU (and minitorch has no bfloat16 at all)."""
        return False

    def manual_seed(self, seed: int) -> None:
        """Nothing to seed: there is no accelerator (kept so seeding code runs unchanged)."""

    manual_seed_all = manual_seed

    def __repr__(self) -> str:
        return f"<minitorch.{self._name}: not available, minitorch runs on the CPU>"


cuda = _Backend("cuda")
accelerator = _Backend("accelerator")
mps = _Backend("backends.mps")
