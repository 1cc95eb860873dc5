"""The Tensor: a NumPy array that remembers how it was computed.

Arithmetic on tensors calls the differentiable operations in :mod:`minitorch.ops`; when an
input requires a gradient, the result records the operation, and ``backward()`` runs the
chain rule back through those records (see :mod:`minitorch.autograd`).

The array itself lives in ``tensor._data``; the library works on it directly. What users see
follows PyTorch: ``tensor.data`` is a detached Tensor sharing that memory, ``tensor.grad`` is
a Tensor, ``tensor.numpy()`` gives the array.
"""

from __future__ import annotations

import builtins
import functools
import itertools
import math
import string
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from minitorch import autograd, devices, dtypes
from minitorch import random as mt_random
from minitorch.ops import elementwise as ew
from minitorch.ops import matmul as mm
from minitorch.ops import reductions as red
from minitorch.ops import selection as sel
from minitorch.ops import shape as sh
from minitorch.ops.matmul import MatMul

Axis = int | tuple[int, ...] | None
_NUMBER_KINDS = "biuf"
_PYTHON_NUMBERS = (int, float, bool, np.number, np.bool_)


def _in_place_form(name: str) -> Callable[..., Tensor]:
    """The method ``name_``: ``name`` written into the tensor through ``Tensor._update_``."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return self._update_(name, *args, **kwargs)

    method.__name__, method.__qualname__ = f"{name}_", f"Tensor.{name}_"
    method.__doc__ = f"In place :meth:`Tensor.{name}`: the result replaces this tensor's values."
    return method


def _compared_(name: str) -> Callable[..., Tensor]:
    """The comparison ``name_``: 1 or 0 written into the tensor in its own dtype, as in
    PyTorch; recorded as a selection, so the old value gets a zero gradient."""

    def method(self: Tensor, other: Any) -> Tensor:
        return self._set_(getattr(self, name)(other), f"{name}_")

    method.__name__, method.__qualname__ = f"{name}_", f"Tensor.{name}_"
    method.__doc__ = f"In place :meth:`Tensor.{name}`, in this tensor's dtype."
    return method


@functools.cache
def _one(dtype: np.dtype) -> np.ndarray:
    """A read-only 1 of ``dtype``: the gradient that seeds ``backward()`` of a scalar."""
    one = np.ones((), dtype=dtype)
    one.flags.writeable = False
    return one


class HookHandle:
    """Returned by ``register_hook``-style methods; ``remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Size(tuple):
    """What ``Tensor.shape`` and ``Tensor.size()`` return, as ``torch.Size``: a tuple of ints
    (it compares, prints and indexes as one) with ``numel()``."""

    __slots__ = ()

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)


class ValuesIndices(NamedTuple):
    """What ``max(dim)``, ``min(dim)``, ``topk`` and ``sort`` return, as in PyTorch."""

    values: Tensor
    indices: Tensor


class MinMax(NamedTuple):
    """What ``aminmax`` returns, as in PyTorch."""

    min: Tensor
    max: Tensor


class MantissaExponent(NamedTuple):
    """What ``frexp`` returns, as in PyTorch: input = mantissa * 2 ** exponent."""

    mantissa: Tensor
    exponent: Tensor


class Histogram(NamedTuple):
    """What ``histogram`` returns, as in PyTorch."""

    hist: Tensor
    bin_edges: Tensor


