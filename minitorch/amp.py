"""Automatic mixed precision, as far as a CPU-only NumPy framework has it.

Training scripts written for GPUs make a gradient scaler and an autocast region whatever
machine they run on (nanoGPT: ``scaler = torch.cuda.amp.GradScaler(enabled=(dtype ==
'float16'))``, ``ctx = torch.amp.autocast(device_type=..., dtype=...)``). On a PyTorch without
a GPU both turn themselves off with a warning and the script trains in float32; minitorch does
the same:

* :class:`GradScaler` for ``"cuda"`` (the default, and ``minitorch.cuda.amp.GradScaler``),
  enabled, warns and disables itself. Disabled, ``scale`` returns its argument, ``unscale_``
  and ``update`` do nothing and ``step`` calls ``optimizer.step()``, as in PyTorch. For
  ``"cpu"`` it scales, as PyTorch's does: ``scale`` multiplies by the scale factor,
  ``unscale_`` divides the gradients by it and looks for infinities and NaNs, ``step`` skips
  the optimizer's step when it found some, and ``update`` grows or backs off the factor.
* :class:`autocast` (also ``minitorch.autocast``): minitorch computes every operation in its
  inputs' own dtypes and has no bfloat16, so an autocast region changes nothing. One for a
  device that is not the CPU warns and disables itself, as PyTorch's does without that
  device; one for the CPU does too, saying that the region computes in full precision.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.autograd import no_grad
from minitorch.devices import DEVICE_TYPES
from minitorch.tensor import Tensor

__all__ = ["GradScaler", "autocast"]

_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


def _fresh_state() -> dict[str, Any]:
    return {"stage": _READY, "found_inf": None}


class GradScaler:
    """Scales the loss before ``backward`` and the gradients back before the optimizer's step,
    so that small float16 gradients do not underflow (``torch.amp.GradScaler``)::

        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)          # optional: before clipping the gradients
        scaler.step(optimizer)              # optimizer.step(), unless a gradient overflowed
        scaler.update()

    ``device`` is ``"cuda"`` by default, as in PyTorch; there is no CUDA here, so such a
    scaler, if enabled, warns and disables itself, as PyTorch's does on a machine without a
    GPU. Disabled (``enabled=False``), every method passes through: ``scale`` returns its
    argument, ``step`` calls ``optimizer.step()``, ``get_scale()`` is 1.0 and
    ``state_dict()`` is empty.
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if enabled and device != "cpu":
            if device == "cuda":
                message = ("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                           "Disabling.")
            else:
                message = (f"GradScaler is enabled for device {device!r}, but minitorch runs "
                           "on the CPU only.  Disabling.")
            warnings.warn(message, UserWarning, stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale: Tensor | None = None  # made by the first scale(), as in PyTorch
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = 0
            self._per_optimizer_states: dict[int, dict[str, Any]] = {}

    def is_enabled(self) -> bool:
        return self._enabled

    # ----- the training step ----------------------------------------------------------------

    def scale(self, outputs: Tensor | Iterable[Tensor]) -> Any:
        """``outputs`` (a Tensor, or nested lists and tuples of them) times the scale factor;
        unchanged when disabled."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._set_scale(self._init_scale)
        if isinstance(outputs, Tensor):
            return outputs * self._scale
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(value) for value in outputs)
        if isinstance(outputs, Iterable):
            return map(self.scale, outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _set_scale(self, value: Any) -> None:
        """A new 0-d float32 tensor: a graph that multiplied by the old one keeps it."""
        self._scale = Tensor._make(np.array(value, dtype=np.float32), False)

    def _check_scale(self, funcname: str) -> Tensor:
        if self._scale is None:
            raise AssertionError(
                f"Attempted {funcname} but _scale is None.  This may indicate your script did "
                "not use scaler.scale(loss or outputs) earlier in the iteration."
            )
        return self._scale

    def _state(self, optimizer: Any) -> dict[str, Any]:
        return self._per_optimizer_states.setdefault(id(optimizer), _fresh_state())

    def unscale_(self, optimizer: Any) -> None:
        """Divide the gradients of ``optimizer``'s parameters by the scale factor, in place,
        noting whether any holds an infinity or NaN. Once per optimizer and step; does
        nothing when disabled."""
        if not self._enabled:
            return
        scale = self._check_scale("unscale_")
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # The reciprocal in float64, then float32, as PyTorch computes it.
        inv_scale = np.float32(1.0 / np.float64(scale._data))
        found_inf = False
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    grad = param.grad
                    if grad is None:
                        continue
                    if grad.dtype == dtypes.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    found_inf = found_inf or not bool(np.isfinite(grad._data).all())
                    grad.mul_(inv_scale)
        state["found_inf"] = found_inf
        state["stage"] = _UNSCALED

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """``unscale_(optimizer)`` unless already done, then ``optimizer.step()`` unless a
        gradient was infinite or NaN; returns what ``optimizer.step()`` returned (None when
        skipped). Disabled, just ``optimizer.step(*args, **kwargs)``."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale("step")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """After every optimizer's ``step``: back the scale factor off if a step was skipped,
        grow it after ``growth_interval`` steps in a row that were not; or set it to
        ``new_scale``. Does nothing when disabled."""
        if not self._enabled:
            return
        scale = self._check_scale("update")
        if new_scale is not None:
            if isinstance(new_scale, Tensor):
                if new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(
                        "new_scale should be a float or a 1-element torch.FloatTensor with "
                        "requires_grad=False."
                    )
                new_scale = new_scale.item()
            self._set_scale(new_scale)
        else:
            found = [state["found_inf"] for state in self._per_optimizer_states.values()
                     if state["found_inf"] is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(found):
                self._set_scale(scale._data * np.float32(self._backoff_factor))
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    grown = scale._data * np.float32(self._growth_factor)
                    if math.isfinite(grown):
                        self._set_scale(grown)
                    self._growth_tracker = 0
        self._per_optimizer_states = {}

    # ----- settings and state ---------------------------------------------------------------

    def get_scale(self) -> float:
        """The current scale factor; 1.0 when disabled."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's five entries (``scale``, ``growth_factor``, ``backoff_factor``,
        ``growth_interval``, ``_growth_tracker``); empty when disabled."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a "
                "disabled instance of GradScaler."
            )
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._set_scale(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._growth_tracker = state_dict["_growth_tracker"]


class autocast:  # noqa: N801  (PyTorch's name)
    """``torch.amp.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``, as a
    context manager or a decorator. minitorch has no mixed precision (and no bfloat16): an
    enabled region warns and disables itself, so everything in it computes in the tensors'
    own dtypes, as PyTorch's does for a device it does not have. ``dtype`` defaults to
    float16 for ``"cuda"`` and bfloat16 for ``"cpu"``, as in PyTorch."""

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in DEVICE_TYPES or device_type == "meta":
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self.device = device_type
        if dtype is None:
            dtype = dtypes.bfloat16 if device_type == "cpu" else dtypes.float16
        self.fast_dtype = dtype
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if enabled:
            supported = (dtypes.bfloat16, dtypes.float16)
            if device_type != "cpu":
                message = (f"{device_type.upper()} is not available: minitorch runs on the CPU "
                           "only. Disabling autocast.")
            elif not any(dtype is d or dtype == d for d in supported):
                message = ("In CPU autocast, but the target dtype is not supported. Disabling "
                           "autocast.\nCPU Autocast only supports dtypes of bfloat16, float16 "
                           "currently.")
            else:
                message = (f"minitorch has no mixed precision: autocast to {dtype} is disabled "
                           "and the region computes in its tensors' own dtypes (float32).")
            warnings.warn(message, UserWarning, stacklevel=2)
        self._enabled = False

    def __enter__(self) -> autocast:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None

    def __call__(self, function: Callable) -> Callable:
        @functools.wraps(function)
        def within(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return within


class _CudaGradScaler(GradScaler):
    """``torch.cuda.amp.GradScaler(...)``: deprecated in PyTorch for
    ``torch.amp.GradScaler("cuda", ...)``, which it is."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # warned below, at the caller
            super().__init__("cuda", init_scale, growth_factor, backoff_factor,
                             growth_interval, enabled)
        if enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", UserWarning, stacklevel=2)


class _CudaAutocast(autocast):
    """``torch.cuda.amp.autocast(...)``: deprecated in PyTorch for
    ``torch.amp.autocast("cuda", ...)``, which it is."""

    def __init__(self, enabled: bool = True, dtype: Any = dtypes.float16,
                 cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class _CudaAmp:
    """``minitorch.cuda.amp``: the deprecated CUDA spellings of the scaler and autocast."""

    GradScaler = _CudaGradScaler
    autocast = _CudaAutocast

    def __repr__(self) -> str:
        return "<minitorch.cuda.amp: GradScaler and autocast, disabled: there is no CUDA>"


cuda_amp = _CudaAmp()