class Tensor:
    """An n-dimensional array of numbers that can record operations for autodiff.

    ``Tensor(data)`` accepts anything ``np.asarray`` accepts and always copies it, so later
    updates of the tensor (an optimizer step) never change the caller's array. As
    ``torch.Tensor(data)`` it makes float32 of Python numbers, integers included (arrays keep
    their dtype); :func:`minitorch.tensor` follows ``torch.tensor``: Python floats give
    float32, Python ints int64, bools bool, and NumPy arrays keep theirs (see
    :mod:`minitorch.dtypes`). Use :func:`from_numpy` to share an array's memory.
    """

    __slots__ = (
        "_data",  # the numpy array
        "_grad",  # the gradient, a Tensor, once backward() has reached this tensor
        "requires_grad",
        "_ctx",  # the Function that computed this tensor (None for a leaf)
        "_hooks",
        "_modified_at",  # see _mark_modified
        "_previous",  # see _in_place; unset until a recorded in-place operation changes it
        "__weakref__",
    )

    # Make NumPy defer to Tensor's reflected operators in `ndarray + Tensor`.
    __array_priority__ = 1000

    def __init__(self, *data: Any, requires_grad: bool = False, dtype: Any = None,
                 device: Any = None) -> None:
        """``Tensor(data)`` or ``Tensor(*sizes)``, as ``torch.Tensor``: a copy of ``data``,
        float32 when it is Python numbers (``Tensor([1, 2])`` too; ``minitorch.tensor`` keeps
        those int64), in its own dtype when it is an array or a tensor (PyTorch would make
        float32 of those too; keeping float64 is what gradient checks need), or in ``dtype``;
        or a tensor of zeros of the given sizes (``Tensor(2, 3)``; PyTorch leaves it
        uninitialised)."""
        if data and all(isinstance(n, (int, np.integer)) and not isinstance(n, bool)
                        for n in data):
            data = (np.zeros(data, dtype=dtypes.get_default_dtype() if dtype is None else dtype),)
        elif len(data) > 1:
            raise TypeError(
                f"Tensor() takes one sequence of data or integer sizes, got {len(data)} "
                "arguments that are not all integers (pass requires_grad= by keyword)"
            )
        values = data[0] if data else []
        if dtype is None and not dtypes.is_typed(values):
            dtype = dtypes.get_default_dtype()
        self._fill(values, dtype, device, requires_grad)

    @classmethod
    def _from_data(cls, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        """A copy of ``data`` with ``torch.tensor``'s dtype rules (see :mod:`minitorch.dtypes`):
        Python ints give int64, bools bool, floats float32; arrays keep their dtype."""
        out = object.__new__(cls)
        out._fill(data, dtype, device, requires_grad)
        return out

    def _fill(self, data: Any, dtype: Any, device: Any, requires_grad: bool) -> None:
        if isinstance(data, Tensor):
            data = data._data
        try:
            array = np.array(data, copy=True)
        except (ValueError, TypeError) as error:
            raise TypeError(f"cannot make a Tensor from {type(data).__name__}: {error}") from None
        if array.dtype.kind not in _NUMBER_KINDS:
            raise TypeError(f"Tensor data must be numeric, got an array of dtype {array.dtype}")
        if device is not None:
            devices.on_cpu(device)  # only checks: the CPU is the one device
        target = np.dtype(dtype) if dtype is not None else dtypes.infer(data, array)
        self._data: np.ndarray = array.astype(target, copy=False)
        self._grad: Tensor | None = None
        self.requires_grad: bool = False
        self._ctx: autograd.Function | None = None
        self._hooks: list[Callable] | None = None
        self._modified_at: list[int] | None = None
        if requires_grad:
            self.requires_grad_()

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool) -> Tensor:
        """Wrap an array the library just computed: no copy, no checks (the hot path)."""
        out = object.__new__(cls)
        out._data, out._grad, out.requires_grad, out._ctx = data, None, requires_grad, None
        out._hooks = out._modified_at = None
        return out

    # ----- attributes -----------------------------------------------------------------------

    @property
    def data(self) -> Tensor:
        """The values as a tensor that shares this one's memory but not its graph.

        Changing it in place (``p.data += ...``) changes this tensor without recording the
        change; assigning ``p.data = other`` makes this tensor hold ``other``'s values."""
        return self.detach()

    @data.setter
    def data(self, value: Any) -> None:
        array = value._data if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype.kind not in _NUMBER_KINDS:
            raise TypeError(f"Tensor data must be numeric, got an array of dtype {array.dtype}")
        self._data = array

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()``: a tensor of this tensor's shape, or None."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None, got {type(value).__name__}"
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"assigned grad has shape {value.shape}, expected the tensor's {self.shape}"
                )
        self._grad = value

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_dim_index(dim, self._data.ndim)]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    nelement = numel

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    @property
    def device(self) -> devices.device:
        """Always the CPU."""
        return devices.CPU

    is_cuda = False

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by a recorded operation."""
        return self._ctx is None

    @property
    def grad_fn(self) -> autograd.Function | None:
        """The operation that produced this tensor, or None for a leaf."""
        return self._ctx

    @property
    def T(self) -> Tensor:
        """The tensor with its axes reversed (the transpose, for a matrix)."""
        return self if self.ndim < 2 else sh.Permute.apply(self)

    @property
    def mT(self) -> Tensor:
        """The transpose of each matrix: the last two dimensions swapped."""
        return self._matrix_transpose("mT")

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix (or of a 0-d tensor: itself): :attr:`T`, as
        the values are real. Batches of matrices take :attr:`mH`."""
        if self.ndim not in (0, 2):
            raise RuntimeError(
                f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D "
                "tensor." + (" For batches of matrices, consider using tensor.mH"
                             if self.ndim > 2 else "")
            )
        return self.T

    @property
    def mH(self) -> Tensor:
        """The conjugate transpose of each matrix: :attr:`mT`, as the values are real."""
        return self._matrix_transpose("mH")

    def _matrix_transpose(self, name: str) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                               f"matrices. Got {self.ndim}-D tensor.")
        return self.swapaxes(-2, -1)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether gradients are computed for this tensor; returns the tensor."""
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        if not requires_grad and self._ctx is not None:
            raise RuntimeError(
                "requires_grad_(False) on a tensor computed by an operation; use .detach()"
            )
        self.requires_grad = requires_grad
        return self

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self._data.item()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying array (shared, not copied), as in PyTorch; ``force=True`` gives it
        even when this tensor requires grad and recording is on, as ``detach().numpy()`` does
        (under ``no_grad``, as in a custom Function's forward, no graph could be bypassed)."""
        if self.requires_grad and not force and autograd.is_grad_enabled():
            raise RuntimeError(
                "can't call numpy() on a tensor that requires grad; use tensor.detach().numpy()"
            )
        return self._data

    def tolist(self) -> Any:
        return self._data.tolist()

    def detach(self) -> Tensor:
        """A tensor sharing this one's memory (and its in-place change record) but cut from
        the graph."""
        out = Tensor._make(self._data, False)
        out._modified_at = self._change_record()
        return out

    def clone(self) -> Tensor:
        """A copy with its own memory; gradients flow back to this tensor."""
        return sh.Clone.apply(self)

    def zero_grad(self) -> None:
        self._grad = None

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> HookHandle:
        """Call ``hook(grad)`` when this tensor's gradient has been computed during backward.

        A hook that returns a tensor replaces the gradient passed on.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = []
        # retain_grad's hook stays last, as in PyTorch: .grad holds the gradient as the
        # other hooks left it, whichever was registered first.
        keeper = next((i for i, h in enumerate(self._hooks) if isinstance(h, _GradKeeper)),
                      len(self._hooks))
        self._hooks.insert(keeper, hook)
        return HookHandle(self._hooks, hook)

    def retain_grad(self) -> None:
        """Keep this computed tensor's gradient in ``.grad`` after backward (leaves always do)."""
        if self._ctx is None or self.retains_grad:
            return
        self.register_hook(_GradKeeper(self))

    @property
    def retains_grad(self) -> bool:
        return any(isinstance(hook, _GradKeeper) for hook in self._hooks or ())

    # ----- dtype and device ------------------------------------------------------------------

    def astype(self, dtype: Any) -> Tensor:
        """This tensor converted to ``dtype`` (differentiable between float types)."""
        dtype = np.dtype(dtype)
        if dtype == self._data.dtype:
            return self
        if self.requires_grad and dtype.kind != "f":
            return Tensor._make(self._data.astype(dtype), False)
        return ew.Cast.apply(self, dtype=dtype)

    def to(self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False,
           copy: bool = False) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other_tensor)``: this
        tensor with that dtype (itself when nothing changes). "cpu" is the one device."""
        dtype = to_arguments(args, dtype, device)
        out = self if dtype is None else self.astype(dtype)
        return out.clone() if copy and out is self else out

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        devices.on_cpu("cuda")  # raises: minitorch has no GPU
        return self

    def type(self, dtype: Any = None) -> Any:
        """Without an argument, PyTorch's type string (``'torch.FloatTensor'``); with a dtype
        (or such a string), this tensor converted to it."""
        if dtype is None:
            return dtypes.torch_name(self.dtype)
        if isinstance(dtype, str) and dtype.startswith("torch."):
            names = {dtypes.torch_name(d): d for d in _ALL_DTYPES}
            if dtype not in names:
                raise ValueError(f"unknown tensor type {dtype!r}")
            dtype = names[dtype]
        return self.astype(dtype)

    def float(self) -> Tensor:
        return self.astype(dtypes.float32)

    def double(self) -> Tensor:
        return self.astype(dtypes.float64)

    def half(self) -> Tensor:
        return self.astype(dtypes.float16)

    def long(self) -> Tensor:
        return self.astype(dtypes.int64)

    def int(self) -> Tensor:
        return self.astype(dtypes.int32)

    def bool(self) -> Tensor:
        return self.astype(dtypes.bool)

    # ----- autodiff -------------------------------------------------------------------------

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Compute the gradient of this tensor with respect to every leaf that requires grad,
        adding it to their ``.grad`` (in place once a leaf has one, as in PyTorch).

        ``gradient`` is d(loss)/d(self); it may be left out for a one-element tensor (it is 1).
        The graph is freed afterwards unless ``retain_graph`` is True. ``inputs`` (tensors)
        limits the accumulation to them. With ``create_graph=True`` the gradients stored
        have a graph of their own, so they can be differentiated again;
        :func:`minitorch.autograd.grad` does that without touching ``.grad``.
        """
        data = self._data
        if gradient is None and data.size == 1 and self.requires_grad and not create_graph \
                and inputs is None:  # a loss: the common case, with a shared read-only seed
            seed = _one(data.dtype) if data.ndim == 0 else _one(data.dtype).reshape(data.shape)
            autograd.run_backward((self,), (seed,), retain_graph)
        else:
            autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    # ----- in-place operations ----------------------------------------------------------------

    def _change_record(self) -> list[int]:
        """The list holding when this tensor's memory was last changed in place, made on first
        use and shared with every tensor that shares the memory (``.data``, ``detach()``)."""
        if self._modified_at is None:
            self._modified_at = [0]
        return self._modified_at

    def _mark_modified(self, stamp: int | None = None) -> None:
        """Record that this tensor's memory was just changed in place.

        The record is a sequence number from the same count that orders recorded operations,
        so backward can tell that an operation recorded earlier saved values that are now
        stale (see :mod:`minitorch.autograd`). Code that writes into ``_data`` directly (the
        optimizers) calls this; one that changes many tensors at once may pass them all the
        same ``stamp`` from :func:`autograd.in_place_stamp`."""
        if stamp is None:
            stamp = autograd.in_place_stamp()
        record = self._modified_at
        if record is None:
            self._modified_at = [stamp]
        else:
            record[0] = stamp

    def _in_place(self, operand: Tensor | None, recorded: Callable[[Tensor], Tensor],
                  write: Callable[[np.ndarray], Any], name: str) -> Tensor:
        """The one path of every in-place operation.

        When the change must be recorded (gradients on, and this tensor or the operand
        requires grad), ``recorded(old)`` computes the new value out of place from a stand-in
        for the old one; this tensor then holds that value and takes its place in the graph,
        and operations that used the old value are marked stale. Otherwise ``write(array)``
        changes the memory itself, and the change is recorded for the version check.
        """
        needs_grad = self.requires_grad or (operand is not None and operand.requires_grad)
        if needs_grad and autograd.is_grad_enabled():
            write_back = self._view_write_back(name)
            result, stamp, old = self._recorded_in_place(recorded, name)
            _check_in_place_result(name, result._data, self._data)
            result = result.astype(self._data.dtype)
            data = result._data
            if not data.flags.writeable or data.base is not None:
                data = data.copy()  # its own memory, never a view of the old value
            self._data, self._ctx, self.requires_grad = data, result._ctx, result.requires_grad
            self._modified_at = [stamp]
            # Operations recorded before the change took this tensor as an input: backward
            # looks up the value they saw (``old``, on the old memory) in this history.
            if getattr(self, "_previous", None) is None:
                self._previous = []
            self._previous.append((stamp, weakref.ref(old), old.requires_grad))
            if write_back is not None:
                write_back(self)
            return self
        if type(self._data) is not np.ndarray:  # a NumPy scalar (from a 0-d op) has no memory
            self._data = np.array(self._data)
        try:
            write(self._data)
        except (TypeError, ValueError) as error:
            raise RuntimeError(
                f"{name} on a tensor of shape {self.shape} and dtype {self.dtype}: {error}"
            ) from None
        self._mark_modified()
        return self

    def _view_write_back(self, name: str) -> Callable[[Tensor], Any] | None:
        """For a view of another tensor's memory (indexing, ``view``, ``permute``) whose change
        is recorded, the function that writes its new value into that tensor, recorded too,
        as PyTorch's views change their base. (The recorded change gives this tensor new
        memory, so the base would otherwise keep its old values.) None for any other tensor."""
        node = self._ctx
        if not isinstance(node, sh.View) or node.parents is None:
            return None
        base = node.parents[0]
        if not np.may_share_memory(self._data, base._data):
            return None  # a copy (advanced indexing), or a base that has moved on since
        if base.requires_grad and base._ctx is None:
            raise RuntimeError(
                f"{name}: a view of a leaf tensor that requires grad is being used in an "
                "in-place operation; do it under `with minitorch.no_grad():` or on `.data`"
            )
        if isinstance(node, sh.GetItem):
            return lambda new: base.__setitem__(node.index, new)
        if isinstance(node, sh.Reshape):
            return lambda new: base.copy_(new.reshape(node.shape))
        if isinstance(node, sh.Permute):
            return lambda new: base.copy_(new.permute(node.inverse))
        raise RuntimeError(
            f"{name}: in-place operation on a view made by {type(node).__name__}, whose "
            "elements may share memory, of a tensor that requires grad; use an out-of-place "
            "operation (x = x + ...)"
        )

    def _recorded_in_place(self, recorded: Callable[[Tensor], Tensor], name: str
                           ) -> tuple[Tensor, int, Tensor]:
        """``recorded(old)``, the new value computed from a stand-in ``old`` for the old one,
        the stamp that marks the change, and ``old``, for the caller to make them this
        tensor's. As in PyTorch, a leaf that requires grad is refused: its old value would
        drop out of the graph."""
        if self.requires_grad and self._ctx is None:
            raise RuntimeError(
                f"{name}: a leaf tensor that requires grad is being used in an in-place "
                "operation; do it under `with minitorch.no_grad():` (as an optimizer "
                "does) or on `.data`"
            )
        stamp = autograd.in_place_stamp()
        old = Tensor._make(self._data, self.requires_grad)
        old._ctx, old._modified_at = self._ctx, self._modified_at
        return recorded(old), stamp, old

    def _reshaped_(self, view: Callable[[Tensor], Tensor], name: str) -> Tensor:
        """The in-place shape changes (``t_``, ``squeeze_``, ...): this tensor becomes
        ``view(self)``, on the same memory. When recorded, it takes the view's place in the
        graph; either way its version moves on (as PyTorch's does), so an operation that saved
        it before raises in backward."""
        if self.requires_grad and autograd.is_grad_enabled():
            result, stamp, _ = self._recorded_in_place(view, name)
            self._data, self._ctx, self._modified_at = result._data, result._ctx, [stamp]
        else:
            self._data = view(Tensor._make(self._data, False))._data
            self._mark_modified()
        return self

    def squeeze_(self, dim: Axis = None) -> Tensor:
        return self._reshaped_(lambda t: t.squeeze(dim), "squeeze_")

    def unsqueeze_(self, dim: int) -> Tensor:
        return self._reshaped_(lambda t: t.unsqueeze(dim), "unsqueeze_")

    def t_(self) -> Tensor:
        return self._reshaped_(Tensor.t, "t_")

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        return self._reshaped_(lambda t: t.transpose(dim0, dim1), "transpose_")

    def swapaxes_(self, axis0: int, axis1: int) -> Tensor:
        return self._reshaped_(lambda t: t.swapaxes(axis0, axis1), "swapaxes_")

    def swapdims_(self, dim0: int, dim1: int) -> Tensor:
        return self._reshaped_(lambda t: t.swapaxes(dim0, dim1), "swapdims_")

    def _arithmetic_(self, other: Any, op: type[autograd.Function], ufunc: np.ufunc,
                     name: str) -> Tensor:
        operand = self._operand(other)
        return self._in_place(
            operand,
            lambda old: _arithmetic(op, old, operand, floating=ufunc is np.true_divide),
            lambda out: ufunc(out, operand._data, out=out, casting="same_kind"),
            name,
        )

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self._arithmetic_(self._scaled(other, alpha), ew.Add, np.add, "add_")

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        _check_subtraction(self, self._operand(other))
        return self._arithmetic_(self._scaled(other, alpha), ew.Sub, np.subtract, "sub_")

    def mul_(self, other: Any) -> Tensor:
        return self._arithmetic_(other, ew.Mul, np.multiply, "mul_")

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """In-place :meth:`div`; ``rounding_mode`` as there."""
        if rounding_mode is not None:
            return self.copy_(self.div(other, rounding_mode=rounding_mode))
        return self._arithmetic_(other, ew.Div, np.true_divide, "div_")

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def _set_(self, source: Any, name: str) -> Tensor:
        """Overwrite every element with ``source`` (broadcast); recorded as a selection, so
        the old value gets no gradient and ``source`` all of it."""
        new = self._operand(source)

        def recorded(old: Tensor) -> Tensor:
            nowhere = Tensor._make(np.zeros(old.shape, dtype=bool), False)
            return ew.Where.apply(nowhere, old, new)

        return self._in_place(
            new,
            recorded,
            lambda out: np.copyto(out, new._data, casting="same_kind"),
            name,
        )

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src``'s values (broadcast, converted to this dtype) into this tensor."""
        src = src if isinstance(src, Tensor) else Tensor(src)
        return self._set_(src.astype(self.dtype), "copy_")

    def fill_(self, value: Any) -> Tensor:
        return self._set_(value, "fill_")

    def zero_(self) -> Tensor:
        return self._set_(0, "zero_")

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples from N(mean, std**2)."""
        _require_floating(self, "normal_")
        if not std >= 0:
            raise ValueError(f"normal_ expects std >= 0.0, got std={std}")
        sample = mt_random.chosen(generator).normal(self.shape, self.dtype, mean, std)
        return self._set_(Tensor._make(sample, False), "normal_")

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples from the uniform distribution on [a, b)."""
        _require_floating(self, "uniform_")
        if not a <= b:
            raise ValueError(f"uniform_ expects to return a [from, to) range, but found "
                             f"from={a} > to={b}")
        sample = mt_random.chosen(generator).uniform(self.shape, self.dtype, a, b)
        return self._set_(Tensor._make(sample, False), "uniform_")

    def _apply_(self, fn: Callable[[Tensor], Tensor], name: str,
                operand: Tensor | None = None) -> Tensor:
        """The in-place form ``name`` of the element-wise function ``fn`` (``exp_``, the
        activations' ``inplace=True``): recorded as ``fn`` of the old value, or, when nothing
        records, ``fn`` computed on the memory and written back into it. ``operand`` is a
        tensor argument of ``fn`` whose gradient counts too."""

        def write(out: np.ndarray) -> None:
            np.copyto(out, fn(Tensor._make(out, False))._data, casting="same_kind")

        return self._in_place(operand, fn, write, name)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        _check_bounds(min, max)
        # a bound that requires grad must be recorded even when this tensor does not
        tensors = [b for b in (min, max) if isinstance(b, Tensor)]
        operand = next((b for b in tensors if b.requires_grad), None)

        def write(out: np.ndarray) -> None:
            # computed out of place first: a float bound promotes, which PyTorch refuses here
            result = Tensor._make(out, False).clamp(min, max)._data
            _check_in_place_result("clamp_", result, out)
            np.copyto(out, result)

        return self._in_place(operand, lambda old: old.clamp(min, max), write, "clamp_")

    clip_ = clamp_

    def _update_(self, name: str, *args: Any, **kwargs: Any) -> Tensor:
        """``self.name(*args, **kwargs)`` written into this tensor: the in-place ``name_``."""
        compute = getattr(Tensor, name)
        # the operand whose gradient counts: one that requires grad (addcmul_ has two)
        tensors = [arg for arg in (*args, *kwargs.values()) if isinstance(arg, Tensor)]
        operand = next((t for t in tensors if t.requires_grad), tensors[0] if tensors else None)
        return self._apply_(lambda old: compute(old, *args, **kwargs), f"{name}_", operand)

    def __setitem__(self, index: Any, value: Any) -> None:
        index = _plain_index(index)
        steps = _integers_first(index)
        if steps is not None:
            selected = self[steps[0]].clone()
            selected[steps[1]] = value
            self[steps[0]] = selected
            return
        new = self._operand(value)
        if new._data.ndim and new._data.shape[0] == 1:
            # PyTorch drops the value's leading 1s before broadcasting it into the slot, so a
            # one-element tensor fits a single position (x[0] = tensor([7.])); NumPy refuses.
            shape = new._data.shape
            new = new.reshape(shape[next((i for i, n in enumerate(shape) if n != 1),
                                         len(shape)):])

        def write(out: np.ndarray) -> None:
            out[index] = new._data

        self._in_place(new, lambda old: sh.SetItem.apply(old, new, index=index), write,
                       "__setitem__")

    # ----- representation -------------------------------------------------------------------

    def __repr__(self) -> str:
        # NumPy pads every bool to the width of False; PyTorch only when a False is shown.
        width = 5 if self.dtype.kind == "b" and not self._data.all() else 4
        # PyTorch fits floor((80 - 7 - depth) / (width + 2)) values on a line; NumPy's rule
        # reaches the same count with a line width of 79 + ndim.
        body = np.array2string(self._data, separator=", ", prefix="tensor(", precision=4,
                               floatmode=_float_mode(self._data),
                               max_line_width=_PRINT_WIDTH - 1 + self._data.ndim,
                               formatter={"bool": lambda v: str(bool(v)).rjust(width)})
        body = body.replace(", ...,", ",  ...,")  # the gap of a long row, as PyTorch writes it
        default = dtypes.get_default_dtype() if self.dtype.kind == "f" else (
            dtypes.int64 if self.dtype.kind in "iu" else dtypes.bool)
        extras = [] if self.dtype == default else [f"dtype={self.dtype}"]
        if self._ctx is not None:
            extras.append(f"grad_fn=<{self._ctx.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        text = "tensor(" + body
        # Each extra goes on a line of its own where it would make the last line too long,
        # by PyTorch's count of that line (which is one more than is there).
        last_line = len(text) - text.rfind("\n") + 1
        for extra in extras:
            if last_line + len(extra) + 2 <= _PRINT_WIDTH:
                text, last_line = text + ", " + extra, last_line + len(extra) + 2
            else:
                text, last_line = text + ",\n" + " " * 7 + extra, 7 + len(extra)
        return text + ")"

    def __format__(self, spec: str) -> str:
        """A one-element tensor formats as its number (``f"{loss:.4f}"``)."""
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return format(repr(self), spec)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._data)))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "biu" or self._data.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index, got "
                f"dtype {self.dtype} and shape {self.shape}"
            )
        return int(self._data.item())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        _refuse_inside_formula(self)
        array = np.asarray(self._data, dtype=dtype)
        return array.copy() if copy else array

    def __array_function__(self, func: Callable, types: Any, args: Any, kwargs: Any) -> Any:
        """NumPy functions given tensors (``np.sum(t)``, ``np.argmax(t, axis=1)``) work on their
        values and return NumPy results, outside the graph."""
        _refuse_inside_formula(self)
        return func(*_arrays_in(args), **_arrays_in(kwargs))

    # Tensors are graph nodes: they hash by identity even though == compares values.
    __hash__ = object.__hash__

    # ----- arithmetic -----------------------------------------------------------------------

    def _operand(self, other: Any) -> Tensor:
        """``other`` as a Tensor; a Python number takes this tensor's dtype when it is of the
        same kind or lower (``x * 2`` stays float32, ``int_tensor * 0.5`` is float32)."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, _PYTHON_NUMBERS):
            dtype = dtypes.scalar_dtype(other, self._data.dtype)
            return Tensor._make(np.asarray(other, dtype=dtype), False)
        return Tensor._from_data(other)

    # Each operator takes the common case (same dtype) straight to its Function: it runs for
    # every op of a training step. _arithmetic handles promotion.

    def __add__(self, other: Any) -> Tensor:
        if not isinstance(other, Tensor):
            other = self._operand(other)
        if self._data.dtype is other._data.dtype:
            return ew.Add.apply(self, other)
        return _arithmetic(ew.Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _arithmetic(ew.Add, self._operand(other), self)

    def __sub__(self, other: Any) -> Tensor:
        if not isinstance(other, Tensor):
            other = self._operand(other)
        if self._data.dtype is other._data.dtype and self._data.dtype.kind != "b":
            return ew.Sub.apply(self, other)
        _check_subtraction(self, other)
        return _arithmetic(ew.Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        other = self._operand(other)
        _check_subtraction(other, self)
        return _arithmetic(ew.Sub.named("RsubBackward1"), other, self)

    def __mul__(self, other: Any) -> Tensor:
        if not isinstance(other, Tensor):
            other = self._operand(other)
        if self._data.dtype is other._data.dtype:
            return ew.Mul.apply(self, other)
        return _arithmetic(ew.Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _arithmetic(ew.Mul, self._operand(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return _arithmetic(ew.Div, self, self._operand(other), floating=True)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _arithmetic(ew.Div, self._operand(other), self, floating=True)

    def __pow__(self, other: Any) -> Tensor:
        if (isinstance(other, (int, np.integer)) and other < 0 and self.dtype.kind in "biu"
                and not isinstance(other, (bool, np.bool_))):
            # PyTorch refuses a negative number as exponent, though not a negative tensor
            raise RuntimeError(f"Integers to negative integer powers are not allowed: a "
                               f"tensor of dtype {self.dtype} to the power {other}")
        op = ew.Pow.named("PowBackward1") if isinstance(other, Tensor) else ew.Pow
        return _arithmetic(op, self, self._operand(other))

    def __rpow__(self, other: Any) -> Tensor:
        return _arithmetic(ew.Pow.named("PowBackward2"), self._operand(other), self)

    def __matmul__(self, other: Any) -> Tensor:
        other = self._operand(other)
        if self._data.dtype is other._data.dtype:
            return MatMul.apply(self, other)
        return _arithmetic(MatMul, self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _arithmetic(MatMul, self._operand(other), self)

    def __neg__(self) -> Tensor:
        return self.neg()

    def __abs__(self) -> Tensor:
        return ew.Abs.apply(self)

    def positive(self) -> Tensor:
        """The tensor itself (``+x``); refused for a bool tensor, as in PyTorch."""
        if self._data.dtype == np.bool_:
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    __pos__ = positive

    def __getitem__(self, index: Any) -> Tensor:
        index = _plain_index(index)
        steps = _integers_first(index)
        if steps is not None:
            return self[steps[0]][steps[1]]
        return sh.GetItem.named(_index_node_name(index)).apply(self, index=index)

    # Integer and logical arithmetic: results carry no gradient.

    def __floordiv__(self, other: Any) -> Tensor:
        return _not_differentiable(np.floor_divide, self, self._operand(other), "floor_divide")

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _not_differentiable(np.floor_divide, self._operand(other), self, "floor_divide")

    def __mod__(self, other: Any) -> Tensor:
        return self.remainder(other)

    def __rmod__(self, other: Any) -> Tensor:
        return self._operand(other).remainder(self)

    # The bitwise operators are the bitwise_* methods: integers and bools only.

    def __and__(self, other: Any) -> Tensor:
        return self.bitwise_and(other)

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return self.bitwise_or(other)

    __ror__ = __or__

    def __xor__(self, other: Any) -> Tensor:
        return self.bitwise_xor(other)

    __rxor__ = __xor__

    def __lshift__(self, other: Any) -> Tensor:
        return self.bitwise_left_shift(other)

    def __rlshift__(self, other: Any) -> Tensor:
        return self._operand(other).bitwise_left_shift(self)

    def __rshift__(self, other: Any) -> Tensor:
        return self.bitwise_right_shift(other)

    def __rrshift__(self, other: Any) -> Tensor:
        return self._operand(other).bitwise_right_shift(self)

    def __invert__(self) -> Tensor:
        if self._data.dtype.kind == "f":
            raise TypeError(f"~ (bitwise not) needs a bool or integer tensor, got {self.dtype}")
        return Tensor._make(np.invert(self._data), False)

    # ----- comparisons: boolean tensors that carry no gradient ------------------------------

    def _compare(self, other: Any, compare: Callable[[Any, Any], np.ndarray]) -> Tensor:
        other_data = other._data if isinstance(other, Tensor) else other
        try:
            return Tensor._make(np.asarray(compare(self._data, other_data)), False)
        except TypeError:
            return NotImplemented  # let the other object compare (pytest.approx, ...)
        except ValueError as error:
            shapes = f"{self.shape} and {np.shape(other_data)}"
            raise ValueError(f"comparison of shapes {shapes}: {error}") from None

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    # ----- element-wise functions -----------------------------------------------------------

    def exp(self) -> Tensor:
        return ew.Exp.apply(_floating(self))

    def log(self) -> Tensor:
        return ew.Log.apply(_floating(self))

    def sqrt(self) -> Tensor:
        return ew.Sqrt.apply(_floating(self))

    def abs(self) -> Tensor:
        return ew.Abs.apply(self)

    def tanh(self) -> Tensor:
        return ew.Tanh.apply(_floating(self))

    absolute = abs

    def erf(self) -> Tensor:
        """The error function, element-wise."""
        return ew.Erf.apply(_floating(self))

    def sigmoid(self) -> Tensor:
        return ew.Sigmoid.apply(_floating(self))

    def relu(self) -> Tensor:
        return ew.ReLU.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        return ew.LeakyReLU.apply(self, slope=negative_slope)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit values to [min, max]; either bound may be left out (not both). As in PyTorch
        the result has the promoted dtype (``int_tensor.clamp(0.5)`` is float32), and bounds
        given as tensors broadcast and get their share of the gradient."""
        _check_bounds(min, max)
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            bounds = [self._operand(b) for b in (min, max) if b is not None]
            target = dtypes.common_type(self._data, *(b._data for b in bounds))
            return ew.ClampTensors.apply(*(t.astype(target) for t in (self, *bounds)),
                                         has_low=min is not None, has_high=max is not None)
        target = self._data.dtype
        for bound in (min, max):
            if bound is not None:
                target = dtypes.scalar_dtype(bound, target)
        return ew.Clamp.apply(self.astype(target), low=min, high=max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return _arithmetic(ew.Maximum, self, self._operand(other))

    def minimum(self, other: Any) -> Tensor:
        return _arithmetic(ew.Minimum, self, self._operand(other))

    def fmax(self, other: Any) -> Tensor:
        """Element-wise maximum that ignores NaN: a NaN loses to a number."""
        return _arithmetic(ew.Maximum, self, self._operand(other), ignore_nan=True)

    def fmin(self, other: Any) -> Tensor:
        """Element-wise minimum that ignores NaN: a NaN loses to a number."""
        return _arithmetic(ew.Minimum, self, self._operand(other), ignore_nan=True)

    # ----- reductions: `dim`/`keepdim` as in PyTorch (NumPy's `axis`/`keepdims` also work) ----

    def sum(self, dim: Axis = None, keepdim: bool = False, *, dtype: Any = None,
            axis: Axis = None, keepdims: bool | None = None) -> Tensor:
        if (dim is None and axis is None and dtype is None and not keepdim and not keepdims
                and self._data.dtype.kind == "f"):
            return red.Sum.apply(self)  # the sum of everything (a loss) is the hot case
        source = self._counting(dtype)  # integers and bools sum in int64 (NumPy: uint8 in uint64)
        dim, keepdim = _dim_keepdim(dim, keepdim, axis, keepdims, self.ndim)
        if dim is None:
            return red.Sum.apply(source, axis=dim, keepdims=keepdim)
        return red.Sum.named("SumBackward1").apply(source, axis=dim, keepdims=keepdim)

    def mean(self, dim: Axis = None, keepdim: bool = False, *, dtype: Any = None,
             axis: Axis = None, keepdims: bool | None = None) -> Tensor:
        source = self if dtype is None else self.astype(dtype)
        _require_floating(source, "mean")
        dim, keepdim = _dim_keepdim(dim, keepdim, axis, keepdims, self.ndim)
        if dim is None:
            return red.Mean.apply(source, axis=dim, keepdims=keepdim)
        return red.Mean.named("MeanBackward1").apply(source, axis=dim, keepdims=keepdim)

    def _extreme(self, dim: Any, keepdim: bool, axis: Axis, keepdims: bool | None,
                 smallest: bool) -> Any:
        if isinstance(dim, Tensor):  # max(a, b): the element-wise form
            return self.minimum(dim) if smallest else self.maximum(dim)
        if dim is None and axis is None:
            node = red.Max.named("MinBackward1" if smallest else "MaxBackward1")
            return node.apply(self, smallest=smallest)
        dim, keepdim = _dim_keepdim(dim, keepdim, axis, keepdims, self.ndim)
        node = red.Max.named("MinBackward0" if smallest else "MaxBackward0")
        values = node.apply(self, axis=dim, keepdims=keepdim, smallest=smallest)
        pick = np.argmin if smallest else np.argmax
        indices = pick(self._data, axis=dim, keepdims=keepdim)
        return ValuesIndices(values, Tensor._make(indices.astype(dtypes.int64), False))

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Axis = None,
            keepdims: bool | None = None) -> Any:
        """The largest value; with ``dim``, ``(values, indices)`` along it; with a tensor, the
        element-wise maximum. Tied maxima share the gradient equally."""
        return self._extreme(dim, keepdim, axis, keepdims, smallest=False)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Axis = None,
            keepdims: bool | None = None) -> Any:
        """The smallest value; with ``dim``, ``(values, indices)`` along it; with a tensor,
        the element-wise minimum. Tied minima share the gradient equally."""
        return self._extreme(dim, keepdim, axis, keepdims, smallest=True)

    def amax(self, dim: Axis = None, keepdim: bool = False) -> Tensor:
        """The largest values over ``dim`` (all dimensions by default), as a tensor."""
        dim, keepdim = _dim_keepdim(dim, keepdim, None, None, self.ndim)
        return red.Max.named("AmaxBackward0").apply(self, axis=dim, keepdims=keepdim)

    def amin(self, dim: Axis = None, keepdim: bool = False) -> Tensor:
        dim, keepdim = _dim_keepdim(dim, keepdim, None, None, self.ndim)
        return red.Max.named("AminBackward0").apply(self, axis=dim, keepdims=keepdim,
                                                      smallest=True)

    def var(self, dim: Axis = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None, axis: Axis = None, keepdims: bool | None = None,
            ddof: float | None = None) -> Tensor:
        """Variance over ``dim``: the sum of squared deviations divided by n - correction.

        As in PyTorch the default is the unbiased estimate (correction=1); pass
        ``correction=0`` (or ``unbiased=False``) for the mean squared deviation.
        """
        dim, keepdim = _dim_keepdim(dim, keepdim, axis, keepdims, self.ndim)
        return self._variance(dim, keepdim, _correction(unbiased, correction, ddof), "var")

    def _variance(self, dim: Axis, keepdim: bool, correction: float, name: str) -> Tensor:
        """var over the checked ``dim``. With no degrees of freedom left (n <= correction, or
        no values) PyTorch warns and divides by max(0, n - correction): NaN, or inf."""
        _require_floating(self, name)
        count = red.reduced_size(self.shape, dim)
        divisor = count - correction
        if divisor > 0 and self._data.size:
            deviation = self - self.mean(dim, keepdim=True)
            return (deviation * deviation).sum(dim, keepdim=keepdim) / divisor
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's, on a mean of no values
            deviation = self - self.mean(dim, keepdim=True)
            return (deviation * deviation).sum(dim, keepdim=keepdim) / builtins.max(divisor, 0)

    def std(self, dim: Axis = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None, axis: Axis = None, keepdims: bool | None = None,
            ddof: float | None = None) -> Tensor:
        """Standard deviation: the square root of :meth:`var` (unbiased by default). Where it
        is 0 (constant values) the gradient is 0, as in PyTorch, not sqrt's infinite slope."""
        dim, keepdim = _dim_keepdim(dim, keepdim, axis, keepdims, self.ndim)
        variance = self._variance(dim, keepdim, _correction(unbiased, correction, ddof), "std")
        return ew.Sqrt.apply(variance, flat_at_zero=True)

    def logsumexp(self, dim: Axis = None, keepdim: bool = False, *, axis: Axis = None,
                  keepdims: bool | None = None) -> Tensor:
        """log(sum(exp(x))) over ``dim``, stable for large inputs."""
        dim, keepdim = _dim_keepdim(dim, keepdim, axis, keepdims, self.ndim)
        return red.LogSumExp.apply(self, axis=dim, keepdims=keepdim)

    def softmax(self, dim: int = -1, dtype: Any = None, *, axis: int | None = None) -> Tensor:
        """exp(x) / sum(exp(x)) along ``dim``; ``dtype`` converts the input first (e.g. a
        float16 input computed in float32)."""
        dim = _dim_index(axis if axis is not None else dim, self.ndim)
        return red.Softmax.apply(self if dtype is None else self.to(dtype), axis=dim)

    def log_softmax(self, dim: int = -1, dtype: Any = None, *, axis: int | None = None
                    ) -> Tensor:
        """x - logsumexp(x) along ``dim``; ``dtype`` converts the input first."""
        dim = _dim_index(axis if axis is not None else dim, self.ndim)
        return red.LogSoftmax.apply(self if dtype is None else self.to(dtype), axis=dim)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
               keepdims: bool | None = None) -> Tensor:
        """Index of the largest value (of the flattened tensor when ``dim`` is None); int64."""
        return self._arg_extreme(np.argmax, dim, keepdim, axis, keepdims)

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
               keepdims: bool | None = None) -> Tensor:
        """Index of the smallest value (of the flattened tensor when ``dim`` is None); int64."""
        return self._arg_extreme(np.argmin, dim, keepdim, axis, keepdims)

    def _arg_extreme(self, pick: Callable, dim: Any, keepdim: bool, axis: Any,
                     keepdims: bool | None) -> Tensor:
        dim, keepdim = _dim_keepdim(dim, keepdim, axis, keepdims, self.ndim)
        # As in PyTorch, an empty tensor has arg-extremes only along a non-empty dim, where
        # the result is empty too (shape (2, 0) along dim 0 gives shape (0,)).
        if self._data.size == 0 and (dim is None or self.shape[dim] == 0):
            where = "the flattened tensor" if dim is None else f"dimension {dim}"
            raise IndexError(f"argmax/argmin of an empty tensor of shape {self.shape}: "
                             f"{where} has no values")
        indices = pick(self._data, axis=dim, keepdims=keepdim)  # no dim: every size 1
        return Tensor._make(np.asarray(indices, dtype=dtypes.int64), False)

    # ----- linear algebra and shape ---------------------------------------------------------

    def matmul(self, other: Any) -> Tensor:
        return self @ other

    def reshape(self, *shape: Any) -> Tensor:
        """The same values in a new shape; one dimension may be -1."""
        return sh.Reshape.apply(self, shape=_shape_argument(shape))

    def view(self, *shape: Any, dtype: Any = None) -> Tensor:
        """The same values in a new shape, as :meth:`reshape`; or, given a dtype
        (``view(minitorch.int32)``), the same bytes read as that dtype: a tensor sharing this
        one's memory (and its in-place change record), never differentiable, whose last
        dimension grows or shrinks by the ratio of the element sizes."""
        if dtype is None and len(shape) == 1 and (
            isinstance(shape[0], np.dtype)
            or isinstance(shape[0], type) and issubclass(shape[0], np.generic)
        ):
            dtype = shape[0]
        elif dtype is None:
            return self.reshape(*shape)
        elif shape:
            raise TypeError(f"view takes a shape or a dtype, got both {shape} and {dtype}")
        target, data = np.dtype(dtype), self._data
        if target.itemsize != data.itemsize:
            # NumPy's own errors do not say which sizes would have fitted.
            if data.ndim == 0:
                raise RuntimeError(
                    f"view of a 0-d tensor as {target} needs the same element size, but "
                    f"{data.dtype} has {data.itemsize} bytes and {target} {target.itemsize}"
                )
            if data.shape[-1] * data.itemsize % target.itemsize:
                raise RuntimeError(
                    f"view of a tensor of shape {self.shape} and dtype {data.dtype} as "
                    f"{target} needs the last dimension's {data.shape[-1] * data.itemsize} "
                    f"bytes to be a multiple of {target.itemsize}"
                )
        try:
            viewed = data.view(target)
        except ValueError as error:
            raise RuntimeError(
                f"view of a tensor of shape {self.shape} and dtype {data.dtype} as {target}: "
                f"{error}"
            ) from None
        out = Tensor._make(viewed, False)
        out._modified_at = self._change_record()
        return out

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions start_dim..end_dim into one."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = _dim_index(start_dim, self.ndim), _dim_index(end_dim, self.ndim)
        shape = self.shape[:start] + (-1,) + self.shape[end + 1 :]
        return self.reshape(shape)

    def permute(self, *dims: Any) -> Tensor:
        return sh.Permute.apply(self, axes=_shape_argument(dims))

    def transpose(self, dim0: int | None = None, dim1: int | None = None) -> Tensor:
        """Swap two dimensions (PyTorch style), or reverse all of them when none are given."""
        if dim0 is None and dim1 is None:
            return sh.Permute.apply(self)
        if dim0 is None or dim1 is None:
            raise TypeError("transpose() needs both dims, or neither to reverse all dims")
        return self.swapaxes(dim0, dim1)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        axes = list(range(self.ndim))
        axis0, axis1 = _dim_index(axis0, self.ndim), _dim_index(axis1, self.ndim)
        axes[axis0], axes[axis1] = axes[axis1], axes[axis0]
        return sh.Permute.named("TransposeBackward0").apply(self, axes=tuple(axes))

    def squeeze(self, dim: Axis = None, *, axis: Axis = None) -> Tensor:
        """Remove dimensions of length 1 (all of them, or those in ``dim``; as in PyTorch, a
        named dimension whose length is not 1 is left alone)."""
        dim = axis if axis is not None else dim
        if dim is None:
            shape = tuple(n for n in self.shape if n != 1)
            return sh.Reshape.named("SqueezeBackward0").apply(self, shape=shape)
        dims = {_dim_index(d, self.ndim) for d in ((dim,) if isinstance(dim, int) else dim)}
        shape = tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1))
        node = sh.Reshape.named("SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2")
        return node.apply(self, shape=shape)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a dimension of length 1 at position ``dim``."""
        position = _dim_index(dim, self.ndim + 1)
        shape = self.shape[:position] + (1,) + self.shape[position:]
        return sh.Reshape.named("UnsqueezeBackward0").apply(self, shape=shape)

    def expand(self, *shape: Any) -> Tensor:
        """Broadcast to a larger shape without copying; -1 keeps a dimension's length."""
        shape = _shape_argument(shape)
        offset = len(shape) - self.ndim
        shape = tuple(self.shape[i - offset] if n == -1 and i >= offset else n
                      for i, n in enumerate(shape))
        return sh.Expand.apply(self, shape=shape)

    broadcast_to = expand

    # ----- PyTorch parity: comparisons, logs, splitting, masking, sorting, sampling ---------

    def eq(self, other: Any) -> Tensor:
        return self == other

    def ne(self, other: Any) -> Tensor:
        return self != other

    def lt(self, other: Any) -> Tensor:
        return self < other

    def le(self, other: Any) -> Tensor:
        return self <= other

    def gt(self, other: Any) -> Tensor:
        return self > other

    def ge(self, other: Any) -> Tensor:
        return self >= other

    def all(self, dim: Axis = None, keepdim: bool = False) -> Tensor:
        """Whether every value over ``dim`` (all of them by default) is non-zero: a bool
        tensor, so ``bool(t.all())`` and ``if t.all():`` work as in PyTorch."""
        dim, keepdim = _dim_keepdim(dim, keepdim, None, None, self.ndim, empty_is_all=False)
        return Tensor._make(np.asarray(np.all(self._data, axis=dim, keepdims=keepdim)), False)

    def any(self, dim: Axis = None, keepdim: bool = False) -> Tensor:
        """Whether some value over ``dim`` (all of them by default) is non-zero (bool)."""
        dim, keepdim = _dim_keepdim(dim, keepdim, None, None, self.ndim, empty_is_all=False)
        return Tensor._make(np.asarray(np.any(self._data, axis=dim, keepdims=keepdim)), False)

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        """Whether |self - other| <= atol + rtol * |other| everywhere (broadcasting)."""
        other_data = other._data if isinstance(other, Tensor) else np.asarray(other)
        return bool(np.allclose(self._data, other_data, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Tensor:
        """Element-wise |self - other| <= atol + rtol * |other| (bool, broadcasting)."""
        other_data = other._data if isinstance(other, Tensor) else np.asarray(other)
        return Tensor._make(np.asarray(np.isclose(self._data, other_data, rtol=rtol, atol=atol,
                                                  equal_nan=equal_nan)), False)

    def equal(self, other: Tensor) -> bool:
        """Whether ``other`` has this shape and these values (a Python bool)."""
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    def pow(self, exponent: Any) -> Tensor:
        return self ** exponent

    def log10(self) -> Tensor:
        return ew.LogBase.named("Log10Backward0").apply(_floating(self), base=10)

    def log2(self) -> Tensor:
        return ew.LogBase.named("Log2Backward0").apply(_floating(self), base=2)

    def t(self) -> Tensor:
        """The transpose of a matrix; a tensor of fewer than 2 dimensions is returned as is."""
        if self.ndim > 2:
            raise RuntimeError(
                f"t() needs a tensor with at most 2 dimensions, got shape {self.shape}; "
                "use transpose(dim0, dim1) or permute"
            )
        return self if self.ndim < 2 else sh.Permute.named("TBackward0").apply(self)

    def view_as(self, other: Tensor) -> Tensor:
        """The same values in ``other``'s shape."""
        return self.view(other.shape)

    def contiguous(self) -> Tensor:
        """This tensor when its memory is contiguous, else a contiguous copy (differentiable);
        minitorch's own operations never need one."""
        return self if self.is_contiguous() else self.clone()

    def split(self, split_size: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of the
        given list of sizes, which must add up to the length of ``dim``. Each piece is
        differentiable. (PyTorch names the argument ``split_size`` here and
        ``split_size_or_sections`` in ``torch.split``.)"""
        axis = _dim_index(dim, self.ndim)
        length = self.shape[axis]
        if isinstance(split_size, (int, np.integer)):
            size = int(split_size)
            if size <= 0:
                raise ValueError(f"split needs split_size > 0, got {size}")
            sizes = [min(size, length - start) for start in range(0, max(length, 1), size)]
        else:
            sizes = [int(s) for s in split_size]
            if any(s < 0 for s in sizes) or sum(sizes) != length:
                raise ValueError(
                    f"split sizes {sizes} must be >= 0 and add up to {length}, the length of "
                    f"dimension {dim} of shape {self.shape}"
                )
        return self._slices_along(axis, [0, *itertools.accumulate(sizes)])

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """Split into ``chunks`` pieces of equal length along ``dim`` (the last may be
        shorter; fewer pieces come back when the length does not allow that many)."""
        if chunks <= 0:
            raise ValueError(f"chunk needs chunks > 0, got {chunks}")
        length = self.shape[_dim_index(dim, self.ndim)]
        return self.split(max(-(-length // chunks), 1), dim)

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle of the last two dimensions (on and below ``diagonal``); the
        rest is zero."""
        return sel.Triangle.named("TrilBackward0").apply(self, diagonal=diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle of the last two dimensions (on and above ``diagonal``); the
        rest is zero."""
        return sel.Triangle.named("TriuBackward0").apply(self, diagonal=diagonal, upper=True)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """``value`` where the bool ``mask`` (broadcast against this tensor) is True, else
        this tensor's values; differentiable with respect to this tensor."""
        mask_data = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
        if mask_data.dtype != np.bool_:
            raise TypeError(f"masked_fill needs a bool mask, got dtype {mask_data.dtype}")
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise ValueError(
                    f"masked_fill needs a number or a 0-d tensor as value, got shape {value.shape}"
                )
            value = value.item()
        return sel.MaskedFill.apply(self, mask=mask_data, value=value)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool | None = False
             ) -> ValuesIndices:
        """(values, indices): the values sorted along ``dim``, and where each came from
        (int64). Equal values keep their order, so every sort is what PyTorch's
        ``stable=True`` asks for. The values are differentiable."""
        if self.ndim == 0:
            values, indices = self.reshape(1).sort(dim, descending)
            return ValuesIndices(values.reshape(()), indices.reshape(()))
        axis = _dim_index(dim, self.ndim)
        order = _argsort(self._data, axis, descending)
        values = sel.TakeAlongDim.named("SortBackward0").apply(self, indices=order, dim=axis)
        return ValuesIndices(values, Tensor._make(order, False))

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
             ) -> ValuesIndices:
        """(values, indices) of the ``k`` largest values along ``dim`` (the smallest with
        ``largest=False``), largest first. The values are differentiable."""
        length = self.shape[_dim_index(dim, self.ndim)] if self.ndim else 1
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= length:
            raise ValueError(
                f"topk needs 0 <= k <= {length} (the length of dimension {dim}), got k={k}"
            )
        values, indices = self.sort(dim, descending=largest)
        if self.ndim == 0:
            return ValuesIndices(values, indices)
        first_k = (slice(None),) * (dim % self.ndim) + (slice(0, k),)
        values = sh.GetItem.named("TopkBackward0").apply(values, index=first_k)
        return ValuesIndices(values, indices[first_k])

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: mt_random.Generator | None = None) -> Tensor:
        """Category indices (int64) drawn from the weights in each row; see
        :func:`minitorch.random.multinomial`."""
        samples = mt_random.multinomial(self._data, num_samples, replacement, generator=generator)
        return Tensor._make(samples, False)

    def histogram(self, bins: int | Any = 100, *, range: tuple[float, float] | None = None,
                  weight: Tensor | None = None, density: bool = False
                  ) -> Histogram:
        """(hist, bin_edges): counts of the values in ``bins`` equal bins (100 by default, as
        in PyTorch) over ``range`` (default: min to max), or in the bins between the given
        increasing edges. The last bin includes its right edge. ``weight`` weighs each value;
        ``density`` normalises to a density. Both results are in this tensor's floating
        dtype."""
        if self.dtype.kind != "f":
            raise TypeError(f"histogram needs a floating-point tensor, got dtype {self.dtype}")
        if isinstance(bins, (int, np.integer)) and bins <= 0:
            raise ValueError(f"histogram needs bins > 0, got {bins}")
        if range is not None and not range[0] <= range[1]:
            raise ValueError(f"histogram needs range min <= max, got {range}")
        edges = bins._data if isinstance(bins, Tensor) else bins
        weights = weight._data if isinstance(weight, Tensor) else weight
        hist, bin_edges = np.histogram(
            self._data, bins=edges, range=range, weights=weights, density=density
        )
        return Histogram(
            Tensor._make(hist.astype(self.dtype), False),
            Tensor._make(bin_edges.astype(self.dtype), False),
        )

    # ----- PyTorch parity: gathering and scattering ------------------------------------------

    def _indices_along(self, dim: int, index: Any, name: str,
                       src: Tensor | None = None) -> tuple[int, np.ndarray]:
        """``dim`` as an axis and ``index`` as an array, checked as PyTorch checks them for
        gather and scatter: as many dimensions as this tensor, no longer than it (or than
        ``src``) along the other dimensions, values in [0, length of ``dim``)."""
        axis = _dim_index(dim, self.ndim)
        indices = _integer_array(index, name)
        if indices.ndim != self.ndim:
            raise RuntimeError(
                f"{name}: index has {indices.ndim} dimensions (shape {indices.shape}), expected "
                f"{self.ndim} like the input of shape {self.shape}"
            )
        for d, length in enumerate(indices.shape):
            if (d != axis and length > self.shape[d]) or (src is not None and
                                                          length > src.shape[d]):
                limit = "" if src is None else f" and source {src.shape}"
                raise RuntimeError(
                    f"{name}: index of shape {indices.shape} is longer than the input "
                    f"{self.shape}{limit} at dimension {d} (only dimension {axis} of the input "
                    "may be shorter)"
                )
        _check_in_range(indices, self.shape[axis], axis, name, RuntimeError)
        return axis, indices

    def gather(self, dim: int, index: Any) -> Tensor:
        """Values picked along ``dim``: ``out[i][j] = self[index[i][j]][j]`` for dim = 0 (and
        ``self[i][index[i][j]]`` for dim = 1). Differentiable: each gradient goes back to the
        position it was picked from."""
        if self.ndim == 0:
            return self.reshape(1).gather(0, as_tensor(index).reshape(1)).reshape(())
        axis, indices = self._indices_along(dim, index, "gather")
        return sel.TakeAlongDim.named("GatherBackward0").apply(self, indices=indices, dim=axis)

    def take_along_dim(self, indices: Any, dim: int | None = None) -> Tensor:
        """Values picked along ``dim`` at ``indices`` (as gather), the two broadcast against
        each other in the other dimensions; without ``dim``, from the flattened tensor."""
        if dim is None:
            return self.reshape(-1).gather(0, as_tensor(indices).reshape(-1))
        picks = _integer_array(indices, "take_along_dim")
        axis = _dim_index(dim, self.ndim)
        if picks.ndim != self.ndim:
            raise RuntimeError(
                f"take_along_dim: indices of shape {picks.shape} need the input's {self.ndim} "
                f"dimensions (shape {self.shape})"
            )
        one = list(np.broadcast_shapes(self.shape[:axis] + (1,) + self.shape[axis + 1:],
                                       picks.shape[:axis] + (1,) + picks.shape[axis + 1:]))
        source_shape = tuple(one[:axis] + [self.shape[axis]] + one[axis + 1:])
        picks = np.broadcast_to(picks, tuple(one[:axis] + [picks.shape[axis]] + one[axis + 1:]))
        return self.expand(source_shape).gather(axis, Tensor._make(picks, False))

    def scatter(self, dim: int, index: Any, src: Any = None, value: Any = None, *,
                reduce: str | None = None) -> Tensor:
        """A copy with values written along ``dim`` at ``index``: ``out[index[i][j]][j] =
        src[i][j]`` for dim = 0, or ``value`` (a number) everywhere ``index`` points.
        Differentiable in this tensor (zero where overwritten) and in ``src``. With ``reduce``
        "add" or "multiply" the values are added or multiplied in instead, as
        :meth:`scatter_reduce` does with "sum" or "prod" (which PyTorch recommends, warning
        about ``reduce`` with a tensor ``src``)."""
        if reduce is not None:
            return self._scatter_with(dim, index, src if value is None else value, reduce)
        if isinstance(src, Tensor):
            self._same_dtype(src, "scatter")
            axis, indices = self._indices_along(dim, index, "scatter", src)
            new = src[tuple(slice(0, n) for n in indices.shape)]
        else:
            axis, indices = self._indices_along(dim, index, "scatter")
            new = self._operand(src if value is None else value).astype(self.dtype)
        return sh.SetItem.apply(self, new, index=sel.along_dim_index(indices, axis))

    def _scatter_with(self, dim: int, index: Any, src: Any, reduce: str) -> Tensor:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce!r}")
        if isinstance(src, Tensor):
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated "
                          "and will be removed in a future PyTorch release. Use "
                          "torch.scatter_reduce instead for more reduction options.",
                          UserWarning, stacklevel=3)
        else:  # a number, as a source of the index's shape
            shape = _integer_array(index, "scatter").shape
            src = Tensor._make(np.full(shape, src, dtype=self.dtype), False)
        return self.scatter_reduce(dim, index, src, "sum" if reduce == "add" else "prod")

    def scatter_reduce(self, dim: int, index: Any, src: Tensor, reduce: str, *,
                       include_self: bool = True) -> Tensor:
        """A copy in which the values of ``src`` are combined in along ``dim`` at ``index``
        (each lands where it would in :meth:`scatter_add`): each position takes the
        ``reduce`` -- "sum", "prod", "mean" (rounded down for integers), "amax" or "amin" --
        of the values landing on it, its own value among them unless ``include_self=False``;
        a position nothing lands on keeps its value. Differentiable in both (tied maxima or
        minima share the gradient, as in PyTorch)."""
        if reduce not in ("sum", "prod", "mean", "amax", "amin"):
            raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, "
                               f"got {reduce!r}")
        src = as_tensor(src)
        self._same_dtype(src, "scatter_reduce")
        axis, indices = self._indices_along(dim, index, "scatter_reduce", src)
        used = src[tuple(slice(0, n) for n in indices.shape)]
        if reduce == "prod":
            return sel.ScatterProd.apply(self, used, indices=indices, dim=axis,
                                         include_self=include_self)
        return sel.ScatterReduce.apply(self, used, indices=indices, dim=axis, reduce=reduce,
                                       include_self=include_self)

    def scatter_add(self, dim: int, index: Any, src: Tensor) -> Tensor:
        """A copy with ``src`` added along ``dim`` at ``index`` (``out[index[i][j]][j] +=
        src[i][j]`` for dim = 0), repeated positions adding up. Differentiable in both."""
        src = as_tensor(src)
        self._same_dtype(src, "scatter_add")
        axis, indices = self._indices_along(dim, index, "scatter_add", src)
        used = src[tuple(slice(0, n) for n in indices.shape)]
        return sel.ScatterAdd.apply(self, used, indices=indices, dim=axis)

    def _same_dtype(self, src: Tensor, name: str) -> None:
        if src.dtype != self.dtype:
            raise RuntimeError(
                f"{name}(): expected the source's dtype to be the tensor's {self.dtype}, got "
                f"{src.dtype}"
            )

    def index_select(self, dim: int, index: Any) -> Tensor:
        """The slices along ``dim`` at the positions in ``index`` (a 1-D integer tensor), in
        that order, repeats allowed. Differentiable."""
        axis = _dim_index(dim, self.ndim)
        positions = _integer_array(index, "index_select")
        if positions.ndim > 1:
            raise IndexError(
                f"index_select: index must be 0-D or 1-D, got shape {positions.shape}"
            )
        if self.ndim == 0:
            return self.reshape(1).index_select(0, positions).reshape(())
        _check_in_range(positions, self.shape[axis], axis, "index_select", IndexError)
        index = (slice(None),) * axis + (positions.reshape(-1),)
        return sh.GetItem.named("IndexSelectBackward0").apply(self, index=index)

    def masked_select(self, mask: Any) -> Tensor:
        """The values where the bool ``mask`` (broadcast with this tensor) is True, as a 1-D
        tensor. Differentiable."""
        mask_data = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
        if mask_data.dtype != np.bool_:
            raise TypeError(f"masked_select needs a bool mask, got dtype {mask_data.dtype}")
        shape = np.broadcast_shapes(self.shape, mask_data.shape)
        return self.expand(shape)[np.broadcast_to(mask_data, shape)]

    def argwhere(self) -> Tensor:
        """The positions of the non-zero values, (count, ndim) int64: ``nonzero()``."""
        return self.nonzero()

    def index_put(self, indices: Sequence[Tensor], values: Tensor, accumulate: bool = False
                  ) -> Tensor:
        """A copy with ``values`` (broadcast) written at ``self[indices]``, ``indices`` being a
        tuple of integer or bool index tensors as in ``x[i, j]``; with ``accumulate`` added
        instead, repeated positions adding up. Differentiable in both."""
        if not isinstance(indices, (tuple, list)):
            raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not "
                            f"{type(indices).__name__}")
        if not all(isinstance(i, Tensor) for i in (*indices, values)):
            raise TypeError("index_put(): indices must be Tensors and values a Tensor, got "
                            f"{[type(i).__name__ for i in indices]} and "
                            f"{type(values).__name__}")
        if values.dtype != self.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, "
                               f"got {self.dtype} for the destination and {values.dtype} for "
                               "the source.")
        index = tuple(_index_array(i) for i in indices)
        try:
            shape = self._data[index].shape
        except IndexError as error:
            raise IndexError(f"index_put: {error} (indexing a tensor of shape {self.shape})"
                             ) from None
        if values.ndim > len(shape) or any(n not in (1, m) for n, m in
                                            zip(reversed(values.shape), reversed(shape))):
            raise RuntimeError(f"shape mismatch: value tensor of shape {values.shape} cannot "
                               f"be broadcast to indexing result of shape {shape}")
        if not accumulate:
            return sh.SetItem.apply(self, values, index=index)
        return self + sh.IndexAdd.apply(values.expand(shape), shape=self.shape, index=index)

    def put(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        """A copy with the values of ``source`` written at the positions ``index`` (int64;
        negative counts from the end) of the flattened tensor, or with ``accumulate`` added
        there. Differentiable in both."""
        if not isinstance(index, Tensor) or index.dtype != dtypes.int64:
            raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                               f"{getattr(index, 'dtype', type(index).__name__)}")
        if not isinstance(source, Tensor):
            raise TypeError(f"put_(): argument 'source' must be Tensor, not "
                            f"{type(source).__name__}")
        if source.dtype != self.dtype:
            raise RuntimeError(f"put_(): self and source expected to have the same dtype, but "
                               f"got self.dtype = {self.dtype} and source.dtype = {source.dtype}")
        if source.numel() != index.numel():
            raise IndexError(f"put_(): Expected source and index to have the same number of "
                             f"elements, but got source.numel() = {source.numel()}, "
                             f"index.numel() = {index.numel()}")
        positions = _wrapped_positions(index._data.reshape(-1), self.numel(), 0, "put_")
        flat = self.reshape(-1).index_put((Tensor._make(positions, False),),
                                          source.reshape(-1), accumulate)
        return flat.reshape(self.shape)

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        """A copy with the values of ``source``, in order, written where the bool ``mask``
        (broadcast with this tensor) is True. Differentiable in both: a value of ``source``
        gets the gradient of the position it went to (0 for those left over)."""
        mask_data = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
        if mask_data.dtype != np.bool_:
            raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask "
                               f"with dtype {mask_data.dtype}")
        source = as_tensor(source)
        if source.dtype != self.dtype:
            raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes "
                               f"but got {self.dtype} and {source.dtype}")
        try:
            shape = np.broadcast_shapes(self.shape, mask_data.shape)
        except ValueError:
            raise RuntimeError(f"masked_scatter: mask of shape {mask_data.shape} does not "
                               f"broadcast with the tensor's shape {self.shape}") from None
        chosen = np.broadcast_to(mask_data, shape)
        count = int(np.count_nonzero(chosen))
        if source.numel() < count:
            raise RuntimeError(f"masked_scatter: Number of elements of source < number of ones "
                               f"in mask ({source.numel()} < {count})")
        return sh.SetItem.apply(self.expand(shape), source.reshape(-1)[:count], index=chosen)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """The positions of the non-zero values: an int64 tensor of shape (count, ndim), or
        with ``as_tuple`` one 1-D tensor of positions per dimension."""
        if as_tuple:
            positions = np.nonzero(np.atleast_1d(self._data))
            return tuple(Tensor._make(p.astype(dtypes.int64), False) for p in positions)
        return Tensor._make(np.argwhere(self._data).astype(dtypes.int64), False)

    def where(self, condition: Any, other: Any) -> Tensor:
        """This tensor's values where ``condition`` holds, else ``other``'s."""
        return where(condition, self, other)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """``length`` positions along ``dim`` from ``start`` (negative counts from the end)."""
        axis = _dim_index(dim, self.ndim)
        size = self.shape[axis]
        if not -size <= start <= size:
            raise IndexError(
                f"narrow: start {start} is out of range for dimension {axis} of size {size}"
            )
        start = start % size if start < 0 else start
        if length < 0 or start + length > size:
            raise RuntimeError(
                f"narrow: start ({start}) + length ({length}) exceeds dimension {axis} of size "
                f"{size}, or length is negative"
            )
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim``, that dimension removed. Each is differentiable."""
        axis = _dim_index(dim, self.ndim)
        piece = sh.GetItem.named("UnbindBackward0")
        return tuple(piece.apply(self, index=(slice(None),) * axis + (i,))
                     for i in range(self.shape[axis]))

    # ----- PyTorch parity: shape -------------------------------------------------------------

    def flip(self, *dims: Any) -> Tensor:
        """The values in reverse order along each of ``dims``."""
        axes = {_dim_index(d, self.ndim) for d in _shape_argument(dims)}
        index = tuple(slice(None, None, -1) if a in axes else slice(None) for a in range(self.ndim))
        return sh.GetItem.named("FlipBackward0").apply(self, index=index)

    def roll(self, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None
             ) -> Tensor:
        """The values shifted by ``shifts`` places along ``dims``, those pushed off the end
        coming back at the start; without ``dims``, along the flattened tensor."""
        if dims is None:
            if not isinstance(shifts, (int, np.integer)):
                shifts, = shifts
            return self.reshape(-1).roll(shifts, 0).reshape(self.shape)
        shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
        dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
        if len(shifts) != len(dims):
            raise RuntimeError(
                f"roll: shifts and dims must align, got {len(shifts)} shifts and {len(dims)} dims"
            )
        out = self
        for shift, dim in zip(shifts, dims):
            axis = _dim_index(dim, self.ndim)
            length = self.shape[axis]
            shift = shift % length if length else 0
            if shift:
                out = cat([out.narrow(axis, length - shift, shift),
                           out.narrow(axis, 0, length - shift)], axis)
        return out

    def repeat(self, *sizes: Any) -> Tensor:
        """The tensor tiled ``sizes[d]`` times along each dimension d (``sizes`` may have more
        dimensions than the tensor: they are added in front)."""
        sizes = _shape_argument(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"repeat: {len(sizes)} repeat sizes for a tensor of {self.ndim} dimensions; give "
                "at least one per dimension"
            )
        shape = (1,) * (len(sizes) - self.ndim) + self.shape
        # Each dimension n becomes a pair (1, n), broadcast to (r, n), merged into r * n.
        pairs = [size for n in shape for size in (1, n)]
        stretched = [size for r, n in zip(sizes, shape) for size in (r, n)]
        tiled = self.reshape(pairs).expand(stretched)
        tiled_shape = tuple(r * n for r, n in zip(sizes, shape))
        return sh.Reshape.named("RepeatBackward0").apply(tiled, shape=tiled_shape)

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *,
                          output_size: int | None = None) -> Tensor:
        """Each value (each slice along ``dim``) repeated ``repeats`` times in place: a number,
        or one count per position along ``dim``. Without ``dim``, of the flattened tensor."""
        source = self.reshape(-1) if dim is None else self
        axis = 0 if dim is None else _dim_index(dim, self.ndim)
        length = source.shape[axis] if source.ndim else 1
        counts = _integer_array(repeats, "repeat_interleave").reshape(-1)
        if counts.size not in (1, length) or (counts < 0).any():
            raise RuntimeError(
                f"repeat_interleave: repeats must be non-negative and one number or one per "
                f"position ({length}), got {counts.tolist()}"
            )
        positions = np.repeat(np.arange(length), np.broadcast_to(counts, (length,)))
        if output_size is not None and output_size != len(positions):
            raise RuntimeError(
                f"repeat_interleave: output_size={output_size}, but the repeats make "
                f"{len(positions)}"
            )
        if source.ndim == 0:
            source = source.reshape(1)
        return source[(slice(None),) * axis + (positions,)]

    def expand_as(self, other: Tensor) -> Tensor:
        """This tensor broadcast to ``other``'s shape."""
        return self.expand(other.shape)

    def diag(self, diagonal: int = 0) -> Tensor:
        """Of a vector, the square matrix with it on diagonal ``diagonal`` (0 the main one,
        > 0 above) and zeros elsewhere; of a matrix, that diagonal as a vector."""
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {self.shape}")
        length = self.shape[0]
        size = length + abs(diagonal)
        rows = np.arange(length) + max(-diagonal, 0)
        return sh.IndexAdd.apply(self, shape=(size, size),
                                 index=(rows, rows - max(-diagonal, 0) + max(diagonal, 0)))

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The diagonal ``offset`` (> 0 above the main one) of the matrices in dimensions
        ``dim1`` and ``dim2``, as the last dimension of the result."""
        first, second = _dim_index(dim1, self.ndim), _dim_index(dim2, self.ndim)
        if first == second:
            raise RuntimeError(f"diagonal: dim1 and dim2 must differ, got {dim1} and {dim2}")
        rest = [d for d in range(self.ndim) if d not in (first, second)]
        rows, cols = self.shape[first], self.shape[second]
        skip_rows, skip_cols = max(-offset, 0), max(offset, 0)
        length = max(0, min(rows - skip_rows, cols - skip_cols))
        steps = np.arange(length)
        moved = self.permute(*rest, first, second)
        index = (..., steps + skip_rows, steps + skip_cols)
        return sh.GetItem.named("DiagonalBackward0").apply(moved, index=index)

    def trace(self) -> Tensor:
        """The sum of the main diagonal of a matrix (int64 for integer matrices)."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, got shape {self.shape}")
        diagonal = self.diagonal()
        return diagonal.sum(dtype=dtypes.int64 if self.dtype.kind in "biu" else None)

    def outer(self, vec2: Tensor) -> Tensor:
        """The outer product of two vectors: ``out[i, j] = self[i] * vec2[j]``."""
        vec2 = as_tensor(vec2)
        if self.ndim != 1 or vec2.ndim != 1:
            raise RuntimeError(
                f"outer: expected two 1-D tensors, got shapes {self.shape} and {vec2.shape}"
            )
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    # ----- linear algebra: PyTorch's older forms, on minitorch.linalg ------------------------

    def det(self) -> Tensor:
        """The determinant of each matrix: :func:`minitorch.linalg.det`."""
        return _linalg().det(self)

    def logdet(self) -> Tensor:
        """log(det) of each matrix: NaN for a negative determinant, -inf for a zero one."""
        sign, logabsdet = _linalg().slogdet(self)
        return where(sign < 0, math.nan, logabsdet)

    def slogdet(self) -> Any:
        """(sign, log|det|) of each matrix: :func:`minitorch.linalg.slogdet`."""
        return _linalg().slogdet(self)

    def inverse(self) -> Tensor:
        """The inverse of each matrix: :func:`minitorch.linalg.inv`."""
        return _linalg().inv(self)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        """The pseudo-inverse, singular values below ``rcond`` times the largest counted as
        zero: :func:`minitorch.linalg.pinv`."""
        return _linalg().pinv(self, rcond=rcond)

    def matrix_power(self, n: int) -> Tensor:
        """The matrices to the power ``n``: :func:`minitorch.linalg.matrix_power`."""
        return _linalg().matrix_power(self, n)

    def cholesky(self, upper: bool = False) -> Tensor:
        """The Cholesky factor, lower triangular unless ``upper``:
        :func:`minitorch.linalg.cholesky`."""
        return _linalg().cholesky(self, upper=upper)

    def qr(self, some: bool = True) -> Any:
        """(Q, R), reduced unless ``some=False`` (then complete): :func:`minitorch.linalg.qr`."""
        return _linalg().qr(self, "reduced" if some else "complete")

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        """(U, S, V) with A = U diag(S) V^T: V itself, where :func:`minitorch.linalg.svd`
        returns its transpose Vh; reduced unless ``some=False``. Without ``compute_uv``, U
        and V are zeros of shapes (m, m) and (n, n), as in PyTorch."""
        linalg = _linalg()
        if not compute_uv:
            S = linalg.svdvals(self)
            batch, (m, n) = self.shape[:-2], self.shape[-2:]
            return linalg.USV(Tensor._make(np.zeros(batch + (m, m), self.dtype), False), S,
                              Tensor._make(np.zeros(batch + (n, n), self.dtype), False))
        U, S, Vh = linalg.svd(self, full_matrices=not some)
        return linalg.USV(U, S, Vh.mT)

    # ----- PyTorch parity: element-wise math --------------------------------------------------

    def square(self) -> Tensor:
        source = self.astype(dtypes.int64) if self.dtype == dtypes.bool else self
        return source * source

    def rsqrt(self) -> Tensor:
        """1 / sqrt(x)."""
        return _floating(self) ** -0.5

    def _stepwise(self, function: str, decimals: int = 0) -> Tensor:
        """A piecewise-constant function (zero gradient); integers are their own floor, ceil
        and trunc, and bools their own sign."""
        if self.dtype == dtypes.bool and function != "sign":
            raise TypeError(f"{function}() is not defined for bool tensors")
        if self.dtype == dtypes.bool or (self.dtype.kind in "iu" and
                                          function in ("floor", "ceil", "trunc")):
            return Tensor._make(self._data.copy(), False)
        name = f"{function.capitalize()}Backward{1 if decimals else 0}"
        return ew.Stepwise.named(name).apply(self, function=function, decimals=decimals)

    def floor(self) -> Tensor:
        return self._stepwise("floor")

    def ceil(self) -> Tensor:
        return self._stepwise("ceil")

    def trunc(self) -> Tensor:
        return self._stepwise("trunc")

    fix = trunc

    def round(self, decimals: int = 0) -> Tensor:
        """Round half to even (as PyTorch and NumPy), to ``decimals`` places."""
        return self._stepwise("round", decimals)

    def sign(self) -> Tensor:
        return self._stepwise("sign")

    def frac(self) -> Tensor:
        """The fractional part, x - trunc(x) (floating tensors only)."""
        _require_floating(self, "frac")
        return self - self.trunc()

    def _remainder(self, other: Any, truncate: bool) -> Tensor:
        a, b = self, self._operand(other)
        if a._data.dtype is not b._data.dtype:
            target = dtypes.result_type(a._data, b._data)
            a, b = a.astype(target), b.astype(target)
        return ew.Remainder.apply(a, b, truncate=truncate)

    def remainder(self, other: Any) -> Tensor:
        """x - other * floor(x / other): the result has the divisor's sign (Python's %)."""
        return self._remainder(other, truncate=False)

    def fmod(self, other: Any) -> Tensor:
        """x - other * trunc(x / other): the result has the dividend's sign (C's fmod)."""
        return self._remainder(other, truncate=True)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        """self + weight * (end - self)."""
        _require_floating(self, "lerp")
        return self + weight * (self._operand(end) - self)

    def clamp_min(self, min: float) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self, max: float) -> Tensor:
        return self.clamp(max=max)

    def logical_and(self, other: Any) -> Tensor:
        return _logical(np.logical_and, self, other)

    def logical_or(self, other: Any) -> Tensor:
        return _logical(np.logical_or, self, other)

    def logical_xor(self, other: Any) -> Tensor:
        return _logical(np.logical_xor, self, other)

    def logical_not(self) -> Tensor:
        return Tensor._make(np.logical_not(self._data), False)

    # ----- PyTorch parity: trigonometric, hyperbolic, exponential and related functions -----
    # Integers and bools give float32, as for exp and log.

    def _unary(self, function: str) -> Tensor:
        name = "Log1PBackward0" if function == "log1p" else f"{function.capitalize()}Backward0"
        return ew.Unary.named(name).apply(_floating(self), function=function)

    def sin(self) -> Tensor:
        return self._unary("sin")

    def cos(self) -> Tensor:
        return self._unary("cos")

    def tan(self) -> Tensor:
        return self._unary("tan")

    def asin(self) -> Tensor:
        return self._unary("asin")

    def acos(self) -> Tensor:
        return self._unary("acos")

    def atan(self) -> Tensor:
        return self._unary("atan")

    def sinh(self) -> Tensor:
        return self._unary("sinh")

    def cosh(self) -> Tensor:
        return self._unary("cosh")

    def asinh(self) -> Tensor:
        return self._unary("asinh")

    def acosh(self) -> Tensor:
        return self._unary("acosh")

    def atanh(self) -> Tensor:
        return self._unary("atanh")

    def expm1(self) -> Tensor:
        """e**x - 1, exact for small x."""
        return self._unary("expm1")

    def log1p(self) -> Tensor:
        """ln(1 + x), exact for small x."""
        return self._unary("log1p")

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def atan2(self, other: Any) -> Tensor:
        """The angle of the point (other, self), in (-pi, pi]."""
        return _arithmetic(ew.Atan2, self, self._operand(other), floating=True)

    arctan2 = atan2

    def hypot(self, other: Any) -> Tensor:
        """sqrt(self**2 + other**2) (floating tensors only, as in PyTorch)."""
        _require_floating(self, "hypot")
        return _arithmetic(ew.Hypot, self, self._operand(other))

    def erfc(self) -> Tensor:
        """1 - erf(x), exact where erf(x) is close to 1."""
        return ew.Erf.apply(_floating(self), complement=True)

    def reciprocal(self) -> Tensor:
        return 1 / self

    def exp2(self) -> Tensor:
        return 2 ** _floating(self)

    def deg2rad(self) -> Tensor:
        return _floating(self) * (math.pi / 180)

    def rad2deg(self) -> Tensor:
        return _floating(self) * (180 / math.pi)

    def logaddexp(self, other: Any) -> Tensor:
        """log(e**self + e**other), as larger + log1p(e**(smaller - larger)), which never
        overflows (floating tensors only, as in PyTorch)."""
        _require_floating(self, "logaddexp")
        other = self._operand(other)
        # Both orders give the same smooth function, so choosing one by a constant mask keeps
        # every derivative exact (max and |a - b| would have kinks at ties).
        self_larger = self._data >= other._data
        larger, smaller = where(self_larger, self, other), where(self_larger, other, self)
        # Equal infinities: inf - inf is NaN, but their sum of exponentials is the infinity.
        equal_infinities = (self._data == other._data) & np.isinf(self._data)
        return larger + where(equal_infinities, 0, smaller - larger).exp().log1p()

    def xlogy(self, other: Any) -> Tensor:
        """self * log(other), and 0 where self is 0 unless other is NaN."""
        other = self._operand(other)
        zero = (self._data == 0) & ~np.isnan(other._data)
        return where(zero, 0, self * other.log())

    def logit(self, eps: float | None = None) -> Tensor:
        """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given (its gradient
        is then 0 outside)."""
        p = _floating(self)
        if eps is not None:
            p = p.clamp(eps, 1 - eps)
        return p.log() - (-p).log1p()  # log(p) - log(1 - p): exact near 0 and 1

    def copysign(self, other: Any) -> Tensor:
        """|self| with the sign of other (also of a signed zero or NaN)."""
        return _arithmetic(ew.CopySign, self, self._operand(other), floating=True)

    def float_power(self, exponent: Any) -> Tensor:
        """self ** exponent computed in float64."""
        if isinstance(exponent, Tensor):
            exponent = exponent.astype(dtypes.float64)
        return self.astype(dtypes.float64) ** exponent

    def neg(self) -> Tensor:
        if self._data.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return ew.Neg.apply(self)

    negative = neg
    sgn = sign  # the same as sign for real numbers

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None) -> Tensor:
        """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf``, by default 0 and
        the dtype's largest and smallest values; the gradient passes where x is finite."""
        if self._data.dtype.kind != "f":
            return Tensor._make(self._data.copy(), False)
        largest = np.finfo(self._data.dtype).max
        replaced = np.nan_to_num(self._data, nan=nan,
                                 posinf=largest if posinf is None else posinf,
                                 neginf=-largest if neginf is None else neginf)
        return where(np.isfinite(self._data), self, Tensor._make(replaced, False))

    # Tests of each value: boolean tensors that carry no gradient.

    def isnan(self) -> Tensor:
        return Tensor._make(np.asarray(np.isnan(self._data)), False)

    def isinf(self) -> Tensor:
        return Tensor._make(np.asarray(np.isinf(self._data)), False)

    def isfinite(self) -> Tensor:
        return Tensor._make(np.asarray(np.isfinite(self._data)), False)

    def signbit(self) -> Tensor:
        """True where the sign bit is set: negative numbers, -0.0 and NaNs written with a
        minus."""
        return Tensor._make(np.asarray(np.signbit(self._data)), False)

    # ----- PyTorch parity: in-place forms of the element-wise functions ------------------------

    sin_, cos_, tan_ = _in_place_form("sin"), _in_place_form("cos"), _in_place_form("tan")
    asin_, acos_, atan_ = _in_place_form("asin"), _in_place_form("acos"), _in_place_form("atan")
    sinh_, cosh_ = _in_place_form("sinh"), _in_place_form("cosh")
    asinh_, acosh_ = _in_place_form("asinh"), _in_place_form("acosh")
    atanh_ = _in_place_form("atanh")
    arcsin_, arccos_, arctan_ = asin_, acos_, atan_
    arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_
    atan2_ = arctan2_ = _in_place_form("atan2")
    exp_, exp2_, expm1_ = _in_place_form("exp"), _in_place_form("exp2"), _in_place_form("expm1")
    log_, log2_, log10_ = _in_place_form("log"), _in_place_form("log2"), _in_place_form("log10")
    log1p_ = _in_place_form("log1p")
    sqrt_, rsqrt_, square_ = (_in_place_form("sqrt"), _in_place_form("rsqrt"),
                              _in_place_form("square"))
    abs_ = absolute_ = _in_place_form("abs")
    neg_ = negative_ = _in_place_form("neg")
    tanh_, sigmoid_, relu_ = (_in_place_form("tanh"), _in_place_form("sigmoid"),
                              _in_place_form("relu"))
    erf_, erfc_ = _in_place_form("erf"), _in_place_form("erfc")
    reciprocal_, pow_ = _in_place_form("reciprocal"), _in_place_form("pow")
    __ipow__ = pow_  # x **= y changes x in place, as in PyTorch
    deg2rad_, rad2deg_ = _in_place_form("deg2rad"), _in_place_form("rad2deg")
    hypot_, copysign_ = _in_place_form("hypot"), _in_place_form("copysign")
    xlogy_, logit_ = _in_place_form("xlogy"), _in_place_form("logit")
    nan_to_num_ = _in_place_form("nan_to_num")
    sign_ = sgn_ = _in_place_form("sign")
    floor_, ceil_ = _in_place_form("floor"), _in_place_form("ceil")
    trunc_ = fix_ = _in_place_form("trunc")
    round_, frac_ = _in_place_form("round"), _in_place_form("frac")

    # ----- PyTorch parity: products, cumulative reductions, norms ------------------------------

    def _counting(self, dtype: Any) -> Tensor:
        """This tensor for a sum or product: in ``dtype`` if given, and integers and bools in
        int64, as in PyTorch."""
        if dtype is not None:
            return self.astype(dtype)
        return self.astype(dtypes.int64) if self.dtype.kind in "biu" else self

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None
             ) -> Tensor:
        """The product of the values along ``dim`` (of all of them by default)."""
        source = self._counting(dtype)
        if dim is None:
            return red.Prod.apply(source)
        if not isinstance(dim, (int, np.integer)):
            raise TypeError(f"prod takes one dimension (an int), got {dim!r}")
        axis = _dim_index(dim, self.ndim)
        node = red.Prod.named("ProdBackward1")
        return node.apply(source, axis=axis if self.ndim else None, keepdims=keepdim)

    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        """Running sums along ``dim``."""
        return self._cumulative(red.Cumsum, dim, dtype)

    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        """Running products along ``dim``."""
        return self._cumulative(red.Cumprod, dim, dtype)

    def _cumulative(self, op: type[autograd.Function], dim: int, dtype: Any) -> Tensor:
        source = self._counting(dtype)
        axis = _dim_index(dim, self.ndim)
        if self.ndim == 0:
            return op.apply(source.reshape(1), axis=0).reshape(())
        return op.apply(source, axis=axis)

    def norm(self, p: float | str | None = "fro", dim: Axis = None, keepdim: bool = False,
             dtype: Any = None) -> Tensor:
        """The p-norm of the values over ``dim`` (all of them by default): p = 2 ('fro', the
        default, or None) is the Euclidean length, 1 the sum of magnitudes, inf the largest,
        0 the count of non-zeros. A zero vector gets a zero gradient."""
        if p is None:
            p = 2
        if isinstance(p, str):
            if p != "fro":
                raise ValueError(f"norm: p must be a number or 'fro', got {p!r}")
            p = 2
        source = self if dtype is None else self.astype(dtype)
        _require_floating(source, "norm")
        dim, keepdim = _dim_keepdim(dim, keepdim, None, None, self.ndim)
        return red.Norm.apply(source, p=float(p), axis=dim, keepdims=keepdim)

    def mm(self, mat2: Tensor) -> Tensor:
        """Matrix product of (n, m) and (m, p) tensors: (n, p)."""
        return _product_of_ranks(self, mat2, "mm", "two 2-D tensors (n, m) and (m, p)", 2, 2)

    def mv(self, vec: Tensor) -> Tensor:
        """Matrix-vector product of an (n, m) and an (m,) tensor: (n,)."""
        return _product_of_ranks(self, vec, "mv", "a 2-D (n, m) and a 1-D (m,) tensor", 2, 1)

    def dot(self, tensor: Tensor) -> Tensor:
        """Inner product of two 1-D tensors of the same length: a 0-d tensor."""
        return _product_of_ranks(self, tensor, "dot", "two 1-D tensors of the same length", 1, 1)

    def bmm(self, mat2: Tensor) -> Tensor:
        """Batched matrix product of (b, n, m) and (b, m, p) tensors: (b, n, p)."""
        return _product_of_ranks(self, mat2, "bmm", "two 3-D tensors (b, n, m) and (b, m, p)",
                                 3, 3)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1
              ) -> Tensor:
        """beta * self + alpha * (mat1 @ mat2), for matrices."""
        return addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    # ----- PyTorch parity: sorting and counting -----------------------------------------------

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        """The indices (int64) that sort the values along ``dim``; equal values keep their
        order."""
        return self.sort(dim, descending).indices

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The median (the lower of the two middle values for an even count); with ``dim``,
        ``(values, indices)`` along it. NaN counts as the median where there is one. The
        gradient goes to the value chosen."""
        return self._median(dim, keepdim, "median")

    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The median of the values that are not NaN (NaN where all are); else as
        :meth:`median`."""
        return self._median(dim, keepdim, "nanmedian")

    def _median(self, dim: int | None, keepdim: bool, name: str) -> Any:
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(f"{name}() of an empty tensor")
            return self.reshape(-1)._median(0, False, name).values
        if self.ndim == 0:
            _dim_index(dim, 0)
            values, indices = self.reshape(1)._median(0, False, name)
            return ValuesIndices(values.reshape(()), indices.reshape(()))
        axis = _dim_index(dim, self.ndim)
        length = self.shape[axis]
        if length == 0:
            raise IndexError(f"{name}(): dimension {axis} has size 0")
        order = _argsort(self._data, axis, False)
        middle = np.full(order.shape[:axis] + (1,) + order.shape[axis + 1:], (length - 1) // 2)
        if self.dtype.kind == "f":  # NaN sorts last
            nans = np.isnan(self._data).sum(axis=axis, keepdims=True)
            if name == "median":  # where there is a NaN, it is the median
                middle = np.where(nans > 0, length - nans, middle)
            else:  # the middle of those before the NaNs; the first NaN where all are
                middle = np.maximum(length - nans - 1, 0) // 2
        indices = np.take_along_axis(order, middle, axis)
        values = sel.TakeAlongDim.apply(self, indices=indices, dim=axis)
        if not keepdim:
            values, indices = values.squeeze(axis), np.squeeze(indices, axis)
        return ValuesIndices(values, Tensor._make(indices, False))

    def unique(self, sorted: bool = True, return_inverse: bool = False,
               return_counts: bool = False, dim: int | None = None) -> Any:
        """The distinct values in increasing order (of the flattened tensor, or the distinct
        slices along ``dim``); with ``return_inverse``, where each value went (int64, in this
        tensor's shape), and with ``return_counts``, how often each occurs."""
        axis = None if dim is None else _dim_index(dim, self.ndim)
        values, inverse, counts = np.unique(self._data, return_inverse=True,
                                            return_counts=True, axis=axis)
        out = [Tensor._make(values, False)]
        if return_inverse:
            inverse = inverse.reshape(self.shape if axis is None else (-1,))
            out.append(Tensor._make(inverse.astype(dtypes.int64), False))
        if return_counts:
            out.append(Tensor._make(counts.astype(dtypes.int64), False))
        return out[0] if len(out) == 1 else tuple(out)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        """How often each value 0, 1, ..., max occurs in this 1-D tensor of non-negative
        integers (at least ``minlength`` counts); with ``weights``, their sums instead."""
        if self.ndim != 1 or self.dtype.kind not in "iu" or (self._data < 0).any():
            raise RuntimeError(
                f"bincount needs a 1-D tensor of non-negative integers, got shape {self.shape} "
                f"and dtype {self.dtype}"
            )
        if weights is None:
            counts = np.bincount(self._data, minlength=minlength)
            return Tensor._make(counts.astype(dtypes.int64), False)
        weights = as_tensor(weights)
        if weights.shape != self.shape:
            raise RuntimeError(
                f"bincount: weights of shape {weights.shape}, expected the input's {self.shape}"
            )
        sums = np.bincount(self._data, weights._data, minlength=minlength)
        return Tensor._make(sums.astype(_floating(weights).dtype), False)

    # ----- PyTorch parity: method forms and tensor creation from a tensor ---------------------

    # The arithmetic methods are the operators (same promotion, same gradients).

    def _scaled(self, other: Any, alpha: Any) -> Any:
        """``alpha * other`` for add and sub (``other`` itself when alpha is 1); as in
        PyTorch, a float alpha is refused when both operands are integers or bools."""
        if alpha == 1:
            return other
        operand = self._operand(other)
        if isinstance(alpha, float) and self.dtype.kind in "biu" and operand.dtype.kind in "biu":
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                               f"point number (got alpha={alpha})")
        return operand * alpha

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self + alpha * other``."""
        return self + self._scaled(other, alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self - alpha * other``."""
        _check_subtraction(self, self._operand(other))
        return self - self._scaled(other, alpha)

    subtract = sub

    def mul(self, other: Any) -> Tensor:
        return self * other

    multiply = mul

    def true_divide(self, other: Any) -> Tensor:
        return self / other

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """``self / other`` (floating even for integers); with ``rounding_mode='trunc'`` the
        quotient rounded toward zero, with ``'floor'`` rounded down (``self // other``), both
        in the operands' dtype."""
        if rounding_mode is None:
            return self / other
        if rounding_mode == "floor":
            return self // other
        if rounding_mode != "trunc":
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or "
                               f"'floor' but found {rounding_mode!r}")
        other = self._operand(other)
        if dtypes.result_type(self._data, other._data).kind in "biu":
            return (self - self.fmod(other)) // other  # exact: the difference divides evenly
        return (self / other).trunc()

    divide = div

    def floor_divide(self, other: Any) -> Tensor:
        """``self // other``: the quotient rounded down, as PyTorch's floor_divide now does."""
        return self // other

    def type_as(self, other: Tensor) -> Tensor:
        return self.astype(other.dtype)

    def _new_like(self, data: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
        """A new tensor of ``data`` in this tensor's dtype (unless ``dtype``) and device."""
        return Tensor(data, requires_grad=requires_grad,
                      dtype=self.dtype if dtype is None else dtype, device=device)

    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        """A copy of ``data`` in this tensor's dtype unless ``dtype`` is given."""
        if isinstance(data, Tensor):
            warnings.warn("To copy construct from a tensor, it is recommended to use "
                          "sourceTensor.detach().clone() rather than tensor.new_tensor("
                          "sourceTensor).", UserWarning, stacklevel=2)
        return self._new_like(data, dtype, device, requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return self._new_like(np.zeros(_shape_argument(size)), dtype, device, requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return self._new_like(np.ones(_shape_argument(size)), dtype, device, requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        """Zeros, as :func:`minitorch.empty` gives."""
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return self._new_like(np.full(_shape_argument((size,)), fill_value), dtype, device,
                              requires_grad)

    # ----- memory layout: minitorch's arrays are NumPy's, so their strides are NumPy's ---------

    def element_size(self) -> int:
        """Bytes per element."""
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def stride(self, dim: int | None = None) -> Any:
        """The steps between neighbouring elements along each dimension, in elements (0 along
        an expanded dimension). A flipped tensor has negative strides, which PyTorch, copying
        instead, never shows."""
        strides = tuple(step // self._data.itemsize for step in self._data.strides)
        return strides if dim is None else strides[_dim_index(dim, self.ndim)]

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Whether the elements lie in memory in row-major order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def storage_offset(self) -> int:
        """Where this tensor's first element lies in the memory it shares with the tensors it
        is a view of, in elements from the start (4 for ``x[1:]`` of a (3, 4) ``x``)."""
        owner, link = self._data, self._data.base
        while link is not None:  # views of views: the memory's owner is the last array
            if isinstance(link, np.ndarray):
                owner = link
            link = getattr(link, "base", None)
        start = self._data.__array_interface__["data"][0]
        return (start - owner.__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self) -> int:
        """The memory address of the first element (tensors that share memory may share it)."""
        if type(self._data) is not np.ndarray:  # a NumPy scalar (from a 0-d op) has no memory
            self._data = np.array(self._data)
        return self._data.__array_interface__["data"][0]

    # ----- in-place forms of out-of-place methods ------------------------------------------

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._apply_(lambda old: old.masked_fill(mask, value), "masked_fill_")

    def index_add(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        """A copy with ``alpha * source`` added at ``index`` along ``dim``: slice i of
        ``source`` is added to slice ``index[i]`` (repeats adding up). Differentiable."""
        axis = _dim_index(dim, self.ndim)
        positions = _integer_array(index, "index_add").reshape(-1)
        source = as_tensor(source)
        expected = self.shape[:axis] + (positions.size,) + self.shape[axis + 1:]
        if self.ndim == 0 or source.shape != expected:
            raise RuntimeError(f"index_add: source of shape {source.shape}, expected {expected} "
                               f"for an index of {positions.size} positions")
        spread = positions.reshape((-1,) + (1,) * (self.ndim - axis - 1))
        return self.scatter_add(axis, np.broadcast_to(spread, expected),
                                self._scaled(source, alpha))

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        return self._apply_(lambda old: old.index_add(dim, index, source, alpha=alpha),
                            "index_add_", as_tensor(source))

    def index_fill(self, dim: int, index: Any, value: Any) -> Tensor:
        """A copy with the slices at ``index`` along ``dim`` set to ``value``."""
        axis = _dim_index(dim, self.ndim)
        length = self.shape[axis] if self.ndim else 1
        positions = _wrapped_positions(_integer_array(index, "index_fill").reshape(-1), length,
                                       axis, "index_fill")
        chosen = np.zeros(length, dtype=bool)
        chosen[positions] = True
        return self.masked_fill(chosen.reshape(self.shape[axis:axis + 1] +
                                               (1,) * (self.ndim - axis - 1)), value)

    def index_fill_(self, dim: int, index: Any, value: Any) -> Tensor:
        return self._apply_(lambda old: old.index_fill(dim, index, value), "index_fill_")

    def scatter_(self, dim: int, index: Any, src: Any = None, value: Any = None, *,
                 reduce: str | None = None) -> Tensor:
        return self._apply_(lambda old: old.scatter(dim, index, src, value, reduce=reduce),
                            "scatter_", src if isinstance(src, Tensor) else None)

    def scatter_reduce_(self, dim: int, index: Any, src: Tensor, reduce: str, *,
                        include_self: bool = True) -> Tensor:
        return self._apply_(lambda old: old.scatter_reduce(dim, index, src, reduce,
                                                           include_self=include_self),
                            "scatter_reduce_", as_tensor(src))

    def index_put_(self, indices: Sequence[Tensor], values: Tensor, accumulate: bool = False
                   ) -> Tensor:
        return self._apply_(lambda old: old.index_put(indices, values, accumulate),
                            "index_put_", values if isinstance(values, Tensor) else None)

    def put_(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        return self._apply_(lambda old: old.put(index, source, accumulate), "put_",
                            source if isinstance(source, Tensor) else None)

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        return self._apply_(lambda old: old.masked_scatter(mask, source), "masked_scatter_",
                            source if isinstance(source, Tensor) else None)

    def bernoulli(self, *, generator: Any = None) -> Tensor:
        """1 with probability given by each value (in [0, 1]), else 0, in this dtype."""
        _require_floating(self, "bernoulli")
        return Tensor._make(_bernoulli(self._data, self.shape, generator, self.dtype), False)

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """Fill with 1 with probability ``p`` (a number, or a tensor broadcast here), else 0."""
        probabilities = p._data if isinstance(p, Tensor) else np.asarray(p)
        sample = _bernoulli(probabilities, self.shape, generator, self.dtype)
        return self._set_(Tensor._make(sample, False), "bernoulli_")

    def apply_(self, callable: Callable[[Any], Any]) -> Tensor:
        """Replace each value ``x`` by ``callable(x)``, called with a Python number, as
        PyTorch does on the CPU (slow: one Python call per element). Not recorded, so a tensor
        that requires grad is refused, as in PyTorch."""
        return self._map_values("apply_", callable, [self._data])

    def map_(self, tensor: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:
        """Replace each value ``x`` by ``callable(x, y)``, ``y`` the value of ``tensor``
        (broadcast to this shape, of this dtype) at the same position. As ``apply_``."""
        if not isinstance(tensor, Tensor):
            raise TypeError(f"map_(): argument 'other' must be Tensor, not "
                            f"{type(tensor).__name__}")
        if tensor.dtype != self.dtype:
            raise TypeError(f"map_: expected {self.type()} for 'other' (got {tensor.type()})")
        if tensor.requires_grad:
            raise RuntimeError("Can't call map_() on Variable that requires grad. Use "
                               "var.detach().map_() instead.")
        try:
            other = np.broadcast_to(tensor._data, self.shape)
        except ValueError:
            raise RuntimeError(f"map_: the tensor of shape {tensor.shape} does not broadcast "
                               f"to this tensor's shape {self.shape}") from None
        return self._map_values("map_", callable, [self._data, other])

    def _map_values(self, name: str, callable: Callable[..., Any],
                    arrays: list[np.ndarray]) -> Tensor:
        """apply_ and map_: ``callable`` of the values at each position of ``arrays``, written
        into this tensor (converted to its dtype: floats are truncated into integers)."""
        if self.requires_grad:
            raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                               f"var.detach().{name}() instead.")
        if not builtins.callable(callable):
            raise TypeError(f"{name}: {type(callable).__name__!r} object is not callable")
        values = [callable(*each) for each in zip(*(a.ravel().tolist() for a in arrays))]
        for value in values:
            if not isinstance(value, _PYTHON_NUMBERS):
                raise TypeError(f"{name}: the callable must return a real number, not "
                                f"{type(value).__name__}")
        try:
            new = np.array(values, dtype=object).astype(self.dtype).reshape(self.shape)
        except OverflowError as error:
            raise RuntimeError(f"{name}: a value cannot be converted to {self.dtype} without "
                               f"overflow ({error})") from None

        def write(out: np.ndarray) -> None:
            out[...] = new

        return self._in_place(None, lambda old: old, write, name)  # (never recorded)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph, in place: it becomes a leaf that needs no grad."""
        self._ctx, self.requires_grad = None, False
        return self

    # ----- shape and selection ------------------------------------------------------------

    swapdims = swapaxes

    def movedim(self, source: int | Sequence[int], destination: int | Sequence[int]
                ) -> Tensor:
        """The dimensions in ``source`` moved to the positions in ``destination``, the others
        keeping their order."""
        sources = [source] if isinstance(source, (int, np.integer)) else list(source)
        targets = [destination] if isinstance(destination, (int, np.integer)) else list(
            destination)
        if len(sources) != len(targets):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source "
                               f"({sources}) and destination ({targets}) differ in length")
        sources = [_dim_index(d, self.ndim) for d in sources]
        targets = [_dim_index(d, self.ndim) for d in targets]
        if len(set(sources)) != len(sources) or len(set(targets)) != len(targets):
            raise RuntimeError(f"movedim: repeated dim in source {sources} or destination "
                               f"{targets}")
        order = [d for d in range(self.ndim) if d not in sources]
        for target, moved in sorted(zip(targets, sources)):
            order.insert(target, moved)
        return self.permute(order)

    moveaxis = movedim

    def ravel(self) -> Tensor:
        return self.reshape(-1)

    def _slices_along(self, axis: int, bounds: Sequence[int]) -> tuple[Tensor, ...]:
        """The pieces between consecutive ``bounds`` along ``axis`` (each differentiable)."""
        before = (slice(None),) * axis
        piece = sh.GetItem.named("SplitBackward0")
        return tuple(piece.apply(self, index=before + (slice(start, stop),))
                     for start, stop in zip(bounds[:-1], bounds[1:]))

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """``n`` pieces along ``dim`` as equal as can be (the first ones one longer), or the
        pieces between the given indices."""
        axis = _dim_index(dim, self.ndim)
        length = self.shape[axis]
        if isinstance(indices_or_sections, Tensor):
            indices_or_sections = indices_or_sections.tolist()
        if isinstance(indices_or_sections, (int, np.integer)):
            sections = int(indices_or_sections)
            if sections <= 0:
                raise RuntimeError(
                    f"tensor_split: number of sections must be greater than 0, got {sections}")
            size, longer = divmod(length, sections)
            bounds = [i * size + min(i, longer) for i in range(sections + 1)]
        else:
            bounds = [0, *(int(i) for i in indices_or_sections), length]
        return self._slices_along(axis, bounds)

    def _split_at_least(self, name: str, ndim: int, axis: int, indices_or_sections: Any
                        ) -> tuple[Tensor, ...]:
        """hsplit, vsplit and dsplit: ``tensor_split`` along ``axis`` of a tensor of at least
        ``ndim`` dimensions, a number of sections having to divide the length evenly."""
        if self.ndim < ndim:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {ndim} dimension, "
                               f"but got a tensor with {self.ndim} dimensions!")
        if isinstance(indices_or_sections, (int, np.integer)):
            length = self.shape[axis]
            if indices_or_sections == 0 or length % indices_or_sections:
                raise RuntimeError(
                    f"torch.{name} attempted to split along dimension {axis}, but the size of "
                    f"the dimension {length} is not divisible by the split_size "
                    f"{indices_or_sections}!")
        return self.tensor_split(indices_or_sections, axis)

    def hsplit(self, indices_or_sections: int | Sequence[int]) -> tuple[Tensor, ...]:
        """Split into equal pieces (or at the given indices) along the columns: dimension 1,
        or 0 for a vector. Each piece is differentiable."""
        axis = 0 if self.ndim == 1 else 1
        return self._split_at_least("hsplit", 1, axis, indices_or_sections)

    def vsplit(self, indices_or_sections: int | Sequence[int]) -> tuple[Tensor, ...]:
        """Split along the rows (dimension 0) of a tensor of at least 2 dimensions."""
        return self._split_at_least("vsplit", 2, 0, indices_or_sections)

    def dsplit(self, indices_or_sections: int | Sequence[int]) -> tuple[Tensor, ...]:
        """Split along dimension 2 (depth) of a tensor of at least 3 dimensions."""
        return self._split_at_least("dsplit", 3, 2, indices_or_sections)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        """Dimension ``dim`` split into dimensions of ``sizes`` (one of them may be -1), the
        inverse of ``flatten``: (N, 784) becomes (N, 1, 28, 28) with ``unflatten(1, (1, 28,
        28))``."""
        if self.ndim == 0:
            raise RuntimeError("unflatten: a 0-d tensor has no dimension to unflatten")
        axis = _dim_index(dim, self.ndim)
        sizes = tuple(sizes)
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        if not all(isinstance(n, (int, np.integer)) and n >= -1 for n in sizes) or \
                sizes.count(-1) > 1:
            raise RuntimeError(f"unflatten: sizes must be ints >= 0, at most one of them -1 "
                               f"(inferred), got {list(sizes)}")
        length, known = self.shape[axis], math.prod(n for n in sizes if n != -1)
        if (known != length) if -1 not in sizes else (known == 0 or length % known):
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                               f"the size of dim {axis} ({length}) in the input tensor")
        return self.reshape(self.shape[:axis] + sizes + self.shape[axis + 1:])

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        """The windows of ``size`` values, ``step`` apart, along ``dimension``: that dimension
        becomes the number of windows, (length - size) // step + 1, and a new last dimension
        holds each window (``x.unfold(1, 3, 1)`` of a (2, 5) x is (2, 3, 3)). Differentiable:
        where windows overlap, their gradients add up."""
        for name, value in (("size", size), ("step", step)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"unfold(): argument '{name}' must be int, not "
                                f"{type(value).__name__}")
        axis = _dim_index(dimension, self.ndim)
        length = self.shape[axis] if self.ndim else 1
        if size < 0:
            raise RuntimeError(f"size is {size} but must be >= 0")
        if size > length:
            raise RuntimeError(f"maximum size for tensor at dimension {axis} is {length} but "
                               f"size is {size}")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        if self.ndim == 0:  # a 0-d tensor unfolds as one value, into its single window
            return self.reshape(1).unfold(0, size, step).reshape(size)
        return sh.Unfold.apply(self, axis=axis, size=int(size), step=int(step))

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
        """The tensor turned by 90 degrees ``k`` times in the plane of ``dims``, from the
        first dimension towards the second (``k < 0`` turns the other way), as ``np.rot90``.
        Differentiable."""
        dims = list(dims)
        if len(dims) != 2:
            raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
        if self.ndim < 2:
            raise RuntimeError(f"expected total dims >= 2, but got total dims = {self.ndim}")
        first, second = (_dim_index(d, self.ndim) for d in dims)
        if first == second:
            raise RuntimeError(f"expected rotation dims to be different, but got dim0 = "
                               f"{dims[0]} and dim1 = {dims[1]}")
        turns = k % 4
        if turns == 1:
            return self.flip(second).transpose(first, second)
        if turns == 2:
            return self.flip(first, second)
        if turns == 3:
            return self.flip(first).transpose(first, second)
        return self.clone()

    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,
                           dim: int | None = None) -> Any:
        """The values with each run of equal neighbours kept once (of the flattened tensor, or
        the slices along ``dim``); with ``return_inverse``, the run each value (slice) belongs
        to, in this tensor's shape (one per slice), and with ``return_counts``, the length of
        each run (both int64)."""
        if dim is None:
            lines = self._data.reshape(-1, 1)
        else:
            if self.ndim == 0:
                raise IndexError("unique_consecutive: a 0-d tensor has no dimension "
                                 f"{dim}; pass dim=None")
            axis = _dim_index(dim, self.ndim)
            lines = np.moveaxis(self._data, axis, 0)
            lines = lines.reshape(len(lines), math.prod(lines.shape[1:]))
        starts = np.ones(len(lines), dtype=bool)  # where a new run begins
        starts[1:] = (lines[1:] != lines[:-1]).any(axis=1)
        if dim is None:
            values = self._data.reshape(-1)[starts]
        else:
            values = np.compress(starts, self._data, axis=axis)
        out = [Tensor._make(values, False)]
        if return_inverse:
            runs = np.cumsum(starts) - 1
            out.append(Tensor._make(runs.reshape(self.shape if dim is None else -1), False))
        if return_counts:
            counts = np.diff(np.append(np.flatnonzero(starts), len(lines)))
            out.append(Tensor._make(counts.astype(dtypes.int64), False))
        return out[0] if len(out) == 1 else tuple(out)

    def take(self, index: Any) -> Tensor:
        """The values at ``index`` (an integer tensor; negative counts from the end) of the
        flattened tensor, in the index's shape."""
        positions = _wrapped_positions(_integer_array(index, "take"), self._data.size, 0, "take")
        return self.reshape(-1)[positions]

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None
             ) -> Tensor:
        """The ``n``-th difference along ``dim`` (``x[i + 1] - x[i]``; for bools, whether
        neighbours differ), after joining ``prepend`` and ``append`` to either end."""
        if self.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        axis = _dim_index(dim, self.ndim)
        parts = [as_tensor(p) for p in (prepend, self, append) if p is not None]
        out = cat(parts, axis) if len(parts) > 1 else self
        before = (slice(None),) * axis
        for _ in range(n):
            later, earlier = out[before + (slice(1, None),)], out[before + (slice(None, -1),)]
            out = later ^ earlier if out.dtype == dtypes.bool else later - earlier
        return out

    def count_nonzero(self, dim: Axis = None) -> Tensor:
        """How many values over ``dim`` (all of them by default) are not zero (int64)."""
        dim, _ = _dim_keepdim(dim, False, None, None, self.ndim)
        counts = np.count_nonzero(self._data, axis=dim)
        return Tensor._make(np.asarray(counts, dtype=dtypes.int64), False)

    def _nan_as_zero(self) -> Tensor:
        return self.where(self == self, 0) if self.dtype.kind == "f" else self

    def nansum(self, dim: Axis = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """The sum with NaN counted as zero (NaN positions get no gradient)."""
        return self._nan_as_zero().sum(dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Axis = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """The mean of the values that are not NaN."""
        source = self if dtype is None else self.astype(dtype)
        _require_floating(source, "nanmean")
        counted = (source == source).sum(dim, keepdim)
        return source.nansum(dim, keepdim) / counted

    def _running_extreme(self, dim: int, accumulate: np.ufunc) -> ValuesIndices:
        """cummax and cummin: the running extreme along ``dim`` and the latest position that
        holds it (NaN, once met, is the extreme from there on, as in PyTorch)."""
        if self.ndim == 0:
            _dim_index(dim, 0)
            values, indices = self.reshape(1)._running_extreme(0, accumulate)
            return ValuesIndices(values.reshape(()), indices.reshape(()))
        axis = _dim_index(dim, self.ndim)
        running = accumulate.accumulate(self._data, axis=axis)
        holds = self._data == running
        if self.dtype.kind == "f":
            holds |= np.isnan(self._data)
        shape = [1] * self.ndim
        shape[axis] = -1
        positions = np.where(holds, np.arange(self.shape[axis]).reshape(shape), 0)
        indices = np.maximum.accumulate(positions, axis=axis).astype(dtypes.int64)
        values = sel.TakeAlongDim.apply(self, indices=indices, dim=axis)
        return ValuesIndices(values, Tensor._make(indices, False))

    def cummax(self, dim: int) -> ValuesIndices:
        return self._running_extreme(dim, np.maximum)

    def cummin(self, dim: int) -> ValuesIndices:
        return self._running_extreme(dim, np.minimum)

    def _picked_along(self, dim: int, keepdim: bool, pick: Callable[[np.ndarray], np.ndarray]
                      ) -> ValuesIndices:
        """(values, indices) of one position per line along ``dim``: ``pick`` maps the lines
        (the last axis of its argument) to the chosen positions. The values are
        differentiable."""
        if self.ndim == 0:
            _dim_index(dim, 0)
            values, indices = self.reshape(1)._picked_along(0, keepdim, pick)
            return ValuesIndices(values.reshape(()), indices.reshape(()))
        axis = _dim_index(dim, self.ndim)
        chosen = np.expand_dims(pick(np.moveaxis(self._data, axis, -1)), -1)
        indices = np.moveaxis(chosen, -1, axis).astype(dtypes.int64)
        values = sel.TakeAlongDim.apply(self, indices=indices, dim=axis)
        if not keepdim:
            values, indices = values.squeeze(axis), np.squeeze(indices, axis)
        return ValuesIndices(values, Tensor._make(indices, False))

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
        """The ``k``-th smallest value along ``dim`` (k counts from 1) and its position."""
        length = self.shape[_dim_index(dim, self.ndim)] if self.ndim else 1
        if not 1 <= k <= length:
            raise RuntimeError(f"kthvalue(): selected number k={k} out of range for dimension "
                               f"{dim} of size {length}")
        return self._picked_along(
            dim, keepdim, lambda lines: _argsort(lines, -1, False)[..., k - 1])

    def mode(self, dim: int = -1, keepdim: bool = False) -> ValuesIndices:
        """The most frequent value along ``dim`` (the smallest of equally frequent ones) and
        the last position holding it."""
        if self.ndim and self.shape[_dim_index(dim, self.ndim)] == 0:
            raise IndexError(f"mode(): dimension {dim} has size 0")
        return self._picked_along(dim, keepdim, _last_of_modes)

    # ----- PyTorch parity: products with an added term (beta * self + alpha * product) ------

    def _plus_product(self, product: Tensor, beta: Any, alpha: Any, name: str) -> Tensor:
        """``beta * self + alpha * product``, as PyTorch's addmm family computes it: this
        tensor must broadcast to the product's shape; beta = 0 ignores its values (NaN and inf
        too) but keeps it in the graph (with a zero gradient); integer tensors take integer
        beta and alpha only, and bool tensors read them as bools."""
        shape = product.shape
        try:
            fits = np.broadcast_shapes(self.shape, shape) == shape
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(f"{name}: the input of shape {self.shape} does not broadcast to "
                               f"the shape of the product, {shape}")
        kind = dtypes.result_type(self._data, product._data).kind
        for label, number in (("beta", beta), ("alpha", alpha)):
            if kind in "biu" and isinstance(number, float):
                raise RuntimeError(f"For integral input tensors, argument {label} must not be "
                                   f"a floating point number (got {label}={number}).")
        if kind == "b":
            beta, alpha = bool(beta), bool(alpha)
        term = product if alpha == 1 else product * alpha
        if beta == 0:
            return self.masked_fill(np.ones(self.shape, dtype=bool), 0) + term
        return (self if beta == 1 else self * beta) + term

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
                ) -> Tensor:
        """beta * self + alpha * (batch1 @ batch2), for batches of matrices (b, n, m) and
        (b, m, p) of this tensor's dtype; this tensor broadcasts to (b, n, p)."""
        batch1, batch2 = as_tensor(batch1), as_tensor(batch2)
        _one_dtype("baddbmm", self, batch1, batch2)
        return self._plus_product(batch1.bmm(batch2), beta, alpha, "baddbmm")

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
               ) -> Tensor:
        """beta * self + alpha * (the sum over the batch of batch1[i] @ batch2[i]), for
        batches (b, n, m) and (b, m, p); this tensor broadcasts to (n, p)."""
        batch1, batch2 = as_tensor(batch1), as_tensor(batch2)
        _one_dtype("addbmm", self, batch1, batch2)
        return self._plus_product(batch1.bmm(batch2).sum(0), beta, alpha, "addbmm")

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * (mat @ vec), for an (n, m) matrix and an (m,) vector of this
        tensor's dtype; this tensor broadcasts to (n,)."""
        mat, vec = as_tensor(mat), as_tensor(vec)
        _one_dtype("addmv", self, mat, vec)
        return self._plus_product(mat.mv(vec), beta, alpha, "addmv")

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """beta * self + alpha * (the outer product of vec1 and vec2); the three promote to
        a common dtype, and this tensor broadcasts to (len(vec1), len(vec2))."""
        vec1, vec2 = as_tensor(vec1), as_tensor(vec2)
        if vec1.ndim != 1 or vec2.ndim != 1:
            raise RuntimeError(f"addr: expected 1-D vec1 and vec2, got shapes {vec1.shape} and "
                               f"{vec2.shape}")
        return self._plus_product(vec1.outer(vec2), beta, alpha, "addr")

    def _add_product(self, tensor1: Any, tensor2: Any, value: Any, divide: bool) -> Tensor:
        """``self + value * tensor1 * tensor2`` (or ``/ tensor2``), broadcast, in the three
        tensors' common dtype; ``value`` is converted to it, as PyTorch converts it."""
        t1, t2 = as_tensor(tensor1), as_tensor(tensor2)
        if divide and t1.dtype.kind in "biu" and t2.dtype.kind in "biu":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported; convert tensor1 or "
                f"tensor2 (of dtypes {t1.dtype} and {t2.dtype}) to a floating point dtype")
        target = dtypes.common_type(self._data, t1._data, t2._data)
        base, t1, t2 = self.astype(target), t1.astype(target), t2.astype(target)
        if value != 1:
            t1 = Tensor._make(np.asarray(value, dtype=target), False) * t1
        return base + (t1 / t2 if divide else t1 * t2)

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        """self + value * tensor1 * tensor2 (element-wise, broadcast)."""
        return self._add_product(tensor1, tensor2, value, divide=False)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        """self + value * tensor1 / tensor2 (element-wise, broadcast); tensor1 and tensor2
        may not both be integers."""
        return self._add_product(tensor1, tensor2, value, divide=True)

    # ----- PyTorch parity: other products -------------------------------------------------

    def kron(self, other: Tensor) -> Tensor:
        """The Kronecker product: a grid of the shape of this tensor, of blocks
        ``self[i, j, ...] * other`` (the shape with fewer dimensions gets leading 1s)."""
        other = as_tensor(other)
        ndim = max(self.ndim, other.ndim)
        shape_a = (1,) * (ndim - self.ndim) + self.shape
        shape_b = (1,) * (ndim - other.ndim) + other.shape
        # Interleave the dimensions, (a0, 1, a1, 1, ...) times (1, b0, 1, b1, ...), then merge
        # each pair: position (i, k) of the pair a_j, b_j is row i * b_j + k of the result.
        a = self.reshape([n for d in shape_a for n in (d, 1)])
        b = other.reshape([n for d in shape_b for n in (1, d)])
        return (a * b).reshape([m * n for m, n in zip(shape_a, shape_b)])

    def inner(self, other: Tensor) -> Tensor:
        """The sums of products over the last dimension of both tensors (of shape
        ``self.shape[:-1] + other.shape[:-1]``); a product when either is 0-d."""
        other = as_tensor(other)
        if self.dtype != other.dtype:
            raise RuntimeError(f"inner: both inputs should have one dtype, got {self.dtype} "
                               f"and {other.dtype}")
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        if self.shape[-1] != other.shape[-1]:
            raise RuntimeError(f"inner: the last dimension must match on both input tensors, "
                               f"got shapes {self.shape} and {other.shape}")
        return tensordot(self, other, ([-1], [-1]))

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        """The cross product of the 3-vectors along ``dim`` (the tensors broadcast); without
        ``dim``, along the first dimension of length 3 (deprecated in PyTorch: it warns)."""
        return cross_product(self, other, dim, "cross")

    # ----- PyTorch parity: statistics -----------------------------------------------------

    def logcumsumexp(self, dim: int) -> Tensor:
        """log(e**x_0 + ... + e**x_i) at each position i along ``dim``: a running
        logsumexp, which never overflows."""
        _require_floating(self, "logcumsumexp")
        return self._cumulative(red.LogCumsumExp, dim, None)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> MinMax:
        """(min, max): the smallest and largest values over ``dim`` (all of them by
        default), as amin and amax give them."""
        axis, _ = _dim_keepdim(dim, keepdim, None, None, self.ndim)
        if red.reduced_size(self.shape, axis) == 0:
            raise IndexError(f"aminmax(): the reduced dimension (dim={dim} of shape "
                             f"{self.shape}) has size 0, and min and max have no identity")
        return MinMax(self.amin(dim, keepdim), self.amax(dim, keepdim))

    def cov(self, *, correction: int = 1, fweights: Tensor | None = None,
            aweights: Tensor | None = None) -> Tensor:
        """The covariance matrix of the variables in the rows (a 1-D tensor is one variable)
        over the observations in the columns, as ``numpy.cov``: the sum of the products of
        deviations from the mean, divided by the number of observations minus
        ``correction``. ``fweights`` (integer counts) and ``aweights`` (float weights)
        weigh each observation. Where that divisor is not positive it is 0, with a warning,
        as in PyTorch (inf or NaN results)."""
        if self.ndim > 2:
            raise RuntimeError(f"cov(): expected input to have two or fewer dimensions, got "
                               f"shape {self.shape}")
        rows = _floating(self).reshape(1, -1) if self.ndim < 2 else _floating(self)
        count = rows.shape[1]
        weights = None
        if fweights is not None:
            weights = _observation_weights(fweights, count, "fweights", "iu", "integral")
        if aweights is not None:
            aweights = _observation_weights(aweights, count, "aweights", "f", "floating point")
            weights = aweights if weights is None else weights * aweights
        if weights is None:
            total, mean = count, rows.mean(1, keepdim=True)
        else:
            total = weights.sum()
            mean = (rows * weights).sum(1, keepdim=True) / total
        if aweights is not None and correction != 0:
            divisor = total - correction * (weights * aweights).sum() / total
        else:
            divisor = total - correction
        if divisor <= 0:
            warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly "
                          "less than the number of observations.", UserWarning, stacklevel=2)
            divisor = divisor * 0
        deviations = rows - mean
        weighted = deviations if weights is None else deviations * weights
        with np.errstate(divide="ignore", invalid="ignore"):
            return (weighted @ deviations.T / divisor).squeeze()

    def corrcoef(self) -> Tensor:
        """Pearson's correlation coefficients of the variables in the rows: their covariance
        over the product of their standard deviations, clipped to [-1, 1]."""
        covariance = self.cov()
        with np.errstate(divide="ignore", invalid="ignore"):  # a constant row gives NaN
            if covariance.ndim == 0:
                return covariance / covariance
            spread = covariance.diagonal().sqrt()
            return (covariance / spread.reshape(-1, 1) / spread.reshape(1, -1)).clamp(-1, 1)

    def quantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                 interpolation: str = "linear") -> Tensor:
        """The ``q``-quantiles (q a number or a 1-D tensor in [0, 1]) of the values along
        ``dim`` (of all of them by default); with a 1-D q the first dimension of the result
        runs over q. A quantile falling between two sorted values x_i and x_(i+1) is
        ``interpolation``: 'linear' (between them), 'lower', 'higher', 'midpoint' or
        'nearest' (half to even). NaN in a line makes its quantiles NaN. The gradient goes
        to the values chosen."""
        return self._quantile(q, dim, keepdim, interpolation, "quantile", skip_nan=False)

    def nanquantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                    interpolation: str = "linear") -> Tensor:
        """:meth:`quantile` of the values that are not NaN (NaN for a line of NaN only)."""
        return self._quantile(q, dim, keepdim, interpolation, "nanquantile", skip_nan=True)

    def _quantile(self, q: Any, dim: int | None, keepdim: bool, interpolation: str, name: str,
                  skip_nan: bool) -> Tensor:
        qs = _quantile_levels(self, q, interpolation, name)
        if dim is None:
            lines, axis = self.reshape(-1), None
        else:
            axis = _dim_index(dim, self.ndim)
            lines = self.reshape(1) if self.ndim == 0 else self.movedim(axis, -1)
        ordered = lines.sort(-1).values  # NaN sorts last
        length = lines.shape[-1]
        nans = np.isnan(lines._data).sum(-1, keepdims=True)
        counted = (length - nans) if skip_nan else np.full_like(nans, length)
        # The rank of each quantile among the sorted values, in the tensor's dtype, as in
        # PyTorch (float32 ranks can round differently): one line per q in front.
        ranks = qs.reshape((-1,) + (1,) * lines.ndim) * (counted - 1).astype(self.dtype)
        undefined = (nans == length) if skip_nan else (nans > 0)
        ranks = np.where(undefined, length - 1, ranks)  # the last value: NaN
        below, above = np.floor(ranks), np.ceil(ranks)

        def values_at(positions: np.ndarray) -> Tensor:
            return ordered.unsqueeze(0).take_along_dim(
                Tensor._make(positions.astype(dtypes.int64), False), -1)

        if interpolation in ("lower", "higher", "nearest"):
            chosen = {"lower": below, "higher": above, "nearest": np.round(ranks)}
            out = values_at(chosen[interpolation])
        else:
            weight = np.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below
            out = values_at(below).lerp(values_at(above), Tensor._make(weight, False))
        out = out.squeeze(-1)
        if keepdim:
            out = out.reshape(out.shape[:1] + (1,) * self.ndim) if axis is None else \
                out.unsqueeze(axis + 1)
        return out[0] if qs.ndim == 0 else out

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
        """Counts of the values in ``bins`` equal bins from ``min`` to ``max`` (the smallest
        and largest value when the two are equal; values outside are left out), in this
        tensor's dtype. Not differentiable."""
        if self.dtype.kind != "f":
            raise NotImplementedError(f"histc needs a floating point tensor, got {self.dtype}")
        if bins <= 0:
            raise RuntimeError(f"histc: bins must be > 0, got {bins}")
        low, high = float(min), float(max)
        if low > high:
            raise RuntimeError(f"histc: max must be larger than min, got min={min}, max={max}")
        if low == high and self.numel():
            low, high = float(self._data.min()), float(self._data.max())
        if not (math.isfinite(low) and math.isfinite(high)):
            raise RuntimeError(f"histc: range of [{low}, {high}] is not finite")
        if low == high:
            low, high = low - 1, high + 1
        counts, _ = np.histogram(self._data, bins=bins, range=(low, high))
        return Tensor._make(counts.astype(self.dtype), False)

    # ----- PyTorch parity: element-wise functions of integers and floats ---------------------

    def _integer_function(self, other: Any, function: Callable, name: str,
                          kinds: str = "biu") -> Tensor:
        """``function`` of the values of this tensor and ``other`` in their common dtype,
        which must be of ``kinds`` (integers, and bools unless left out); no gradient."""
        other = self._operand(other)
        target = dtypes.result_type(self._data, other._data)
        if target.kind not in kinds:
            allowed = "integer or bool" if "b" in kinds else "integer"
            raise NotImplementedError(f"{name} is defined for {allowed} tensors, got "
                                      f"{self.dtype} and {other.dtype}")
        return Tensor._make(np.asarray(function(self._data.astype(target, copy=False),
                                                other._data.astype(target, copy=False))), False)

    def bitwise_and(self, other: Any) -> Tensor:
        return self._integer_function(other, np.bitwise_and, "bitwise_and")

    def bitwise_or(self, other: Any) -> Tensor:
        return self._integer_function(other, np.bitwise_or, "bitwise_or")

    def bitwise_xor(self, other: Any) -> Tensor:
        return self._integer_function(other, np.bitwise_xor, "bitwise_xor")

    def bitwise_not(self) -> Tensor:
        if self._data.dtype.kind == "f":
            raise NotImplementedError(f"bitwise_not is defined for integer or bool tensors, "
                                      f"got {self.dtype}")
        return Tensor._make(np.invert(self._data), False)

    def bitwise_left_shift(self, other: Any) -> Tensor:
        """The values times 2**other, wrapping around as the integers of the dtype do; a
        shift by a negative amount or by the width of the dtype or more gives 0."""
        return self._integer_function(other, functools.partial(_shift, left=True),
                                      "bitwise_left_shift", "iu")

    def bitwise_right_shift(self, other: Any) -> Tensor:
        """The values divided by 2**other, rounded down; a shift by a negative amount or by
        the width of the dtype or more gives 0 (-1 for negative values)."""
        return self._integer_function(other, functools.partial(_shift, left=False),
                                      "bitwise_right_shift", "iu")

    def gcd(self, other: Any) -> Tensor:
        """The greatest common divisor (non-negative; gcd(0, 0) = 0), of integers."""
        return self._integer_function(other, np.gcd, "gcd", "iu")

    def lcm(self, other: Any) -> Tensor:
        """The least common multiple (non-negative; 0 when either is 0), of integers."""
        return self._integer_function(other, np.lcm, "lcm", "iu")

    def heaviside(self, values: Tensor) -> Tensor:
        """The step function: 1 where this tensor is positive, ``values`` (of the same dtype,
        broadcast) where it is 0, and 0 elsewhere (NaN too, as in PyTorch). Not
        differentiable."""
        values = self._operand(values)
        if values.dtype != self.dtype:
            raise RuntimeError(f"heaviside: input and values must have one dtype, got "
                               f"{self.dtype} and {values.dtype}")
        if autograd.is_grad_enabled() and (self.requires_grad or values.requires_grad):
            raise RuntimeError("heaviside is not differentiable; use it on tensors without grad")
        steps = np.where(self._data == 0, values._data, self._data > 0)  # NaN > 0 is False
        return Tensor._make(steps.astype(self.dtype), False)

    def sinc(self) -> Tensor:
        """sin(pi x) / (pi x), and 1 at x = 0."""
        u = _floating(self) * math.pi
        # Near 0, where sin(u) / u and its derivatives lose their digits (0 / 0 at 0), the
        # series 1 - u**2 / 6 + u**4 / 120, exact there to float64 precision.
        small = np.abs(u._data) < 1e-2
        safe = where(small, 1, u)
        return where(small, 1 - u * u / 6 * (1 - u * u / 20), safe.sin() / safe)

    def frexp(self) -> MantissaExponent:
        """(mantissa, exponent) with self = mantissa * 2**exponent and 0.5 <= |mantissa| < 1
        (the mantissa is self for 0, inf and NaN, their exponent 0); the exponent is int32.
        The mantissa is differentiable."""
        if self.dtype.kind != "f":
            raise RuntimeError(f"frexp() only supports floating-point dtypes, got {self.dtype}")
        exponent = np.frexp(self._data)[1].astype(dtypes.int32)
        return MantissaExponent(ew.Frexp.apply(self), Tensor._make(exponent, False))

    def ldexp(self, other: Any) -> Tensor:
        """self * 2**other, in the floating dtype of the two (the default one for integers)."""
        other = self._operand(other)
        target = dtypes.result_type(self._data, other._data)
        if target.kind != "f":
            target = dtypes.get_default_dtype()
        return self.astype(target) * 2.0 ** other.astype(target)

    def lgamma(self) -> Tensor:
        """ln |Gamma(x)| (inf at 0 and the negative integers); its gradient is digamma."""
        return ew.Special.apply(_floating(self), function="lgamma")

    def digamma(self) -> Tensor:
        """d/dx ln Gamma(x) (-inf at 0, NaN at the negative integers)."""
        return self.polygamma(0)

    def polygamma(self, n: int) -> Tensor:
        """The n-th derivative of digamma (n = 0: digamma itself)."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise RuntimeError(f"polygamma(n, x) needs an integer n >= 0, got n={n!r}")
        return ew.Polygamma.apply(_floating(self), n=int(n))

    def erfinv(self) -> Tensor:
        """The inverse of erf: y with erf(y) = x, for x in [-1, 1] (+-inf at +-1, NaN
        outside)."""
        return ew.Special.apply(_floating(self), function="erfinv")

    # The in-place forms: the function's result written into this tensor, which must hold it
    # (shape and dtype) as PyTorch requires.
    addcmul_, addcdiv_ = _in_place_form("addcmul"), _in_place_form("addcdiv")
    addmm_, baddbmm_ = _in_place_form("addmm"), _in_place_form("baddbmm")
    addbmm_, addmv_, addr_ = (_in_place_form("addbmm"), _in_place_form("addmv"),
                              _in_place_form("addr"))
    bitwise_and_, bitwise_or_ = _in_place_form("bitwise_and"), _in_place_form("bitwise_or")
    bitwise_xor_, bitwise_not_ = _in_place_form("bitwise_xor"), _in_place_form("bitwise_not")
    bitwise_left_shift_ = _in_place_form("bitwise_left_shift")
    bitwise_right_shift_ = _in_place_form("bitwise_right_shift")
    __iand__, __ior__, __ixor__ = bitwise_and_, bitwise_or_, bitwise_xor_
    __ilshift__, __irshift__ = bitwise_left_shift_, bitwise_right_shift_
    gcd_, lcm_, heaviside_ = _in_place_form("gcd"), _in_place_form("lcm"), \
        _in_place_form("heaviside")
    sinc_, ldexp_, lgamma_ = _in_place_form("sinc"), _in_place_form("ldexp"), \
        _in_place_form("lgamma")
    digamma_, polygamma_ = _in_place_form("digamma"), _in_place_form("polygamma")
    erfinv_ = _in_place_form("erfinv")

    # ----- PyTorch parity: aliases, in-place forms, conversions and small ops ---------------

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
    multiply_, subtract_, divide_, true_divide_ = mul_, sub_, div_, div_
    floor_divide_, remainder_ = _in_place_form("floor_divide"), _in_place_form("remainder")
    fmod_, lerp_ = _in_place_form("fmod"), _in_place_form("lerp")
    clamp_min_, clamp_max_ = _in_place_form("clamp_min"), _in_place_form("clamp_max")
    cumsum_, cumprod_ = _in_place_form("cumsum"), _in_place_form("cumprod")
    tril_, triu_ = _in_place_form("tril"), _in_place_form("triu")
    scatter_add_ = _in_place_form("scatter_add")
    eq_, ne_, lt_ = _compared_("eq"), _compared_("ne"), _compared_("lt")
    le_, gt_, ge_ = _compared_("le"), _compared_("gt"), _compared_("ge")
    greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_
    logical_and_, logical_or_ = _in_place_form("logical_and"), _in_place_form("logical_or")
    logical_xor_, logical_not_ = _in_place_form("logical_xor"), _in_place_form("logical_not")

    def float_power_(self, exponent: Any) -> Tensor:
        # the result is float64, which only a float64 tensor can hold
        if self.dtype != dtypes.float64:
            raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype} but the "
                               "operation's result requires dtype float64")
        return self._update_("float_power", exponent)

    def byte(self) -> Tensor:
        return self.astype(dtypes.uint8)

    def char(self) -> Tensor:
        return self.astype(dtypes.int8)

    def short(self) -> Tensor:
        return self.astype(dtypes.int16)

    is_cpu = True

    def get_device(self) -> int:
        """-1: the index PyTorch gives for a tensor on the CPU."""
        return -1

    def is_signed(self) -> bool:
        return self.dtype.kind in "if"

    def is_same_size(self, other: Tensor) -> bool:
        return self.shape == other.shape

    def is_nonzero(self) -> bool:
        """Whether the single value is non-zero."""
        if self._data.size != 1:
            amount = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return bool(self._data.item())

    def isposinf(self) -> Tensor:
        return Tensor._make(np.asarray(np.isposinf(self._data)), False)

    def isneginf(self) -> Tensor:
        return Tensor._make(np.asarray(np.isneginf(self._data)), False)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def tile(self, *dims: Any) -> Tensor:
        """``repeat`` with ``dims`` padded with leading 1s to this tensor's dimensions."""
        if not dims:
            raise TypeError('tile() missing 1 required positional argument: "dims"')
        dims = _shape_argument(dims)
        return self.repeat(*(1,) * (self.ndim - len(dims)), *dims)

    def fliplr(self) -> Tensor:
        """The columns (dimension 1) in reverse order."""
        if self.ndim < 2:
            raise RuntimeError(f"fliplr: input must be >= 2-d, got shape {self.shape}")
        return self.flip(1)

    def flipud(self) -> Tensor:
        """The rows (dimension 0) in reverse order."""
        if self.ndim < 1:
            raise RuntimeError(f"flipud: input must be >= 1-d, got shape {self.shape}")
        return self.flip(0)

    def select(self, dim: int, index: int) -> Tensor:
        """The slice at ``index`` along ``dim``, which is removed (``x[:, index]`` for dim 1)."""
        axis = _dim_index(dim, self.ndim)
        length = self.shape[axis] if self.ndim else 1
        if not -length <= index < length:
            raise IndexError(f"select(): index {index} out of range for tensor of size "
                             f"{list(self.shape)} at dimension {dim}")
        return self[(slice(None),) * axis + (index,)]

    def msort(self) -> Tensor:
        """The values sorted along dimension 0."""
        return self.sort(0).values

    def dist(self, other: Any, p: float = 2) -> Tensor:
        """The p-norm of ``self - other`` (broadcast), over all values."""
        return (self - self._operand(other)).norm(p)

    def vdot(self, other: Tensor) -> Tensor:
        """The dot product of two 1-D tensors (for real numbers the same as ``dot``)."""
        if self.ndim != 1 or other.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D "
                               "tensors")
        if self.dtype != other.dtype:
            raise RuntimeError(f"vdot: expected both vectors to have the same dtype, but found "
                               f"{self.dtype} and {other.dtype}")
        return self.dot(other)

    def logaddexp2(self, other: Any) -> Tensor:
        """log2(2**self + 2**other), through logaddexp in natural units."""
        _require_floating(self, "logaddexp2")
        ln2 = math.log(2)
        return (self * ln2).logaddexp(self._operand(other) * ln2) / ln2

    def split_with_sizes(self, split_sizes: Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces along ``dim`` of the given sizes, which must add up to its length."""
        length = self.shape[_dim_index(dim, self.ndim)]
        if sum(split_sizes) != length:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {length} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={list(split_sizes)}")
        return self.split(list(split_sizes), dim)

    def sum_to_size(self, *size: Any) -> Tensor:
        """Summed down to ``size``, a shape this tensor's shape broadcasts from (the reverse
        of ``expand``): the leading dimensions and those of size 1 in ``size`` are summed."""
        size = _shape_argument(size)
        extra = self.ndim - len(size)
        if extra < 0 or any(n not in (1, m) for n, m in zip(size, self.shape[extra:])):
            raise RuntimeError(f"size {list(size)} is not expandable to size {list(self.shape)}")
        summed = self.sum(tuple(range(extra))) if extra else self
        ones = tuple(d for d, n in enumerate(size) if n == 1 and summed.shape[d] != 1)
        return summed.sum(ones, keepdim=True) if ones else summed

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        """The last dimension put on the diagonal ``offset`` of new matrices in dimensions
        ``dim1`` and ``dim2`` of the result (zeros elsewhere): the inverse of ``diagonal``."""
        ndim = self.ndim + 1
        first, second = _dim_index(dim1, ndim), _dim_index(dim2, ndim)
        if first == second:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        length = self.shape[-1] if self.ndim else 1
        size = length + abs(offset)
        steps = np.arange(length)
        rows, cols = steps + max(-offset, 0), steps + max(offset, 0)
        source = self if self.ndim else self.reshape(1)
        embedded = sh.IndexAdd.apply(source, shape=source.shape[:-1] + (size, size),
                                     index=(Ellipsis, rows, cols))
        return embedded.movedim((ndim - 2, ndim - 1), (first, second))

    def diagflat(self, offset: int = 0) -> Tensor:
        """The flattened values on the diagonal ``offset`` of a square matrix."""
        return self.reshape(-1).diag(offset)

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Tensor:
        """Fill the main diagonal (all dimensions of the same length, or a tall matrix, whose
        diagonal restarts after a blank row when ``wrap``)."""
        if self.ndim < 2:
            raise RuntimeError(f"fill_diagonal_: dimensions must be larger than 1, got shape "
                               f"{self.shape}")
        if self.ndim > 2 and len(set(self.shape)) > 1:
            raise RuntimeError(f"fill_diagonal_: all dimensions of input must be of equal "
                               f"length, got shape {self.shape}")
        diagonal = np.zeros(self.shape, dtype=bool)
        np.fill_diagonal(diagonal, True, wrap=wrap)
        return self.masked_fill_(Tensor._make(diagonal, False), fill_value)

    def index_copy(self, dim: int, index: Any, source: Tensor) -> Tensor:
        """A copy with slice i of ``source`` along ``dim`` put at position ``index[i]``.
        Differentiable in both (zero gradient for the overwritten values)."""
        source = as_tensor(source)
        if source.dtype != self.dtype:
            raise RuntimeError(f"index_copy_(): self and source expected to have the same "
                               f"dtype, but got (self) {self.dtype} and (source) {source.dtype}")
        axis = _dim_index(dim, self.ndim)
        positions = _integer_array(index, "index_copy").reshape(-1)
        expected = self.shape[:axis] + (positions.size,) + self.shape[axis + 1:]
        if source.shape != expected:
            raise IndexError(f"index_copy_(): source of shape {source.shape}, expected "
                             f"{expected} for an index of {positions.size} positions")
        spread = positions.reshape((-1,) + (1,) * (self.ndim - axis - 1))
        return self.scatter(axis, np.broadcast_to(spread, expected), source)

    def index_copy_(self, dim: int, index: Any, source: Tensor) -> Tensor:
        return self._apply_(lambda old: old.index_copy(dim, index, source), "index_copy_",
                            as_tensor(source))

    def renorm(self, p: float, dim: int, maxnorm: float) -> Tensor:
        """Each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to norm
        ``maxnorm`` (by maxnorm / (norm + 1e-7), as PyTorch does); the others unchanged."""
        if self.ndim < 2:
            raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {self.ndim} "
                               "dimensions")
        if not p > 0:
            raise RuntimeError(f"renorm: non-positive-norm not supported, got p={p}")
        if not maxnorm >= 0:
            raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
        axis = _dim_index(dim, self.ndim)
        norms = self.norm(p, tuple(d for d in range(self.ndim) if d != axis), keepdim=True)
        return self * where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)

    renorm_ = _in_place_form("renorm")

    def hardshrink(self, lambd: float = 0.5) -> Tensor:
        """x where |x| > lambd, else 0 (NaN stays NaN)."""
        _require_floating(self, "hardshrink")
        return where(self.abs() <= lambd, 0.0, self)

    # Random fillers: samples of a distribution written into this tensor, as normal_ does.

    def _fill_sample_(self, sample: np.ndarray, name: str) -> Tensor:
        return self._set_(Tensor._make(sample.astype(self.dtype), False), name)

    def _require_continuous(self, name: str) -> None:
        if self.dtype.kind != "f":
            raise RuntimeError(f"{name}: a continuous distribution needs a floating point "
                               f"tensor, got {self.dtype}")

    def random_(self, *bounds: int, generator: Any = None) -> Tensor:
        """Fill with integers drawn uniformly from [from, to): ``random_(to)`` from 0;
        ``random_()`` from 0 to the largest integer the dtype holds exactly (2**24 for
        float32, 2**53 for float64, its maximum for an integer dtype, 1 for bool)."""
        if len(bounds) > 2:
            raise TypeError(f"random_() takes at most 2 positional arguments (from, to), got "
                            f"{len(bounds)}")
        if len(bounds) == 2:
            low, high = bounds
        elif bounds:
            low, high = 0, bounds[0]
        elif self.dtype.kind == "f":
            low, high = 0, 2 ** (np.finfo(self.dtype).nmant + 1) + 1
        elif self.dtype == dtypes.bool:
            low, high = 0, 2
        else:
            low, high = 0, int(np.iinfo(self.dtype).max) + 1
        if not low < high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        sample = mt_random.chosen(generator).integers(low, high, self.shape)
        return self._fill_sample_(sample, "random_")

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples of the exponential distribution of rate ``lambd``."""
        self._require_continuous("exponential_")
        if not lambd > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
        sample = mt_random.chosen(generator).exponential(self.shape, self.dtype, lambd)
        return self._fill_sample_(sample, "exponential_")

    def geometric_(self, p: float, *, generator: Any = None) -> Tensor:
        """Fill with the number of trials up to the first success (1, 2, ...), each one a
        success with probability ``p``."""
        if not 0 < p < 1:
            raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
        sample = mt_random.numpy_generator(generator).geometric(p, self.shape)
        return self._fill_sample_(sample, "geometric_")

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None
                    ) -> Tensor:
        """Fill with exp(N(mean, std**2)) samples."""
        self._require_continuous("log_normal_")
        if not std > 0:
            raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
        sample = mt_random.numpy_generator(generator).lognormal(mean, std, self.shape)
        return self._fill_sample_(sample, "log_normal_")

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None
                ) -> Tensor:
        """Fill with samples of the Cauchy distribution: median + sigma * tan(pi * (u - 1/2))."""
        self._require_continuous("cauchy_")
        if not sigma > 0:
            raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
        sample = mt_random.numpy_generator(generator).standard_cauchy(self.shape)
        return self._fill_sample_(median + sigma * sample, "cauchy_")

_ALL_DTYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.uint8, dtypes.int8,
               dtypes.int16, dtypes.int32, dtypes.int64, dtypes.bool)

autograd.register_tensor_type(Tensor)


class _GradKeeper:
    """The hook behind ``retain_grad()``: adds each gradient that reaches a computed tensor
    to its ``.grad``. It holds the tensor weakly, so the hook adds no reference cycle."""

    def __init__(self, tensor: Tensor) -> None:
        self._tensor = weakref.ref(tensor)

    def __call__(self, grad: Tensor) -> None:
        tensor = self._tensor()
        if tensor is None:
            return
        if grad.requires_grad:  # create_graph: keep the gradient's graph
            tensor._grad = grad if tensor._grad is None else tensor._grad + grad
        elif tensor._grad is None:
            tensor._grad = Tensor._make(np.array(grad._data), False)  # a copy, and an array
        else:
            tensor._grad._data += grad._data


def _arithmetic(op: type[autograd.Function], a: Tensor, b: Tensor,
                floating: bool = False, **options: Any) -> Tensor:
    """``op`` applied to ``a`` and ``b`` converted to their result dtype (PyTorch's type
    promotion; ``floating`` for true division and the like, whose result is floating even for
    integers)."""
    if a._data.dtype is not b._data.dtype or (floating and a._data.dtype.kind != "f"):
        target = dtypes.result_type(a._data, b._data)
        if floating and target.kind != "f":
            target = dtypes.get_default_dtype()
        a, b = a.astype(target), b.astype(target)
    return op.apply(a, b, **options)


def _not_differentiable(ufunc: np.ufunc, a: Tensor, b: Tensor, name: str) -> Tensor:
    if autograd.is_grad_enabled() and (a.requires_grad or b.requires_grad):
        raise RuntimeError(f"{name} is not differentiable; use it on tensors without grad")
    target = dtypes.result_type(a._data, b._data)
    if target.kind in "biu" and not np.all(b._data):
        # NumPy gives 0 with a warning; PyTorch raises, as Python does
        raise RuntimeError(f"ZeroDivisionError: integer {name} by zero")
    return Tensor._make(np.asarray(ufunc(a._data.astype(target, copy=False),
                                         b._data.astype(target, copy=False))), False)


def _check_in_place_result(name: str, result: np.ndarray, current: np.ndarray) -> None:
    if result.shape != current.shape:
        raise RuntimeError(
            f"{name}: the result has shape {result.shape}, which does not fit in place into a "
            f"tensor of shape {current.shape}"
        )
    if not np.can_cast(result.dtype, current.dtype, "same_kind"):
        raise RuntimeError(
            f"{name}: result type {result.dtype} can't be cast to the tensor's dtype "
            f"{current.dtype} in place"
        )


def _check_subtraction(a: Tensor, b: Tensor) -> None:
    """PyTorch refuses to subtract bools (NumPy would for two, and compute for one)."""
    if a._data.dtype.kind == "b" and b._data.dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if a._data.dtype.kind == "b" or b._data.dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def _check_bounds(min: Any, max: Any) -> None:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")


def _refuse_inside_formula(tensor: Tensor) -> None:
    """A backward formula running on tensors (create_graph) must not turn one into an array:
    the gradient would silently stop depending on it."""
    if autograd.formula_on_tensors():
        raise TypeError(
            f"a NumPy function was given a Tensor of shape {tensor.shape} inside a backward "
            "formula under create_graph, which would drop it from the graph; write the "
            "formula with operators, Tensor methods or minitorch.ops.generic"
        )


_PRINT_WIDTH = 80  # PyTorch's default line width for printing tensors


def _float_mode(values: np.ndarray) -> str:
    """How ``repr`` writes floats, as PyTorch does: whole numbers as ``1.``, anything else
    with four decimals (``0.2500``, ``1.0000e-05``); NumPy picks scientific notation by the
    same rule as PyTorch (largest >= 1e8, smallest < 1e-4, or a ratio above 1000)."""
    if values.dtype.kind != "f":
        return "maxprec"
    finite = values[np.isfinite(values)]
    if finite.size == 0 or not np.all(finite == np.round(finite)):
        return "fixed"
    magnitudes = np.abs(finite[finite != 0])
    if magnitudes.size and (magnitudes.max() >= 1e8 or magnitudes.max() > 1000 * magnitudes.min()):
        return "fixed"
    return "maxprec"


def _floating(tensor: Tensor) -> Tensor:
    """The tensor, or for integers and bools its copy in the default floating dtype: PyTorch
    computes its floating-point functions (exp, log, sqrt, tanh, ...) of integers in that
    dtype (float32 unless changed), where NumPy would give float64 (or float16 for bools)."""
    return tensor if tensor._data.dtype.kind == "f" else tensor.astype(dtypes.get_default_dtype())


def _product_of_ranks(a: Tensor, b: Any, name: str, expected: str, rank_a: int,
                      rank_b: int) -> Tensor:
    """``a @ b`` for the products that take operands of fixed ranks (mm, mv, dot, bmm), which,
    unlike ``matmul``, neither broadcast nor promote vectors: anything else raises."""
    b = as_tensor(b)
    fits = a.ndim == rank_a and b.ndim == rank_b
    if fits:
        inner_b = b.shape[-2] if rank_b >= 2 else b.shape[0]
        fits = a.shape[-1] == inner_b and a.shape[:-2] == b.shape[:-2]
    if not fits:
        raise RuntimeError(f"{name}: expected {expected}, got shapes {a.shape} and {b.shape}")
    return a @ b


def _linalg() -> Any:
    """The module :mod:`minitorch.linalg`, which builds on Tensor: imported when first used."""
    from minitorch import linalg

    return linalg


def _require_floating(tensor: Tensor, name: str) -> None:
    if tensor._data.dtype.kind != "f":
        raise RuntimeError(  # the type PyTorch raises
            f"{name}() needs a floating point tensor, got {tensor.dtype}; convert it first "
            "(.float()) or pass dtype="
        )


def _dim_index(dim: Any, ndim: int) -> int:
    """``dim`` as a non-negative index, checked against ``ndim`` dimensions (a 0-d tensor
    accepts 0 and -1, as in PyTorch)."""
    span = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or not -span <= dim < span:
        raise IndexError(
            f"dimension out of range (expected to be in range of [{-span}, {span - 1}], "
            f"but got {dim})"
        )
    return int(dim) % span


def _dim_keepdim(dim: Any, keepdim: bool, axis: Any, keepdims: bool | None,
                 ndim: int, empty_is_all: bool = True) -> tuple[Any, bool]:
    """The reduced dimensions (checked, as an int, a tuple or None) and keepdim, from
    PyTorch's names or NumPy's. As in PyTorch, ``dim=()`` reduces over all dimensions (unless
    ``empty_is_all`` is false: ``all``/``any`` reduce none), and a 0-d tensor takes only 0
    and -1."""
    if axis is not None:
        if dim is not None:
            raise TypeError("pass dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, keepdim
    if isinstance(dim, (list, tuple)):
        if not dim and empty_is_all:
            return None, keepdim
        dims = tuple(_dim_index(d, ndim) for d in dim)
        return (dims if ndim else None), keepdim
    axis = _dim_index(dim, ndim)
    return (axis if ndim else None), keepdim


def _correction(unbiased: bool | None, correction: float | None, ddof: float | None) -> float:
    if correction is not None:
        return correction
    if unbiased is not None:
        return 1 if unbiased else 0
    return 1 if ddof is None else ddof


def _arrays_in(value: Any) -> Any:
    """``value`` with every tensor inside it (in lists, tuples, dicts) replaced by its array."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (list, tuple)):
        return type(value)(_arrays_in(v) for v in value)
    if isinstance(value, dict):
        return {k: _arrays_in(v) for k, v in value.items()}
    return value


def _shape_argument(args: tuple) -> tuple[int, ...]:
    """Accept shapes as f(2, 3) or f((2, 3))."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _index_array(value: Tensor) -> np.ndarray:
    if value._data.dtype.kind not in "biu":
        raise IndexError(
            f"tensors used as indices must be integer or bool tensors, got {value.dtype}"
        )
    return value._data


def _argsort(values: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Indices (int64) that sort ``values`` along ``axis``, keeping equal values in order
    (NaN counts as the largest value, as in PyTorch)."""
    if not descending:
        return np.argsort(values, axis=axis, kind="stable").astype(np.int64, copy=False)
    # Sorting the reversed values ascending and reversing the order found gives a
    # descending order in which equal values keep their original order.
    reversed_order = np.argsort(np.flip(values, axis), axis=axis, kind="stable")
    return (values.shape[axis] - 1 - np.flip(reversed_order, axis)).astype(np.int64)


def _wrapped_positions(positions: np.ndarray, length: int, axis: int, name: str) -> np.ndarray:
    """Positions in [-length, length) as indices in [0, length): negative ones count from
    the end, as in take and index_fill."""
    outside = (positions < -length) | (positions >= length)
    if outside.any():
        raise IndexError(f"{name}: index {positions[outside].flat[0]} is out of bounds for "
                         f"dimension {axis} with size {length}")
    return positions % max(length, 1)


def _bernoulli(probabilities: np.ndarray, shape: tuple[int, ...], generator: Any,
               dtype: np.dtype) -> np.ndarray:
    """1 with the given probabilities (broadcast to ``shape``), else 0, in ``dtype``."""
    if not np.all((probabilities >= 0) & (probabilities <= 1)):
        raise RuntimeError(f"bernoulli expects probabilities in [0, 1], got values from "
                           f"{np.min(probabilities)} to {np.max(probabilities)}")
    return mt_random.chosen(generator).bernoulli(probabilities, shape).astype(dtype)


def _last_of_modes(lines: np.ndarray) -> np.ndarray:
    """For each line (last axis): the last position of its most frequent value, the smallest
    one when several are equally frequent (PyTorch's mode)."""
    flat = lines.reshape(-1, lines.shape[-1])
    chosen = np.empty(len(flat), dtype=np.int64)
    for row, line in enumerate(flat):
        values, counts = np.unique(line, return_counts=True)
        chosen[row] = np.flatnonzero(line == values[np.argmax(counts)])[-1]
    return chosen.reshape(lines.shape[:-1])


def _plain_index(index: Any) -> Any:
    """An index with Tensors replaced by their arrays, so NumPy can use it."""
    if isinstance(index, Tensor):
        return _index_array(index)
    if isinstance(index, tuple):
        return tuple(_index_array(i) if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray([_index_array(i) if isinstance(i, Tensor) else i for i in index])
    return index


def _index_node_name(index: Any) -> str:
    """PyTorch's name for the node of ``x[index]`` (a plain index). PyTorch applies an index
    part by part, full slices ``:`` skipped unless alone, so the node is that of the last part
    that does something: ``IndexBackward0`` wherever there are index arrays, else
    ``SelectBackward0`` for an integer, ``SliceBackward0`` for a slice, ``UnsqueezeBackward0``
    for None, and ``AliasBackward0`` when nothing is left."""
    if type(index) is not tuple:  # x[i], x[a:b], x[None]: the usual cases, at once
        name = _SINGLE_INDEX_NODES.get(type(index))
        if name is not None:
            return name
    parts = index if type(index) is tuple else (index,)
    name = "AliasBackward0"
    for part in parts:
        if isinstance(part, slice):
            if len(parts) == 1 or part != _FULL_SLICE:
                name = "SliceBackward0"
        elif part is None:
            name = "UnsqueezeBackward0"
        elif part is Ellipsis:
            continue
        elif isinstance(part, (int, np.integer)) and not isinstance(part, (bool, np.bool_)):
            name = "SelectBackward0"
        elif isinstance(part, np.ndarray) and part.ndim == 0 and part.dtype.kind in "iu":
            name = "SelectBackward0"
        else:
            return "IndexBackward0"  # index arrays, masks
    return name


_FULL_SLICE = slice(None)
_SINGLE_INDEX_NODES = {int: "SelectBackward0", slice: "SliceBackward0",
                       type(None): "UnsqueezeBackward0"}


def _integers_first(index: Any) -> tuple[tuple, tuple] | None:
    """For an index that mixes integers with index arrays, the two indices PyTorch applies
    one after the other: the integers first, as selections, then the arrays on what is left
    (so ``x[0, :, [2, 1]]`` is ``x[0][:, [2, 1]]``). NumPy counts the integers among the
    arrays and, when a slice separates them, puts the arrays' dimension first. None for any
    other index."""
    if not isinstance(index, tuple):
        return None
    integers = [isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in index]
    arrays = [isinstance(i, (list, np.ndarray)) and np.ndim(i) > 0 for i in index]
    if not any(integers) or not any(arrays):
        return None
    selection, rest = [], []
    for entry, integer, array in zip(index, integers, arrays):
        if integer:
            selection.append(entry)
        elif array:
            # a boolean mask spans as many dimensions as it has
            selection.extend([slice(None)] * (np.ndim(entry) if _is_mask(entry) else 1))
            rest.append(entry)
        elif entry is None:
            selection.append(None)
            rest.append(slice(None))  # the new dimension made by the selection
        else:  # a slice or Ellipsis
            selection.append(entry)
            rest.append(entry if entry is Ellipsis else slice(None))
    return tuple(selection), tuple(rest)


def _is_mask(entry: Any) -> bool:
    return np.asarray(entry).dtype == np.bool_


def to_arguments(args: tuple, dtype: Any = None, device: Any = None) -> Any:
    """The dtype that ``.to(*args, dtype=, device=)`` asks for (None: keep it), from
    positional arguments that are devices, dtypes or tensors (whose dtype is taken), as
    ``Tensor.to`` and ``Module.to`` read them; a device other than the CPU raises."""
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif devices.is_device(arg):
            device = arg
        else:
            dtype = arg
    if device is not None:
        devices.on_cpu(device)  # raises for anything but the CPU
    return dtype


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` itself if it is a Tensor (converted to ``dtype`` if given), else a new
    Tensor of it."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.astype(dtype)
    return Tensor._from_data(data, dtype, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with ``array`` (no copy, dtype unchanged)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy needs a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in _NUMBER_KINDS:
        raise TypeError(f"Tensor data must be numeric, got an array of dtype {array.dtype}")
    return Tensor._make(array, False)


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    """Element-wise ``input`` where ``condition`` holds, else ``other`` (broadcasting). With the
    condition alone, its non-zero positions as ``condition.nonzero(as_tuple=True)``."""
    if input is None and other is None:
        return as_tensor(condition).nonzero(as_tuple=True)
    if input is None or other is None:
        raise TypeError("where takes a condition alone, or a condition and both values, got "
                        "one value")
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if isinstance(input, Tensor) or not isinstance(other, Tensor):
        a_tensor = as_tensor(input)
    else:
        a_tensor = other._operand(input)  # a Python number takes other's dtype
    b_tensor = a_tensor._operand(other)
    condition_tensor = Tensor._make(cond.astype(bool), False)
    if a_tensor._data.dtype is not b_tensor._data.dtype:
        target = dtypes.result_type(a_tensor._data, b_tensor._data)
        a_tensor, b_tensor = a_tensor.astype(target), b_tensor.astype(target)
    return ew.Where.apply(condition_tensor, a_tensor, b_tensor)


def maximum(input: Any, other: Any) -> Tensor:
    """Element-wise maximum; on a tie each input gets half the gradient."""
    return as_tensor(input).maximum(other)


def minimum(input: Any, other: Any) -> Tensor:
    """Element-wise minimum; on a tie each input gets half the gradient."""
    return as_tensor(input).minimum(other)


def written_to(out: Tensor | None, result: Tensor) -> Tensor:
    """``result``, or with PyTorch's ``out=`` argument, ``out`` holding its values (resized
    to its shape if needed, with a warning where ``out`` had other values)."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"out= expects a Tensor, got {type(out).__name__}")
    if autograd.is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError("functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad")
    if not np.can_cast(result.dtype, out.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {result.dtype} can't be cast to the desired output "
                           f"type {out.dtype}")
    if out.shape != result.shape:
        if out._data.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{out.shape}, which does not match the required output shape "
                          f"{result.shape}.", UserWarning, stacklevel=3)
        out._data = np.empty(result.shape, dtype=out.dtype)
    np.copyto(out._data, result._data, casting="same_kind")
    out._mark_modified()
    return out


def matmul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    return written_to(out, as_tensor(input) @ other)


def _joined(tensors: Sequence[Any], name: str) -> list[Tensor]:
    """The tensors to concatenate or stack, converted to their common dtype."""
    if len(tensors) == 0:
        raise ValueError(f"{name} needs at least one tensor")
    joined = [as_tensor(t) for t in tensors]
    target = functools.reduce(dtypes.promote_types, (t._data.dtype for t in joined))
    return [t.astype(target) for t in joined]


def cat(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None,
        out: Tensor | None = None) -> Tensor:
    """Join tensors along an existing dimension."""
    joined = _joined(tensors, "cat")
    dim = _dim_index(axis if axis is not None else dim, joined[0].ndim)
    return written_to(out, sh.Concatenate.apply(*joined, axis=dim))


concatenate = concat = cat


def stack(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None,
          out: Tensor | None = None) -> Tensor:
    """Join same-shaped tensors along a new dimension."""
    joined = _joined(tensors, "stack")
    dim = _dim_index(axis if axis is not None else dim, joined[0].ndim + 1)
    return written_to(out, sh.Stack.apply(*joined, axis=dim))


def _integer_array(index: Any, name: str) -> np.ndarray:
    """``index`` (a tensor, array, list or number) as an integer array, for gather, scatter
    and their kin."""
    array = index._data if isinstance(index, Tensor) else np.asarray(index)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected an integer index, got dtype {array.dtype}")
    return array


def _check_in_range(indices: np.ndarray, length: int, axis: int, name: str,
                    error: type[Exception]) -> None:
    outside = (indices < 0) | (indices >= length)
    if outside.any():
        raise error(
            f"{name}: index {indices[outside].flat[0]} is out of bounds for dimension {axis} "
            f"with size {length}"
        )


def _logical(function: np.ufunc, a: Tensor, b: Any) -> Tensor:
    other = b._data if isinstance(b, Tensor) else np.asarray(b)
    return Tensor._make(np.asarray(function(a._data, other)), False)


def _one_dtype(name: str, *tensors: Tensor) -> None:
    """PyTorch's matrix products with an added term take operands of one dtype only."""
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError(f"{name}: the input tensors must have the same dtype, got "
                           f"{', '.join(str(t.dtype) for t in tensors)}")


def _shift(values: np.ndarray, amounts: np.ndarray, left: bool) -> np.ndarray:
    """``values`` shifted by ``amounts`` bits, as PyTorch shifts: amounts outside [0, width
    of the dtype) shift every bit out, leaving 0, or -1 for negative values shifted right
    (NumPy leaves those to the processor)."""
    inside = (amounts >= 0) & (amounts < values.dtype.itemsize * 8)
    shifted = (np.left_shift if left else np.right_shift)(values, np.where(inside, amounts, 0))
    shifted_out = np.zeros_like(values) if left else -(values < 0).astype(values.dtype)
    return np.where(inside, shifted, shifted_out)


def _observation_weights(weights: Any, count: int, name: str, kinds: str, kind_name: str
                         ) -> Tensor:
    """cov's ``fweights`` or ``aweights``, checked: one non-negative weight of ``kinds`` per
    observation."""
    weights = as_tensor(weights)
    if weights.ndim > 1 or weights.numel() != count:
        raise RuntimeError(f"cov(): expected {name} to have one weight per observation "
                           f"({count}) in one dimension, got shape {weights.shape}")
    if weights.dtype.kind not in kinds:
        raise RuntimeError(f"cov(): expected {name} to have {kind_name} dtype, got "
                           f"{weights.dtype}")
    if (weights._data < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")
    return weights


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_levels(x: Tensor, q: Any, interpolation: str, name: str) -> np.ndarray:
    """The quantile levels ``q`` (a number or a 0-d or 1-D tensor of ``x``'s dtype) as an
    array, with PyTorch's checks of ``x``, ``q`` and ``interpolation``."""
    if x.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype, got "
                           f"{x.dtype}")
    if x.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor, got shape {q.shape}")
        if q.dtype != x.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor, got "
                               f"{q.dtype} and {x.dtype}")
        levels = q._data
    elif isinstance(q, _PYTHON_NUMBERS):
        levels = np.asarray(q, dtype=x.dtype)
    else:
        raise TypeError(f"{name}() q must be a number or a tensor, got {type(q).__name__}")
    if not np.all((levels >= 0) & (levels <= 1)):
        raise RuntimeError(f"{name}() q must be in the range [0, 1], got {levels.tolist()}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of {', '.join(_INTERPOLATIONS)}"
                           f", got {interpolation!r}")
    return levels


_CROSS_WARNING = ("Using torch.cross without specifying the dim arg is deprecated.\n"
                  "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
                  "The default value of dim will change to agree with that of linalg.cross in "
                  "a future release.")


def cross_product(input: Any, other: Any, dim: int | None, name: str = "linalg.cross"
                  ) -> Tensor:
    """The cross product of the 3-vectors along ``dim`` of the two tensors (broadcast), for
    ``cross`` and ``linalg.cross``; ``dim=None`` takes the first dimension of length 3."""
    a, b = as_tensor(input), as_tensor(other)
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name}: expected both inputs to have one dtype, got {a.dtype} and "
                           f"{b.dtype}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(f"{name}: the shapes {a.shape} and {b.shape} do not broadcast") \
            from None
    if dim is None:
        warnings.warn(_CROSS_WARNING, UserWarning, stacklevel=3)
        dim = next((d for d, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"cross: no dimension of size 3 in the inputs' shape {shape}")
    axis = _dim_index(dim, len(shape))
    if shape[axis] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3, got shapes "
                           f"{a.shape} and {b.shape}")
    (a0, a1, a2), (b0, b1, b2) = a.expand(shape).unbind(axis), b.expand(shape).unbind(axis)
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis)


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), for matrices (input broadcasts)."""
    mat1, mat2 = as_tensor(mat1), as_tensor(mat2)
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(
            f"addmm: expected two matrices, got shapes {mat1.shape} and {mat2.shape}"
        )
    return as_tensor(input)._plus_product(mat1 @ mat2, beta, alpha, "addmm")


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sums of products over the letters of ``equation`` (``"ij,jk->ik"``, ``"bij->bji"``,
    ``"ii"``, ``"...ij,...jk"``), as ``torch.einsum``; the operands may also come as one
    list. Without ``->``, the output has the letters that appear once, in alphabetical order
    (after the ellipsis). Differentiable in every operand."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = _joined(operands, "einsum")
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    subscripts = inputs.split(",")
    if len(subscripts) != len(tensors):
        raise ValueError(
            f"einsum: the equation {equation!r} has {len(subscripts)} operands, got "
            f"{len(tensors)} tensors"
        )
    letters = "".join(subscripts).replace("...", "")
    if not arrow:
        once = sorted(c for c in set(letters) if letters.count(c) == 1)
        output = ("..." if "..." in inputs else "") + "".join(once)
    # Spell the ellipsis out with spare letters: the batch dimensions, right-aligned.
    spare = [c for c in string.ascii_letters if c not in equation]
    widest = max((t.ndim - len(s) + 3 for s, t in zip(subscripts, tensors) if "..." in s),
                 default=0)
    batch = "".join(spare[:widest])
    explicit = []
    for k, (letters_k, tensor) in enumerate(zip(subscripts, tensors)):
        if "..." in letters_k:
            width = tensor.ndim - len(letters_k) + 3
            letters_k = letters_k.replace("...", batch[widest - width:] if width > 0 else "")
        if len(letters_k) != tensor.ndim or (letters_k and not letters_k.isalpha()):
            raise ValueError(
                f"einsum: operand {k} has {tensor.ndim} dimensions (shape {tensor.shape}), but "
                f"the equation {equation!r} gives it the subscripts {subscripts[k]!r}"
            )
        explicit.append(letters_k)
    output = output.replace("...", batch)
    if set(output) - set("".join(explicit)) or len(set(output)) != len(output):
        raise ValueError(
            f"einsum: the output subscripts {output!r} of {equation!r} must each appear in "
            "an operand, and once"
        )
    return mm.Einsum.apply(*tensors, equation=",".join(explicit) + "->" + output)


def tensordot(a: Any, b: Any, dims: Any = 2) -> Tensor:
    """The sum of products over the last ``dims`` dimensions of ``a`` and the first ``dims``
    of ``b``, or over the dimensions in the pair of lists ``dims``."""
    a, b = as_tensor(a), as_tensor(b)
    if isinstance(dims, (int, np.integer)):
        if not 0 <= dims <= min(a.ndim, b.ndim):
            raise RuntimeError(
                f"tensordot: dims={dims} for shapes {a.shape} and {b.shape}"
            )
        dims = (list(range(a.ndim - dims, a.ndim)), list(range(dims)))
    dims_a, dims_b = ([d] if isinstance(d, (int, np.integer)) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError(f"tensordot: both sides need as many dims, got {dims_a} and {dims_b}")
    letters = iter(string.ascii_letters)
    subscripts_a = [next(letters) for _ in range(a.ndim)]
    subscripts_b = [next(letters) for _ in range(b.ndim)]
    for da, db in zip(dims_a, dims_b):
        da, db = _dim_index(da, a.ndim), _dim_index(db, b.ndim)
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(
                f"tensordot: dimension {da} of {a.shape} and {db} of {b.shape} differ in length"
            )
        subscripts_b[db] = subscripts_a[da]
    summed = set(subscripts_b) & set(subscripts_a)
    output = [c for c in subscripts_a + subscripts_b if c not in summed]
    return einsum("".join(subscripts_a) + "," + "".join(subscripts_b) + "->" + "".join(output),
                  a, b)
