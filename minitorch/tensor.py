"""The Tensor: a NumPy array that remembers how it was computed.

Arithmetic on tensors calls the differentiable operations in :mod:`minitorch.ops`; when an
input requires a gradient, the result records the operation, and ``backward()`` runs the
chain rule back through those records (see :mod:`minitorch.autograd`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from minitorch import autograd
from minitorch.ops import elementwise as ew
from minitorch.ops import reductions as red
from minitorch.ops import shape as sh
from minitorch.ops.matmul import MatMul

Axis = int | tuple[int, ...] | None
DEFAULT_DTYPE = np.dtype(np.float32)
_NUMBER_KINDS = "biuf"


def _default_dtype(data: Any, array: np.ndarray) -> np.dtype:
    """Typed float data keeps its precision; Python numbers, integers and booleans become
    float32, as in PyTorch."""
    if array.dtype.kind == "f":
        return DEFAULT_DTYPE if type(data) in (float, list, tuple) else array.dtype
    return DEFAULT_DTYPE


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


class Tensor:
    """An n-dimensional array of numbers that can record operations for autodiff.

    ``Tensor(data)`` accepts anything ``np.asarray`` accepts and always copies it, so later
    updates of the tensor (an optimizer step) never change the caller's array. Float data
    keeps float32 or float64; integers and booleans become float32 unless ``dtype`` says
    otherwise. Use :func:`from_numpy` to share an array's memory instead.
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_hooks", "__weakref__")

    # Make NumPy defer to Tensor's reflected operators in `ndarray + Tensor`.
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        try:
            array = np.array(data, copy=True)
        except (ValueError, TypeError) as error:
            raise TypeError(f"cannot make a Tensor from {type(data).__name__}: {error}") from None
        if array.dtype.kind not in _NUMBER_KINDS:
            raise TypeError(f"Tensor data must be numeric, got an array of dtype {array.dtype}")
        target = np.dtype(dtype) if dtype is not None else _default_dtype(data, array)
        self.data: np.ndarray = array.astype(target, copy=False)
        self.grad: np.ndarray | None = None
        self.requires_grad: bool = False
        self._ctx: autograd.Function | None = None
        self._hooks: list[Callable] | None = None
        if requires_grad:
            self.requires_grad_()

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool) -> Tensor:
        """Wrap an array the library just computed: no copy, no checks (the hot path)."""
        out = object.__new__(Tensor)
        out.data, out.grad, out.requires_grad, out._ctx, out._hooks = (
            data,
            None,
            requires_grad,
            None,
            None,
        )
        return out

    # ----- attributes -----------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of elements."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

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

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether gradients are computed for this tensor; returns the tensor."""
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require grad, got {self.dtype}")
        self.requires_grad = requires_grad
        return self

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def tolist(self) -> Any:
        return self.data.tolist()

    def detach(self) -> Tensor:
        """A tensor sharing this one's data but cut from the graph."""
        return Tensor._make(self.data, False)

    def zero_grad(self) -> None:
        self.grad = None

    def register_hook(self, hook: Callable[[np.ndarray], np.ndarray | None]) -> HookHandle:
        """Call ``hook(grad)`` when this tensor's gradient has been computed during backward.

        A hook that returns an array replaces the gradient passed on.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return HookHandle(self._hooks, hook)

    # ----- autodiff -------------------------------------------------------------------------

    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        """Compute the gradient of this tensor with respect to every leaf that requires grad,
        adding it to their ``.grad`` (in place once a leaf has one, as in PyTorch).

        ``gradient`` is d(loss)/d(self); it may be left out for a one-element tensor (it is 1).
        The graph is freed afterwards unless ``retain_graph`` is True.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of the "
                "computation had requires_grad=True (or it ran under no_grad)"
            )
        data = self.data
        if gradient is None:
            if data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient works only for a one-element tensor, got "
                    f"shape {self.shape}; pass gradient= with that shape"
                )
            seed = _one(data.dtype) if data.ndim == 0 else _one(data.dtype).reshape(data.shape)
        else:
            seed = np.array(gradient.data if isinstance(gradient, Tensor) else gradient,
                            dtype=self.dtype)
            if seed.shape != self.shape:
                raise ValueError(
                    f"backward() gradient has shape {seed.shape}, expected the tensor's "
                    f"shape {self.shape}"
                )
        autograd.backward(self, seed, retain_graph)

    # ----- representation -------------------------------------------------------------------

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extras = [] if self.dtype == DEFAULT_DTYPE else [f"dtype={self.dtype}"]
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}{''.join(', ' + e for e in extras)})"

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    # Tensors are graph nodes: they hash by identity even though == compares values.
    __hash__ = object.__hash__

    # ----- arithmetic -----------------------------------------------------------------------

    def _operand(self, other: Any) -> Tensor:
        """``other`` as a Tensor; Python numbers take this tensor's floating dtype."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float, bool, np.number)) and (
            self.data.dtype.kind == "f" or not isinstance(other, (float, np.floating))
        ):
            return Tensor._make(np.asarray(other, dtype=self.data.dtype), False)
        return Tensor(other)

    def __add__(self, other: Any) -> Tensor:
        return ew.Add.apply(self, self._operand(other))

    def __radd__(self, other: Any) -> Tensor:
        return ew.Add.apply(self._operand(other), self)

    def __sub__(self, other: Any) -> Tensor:
        return ew.Sub.apply(self, self._operand(other))

    def __rsub__(self, other: Any) -> Tensor:
        return ew.Sub.apply(self._operand(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return ew.Mul.apply(self, self._operand(other))

    def __rmul__(self, other: Any) -> Tensor:
        return ew.Mul.apply(self._operand(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return ew.Div.apply(self, self._operand(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return ew.Div.apply(self._operand(other), self)

    def __pow__(self, other: Any) -> Tensor:
        return ew.Pow.apply(self, self._operand(other))

    def __rpow__(self, other: Any) -> Tensor:
        return ew.Pow.apply(self._operand(other), self)

    def __matmul__(self, other: Any) -> Tensor:
        return MatMul.apply(self, self._operand(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return MatMul.apply(self._operand(other), self)

    def __neg__(self) -> Tensor:
        return ew.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __getitem__(self, index: Any) -> Tensor:
        return sh.GetItem.apply(self, index=_plain_index(index))

    # ----- comparisons: boolean tensors that carry no gradient ------------------------------

    def _compare(self, other: Any, compare: Callable[[Any, Any], np.ndarray]) -> Tensor:
        other_data = other.data if isinstance(other, Tensor) else other
        try:
            return Tensor._make(np.asarray(compare(self.data, other_data)), False)
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

    def any(self) -> bool:
        return bool(self.data.any())

    def all(self) -> bool:
        return bool(self.data.all())

    # ----- element-wise functions -----------------------------------------------------------

    def exp(self) -> Tensor:
        return ew.Exp.apply(self)

    def log(self) -> Tensor:
        return ew.Log.apply(self)

    def sqrt(self) -> Tensor:
        return ew.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return ew.Abs.apply(self)

    def tanh(self) -> Tensor:
        return ew.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return ew.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return ew.ReLU.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        return ew.LeakyReLU.apply(self, slope=negative_slope)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Limit values to [min, max]; either bound may be left out."""
        return ew.Clamp.apply(self, low=min, high=max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return ew.Maximum.apply(self, self._operand(other))

    def minimum(self, other: Any) -> Tensor:
        return ew.Minimum.apply(self, self._operand(other))

    def astype(self, dtype: Any) -> Tensor:
        """This tensor converted to ``dtype`` (differentiable between float types)."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if self.requires_grad and dtype.kind != "f":
            return Tensor._make(self.data.astype(dtype), False)
        return ew.Cast.apply(self, dtype=dtype)

    to = astype

    def float(self) -> Tensor:
        return self.astype(np.float32)

    def double(self) -> Tensor:
        return self.astype(np.float64)

    # ----- reductions -----------------------------------------------------------------------

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        if axis is None and not keepdims:
            return red.Sum.apply(self)  # the sum of everything (a loss) is the hot case
        return red.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return red.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Largest value over ``axis``; tied maxima share the gradient equally."""
        return red.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """Smallest value over ``axis``; tied minima share the gradient equally."""
        return red.Max.apply(self, axis=axis, keepdims=keepdims, smallest=True)

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        """Variance over ``axis``: mean squared deviation, divided by n - ddof (NumPy's rule,
        so the default is the biased estimate; pass ddof=1 for PyTorch's default)."""
        deviation = self - self.mean(axis=axis, keepdims=True)
        count = red.reduced_size(self.shape, axis)
        return (deviation * deviation).sum(axis=axis, keepdims=keepdims) / (count - ddof)

    def std(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> Tensor:
        return self.var(axis=axis, keepdims=keepdims, ddof=ddof).sqrt()

    def logsumexp(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """log(sum(exp(x))) over ``axis``, stable for large inputs."""
        return red.LogSumExp.apply(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis: int = -1) -> Tensor:
        return red.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return red.LogSoftmax.apply(self, axis=axis)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Index of the largest value (not differentiable)."""
        return Tensor._make(np.argmax(self.data, axis=axis, keepdims=keepdims), False)

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """Index of the smallest value (not differentiable)."""
        return Tensor._make(np.argmin(self.data, axis=axis, keepdims=keepdims), False)

    # ----- linear algebra and shape ---------------------------------------------------------

    def matmul(self, other: Any) -> Tensor:
        return self @ other

    def reshape(self, *shape: Any) -> Tensor:
        """The same values in a new shape; one dimension may be -1."""
        return sh.Reshape.apply(self, shape=_shape_argument(shape))

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions start_dim..end_dim into one."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = start_dim % self.ndim, end_dim % self.ndim
        shape = self.shape[:start] + (-1,) + self.shape[end + 1 :]
        return self.reshape(shape)

    def permute(self, *axes: Any) -> Tensor:
        return sh.Permute.apply(self, axes=_shape_argument(axes))

    def transpose(self, axis0: int | None = None, axis1: int | None = None) -> Tensor:
        """Swap two axes (PyTorch style), or reverse all axes when none are given."""
        if axis0 is None and axis1 is None:
            return sh.Permute.apply(self)
        if axis0 is None or axis1 is None:
            raise TypeError("transpose() needs both axes, or neither to reverse all axes")
        return self.swapaxes(axis0, axis1)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        axes = list(range(self.ndim))
        axes[axis0], axes[axis1] = axes[axis1], axes[axis0]
        return sh.Permute.apply(self, axes=tuple(axes))

    def squeeze(self, axis: Axis = None) -> Tensor:
        """Remove axes of length 1 (all of them, or those in ``axis``)."""
        try:
            shape = np.squeeze(np.empty(self.shape, dtype=bool), axis=axis).shape
        except ValueError as error:
            raise ValueError(f"squeeze of shape {self.shape}: {error}") from None
        return self.reshape(shape)

    def unsqueeze(self, axis: int) -> Tensor:
        """Insert an axis of length 1 at position ``axis``."""
        shape = np.expand_dims(np.empty(self.shape, dtype=bool), axis).shape
        return self.reshape(shape)

    def expand(self, *shape: Any) -> Tensor:
        """Broadcast to a larger shape without copying."""
        return sh.Expand.apply(self, shape=_shape_argument(shape))

    broadcast_to = expand


def _shape_argument(args: tuple) -> tuple[int, ...]:
    """Accept shapes as f(2, 3) or f((2, 3))."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _plain_index(index: Any) -> Any:
    """An index with Tensors replaced by their arrays, so NumPy can use it."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def as_tensor(value: Any) -> Tensor:
    """``value`` itself if it is a Tensor, else a new Tensor of it."""
    return value if isinstance(value, Tensor) else Tensor(value)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with ``array`` (no copy, dtype unchanged)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy needs a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in _NUMBER_KINDS:
        raise TypeError(f"Tensor data must be numeric, got an array of dtype {array.dtype}")
    return Tensor._make(array, False)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Element-wise ``a`` where ``condition`` holds, else ``b`` (broadcasting)."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if isinstance(a, Tensor) or not isinstance(b, Tensor):
        a_tensor = as_tensor(a)
    else:
        a_tensor = b._operand(a)  # a Python number takes b's dtype
    b_tensor = a_tensor._operand(b)
    return ew.Where.apply(Tensor._make(cond.astype(bool), False), a_tensor, b_tensor)


def maximum(a: Any, b: Any) -> Tensor:
    """Element-wise maximum; on a tie each input gets half the gradient."""
    return as_tensor(a).maximum(b)


def minimum(a: Any, b: Any) -> Tensor:
    """Element-wise minimum; on a tie each input gets half the gradient."""
    return as_tensor(a).minimum(b)


def matmul(a: Any, b: Any) -> Tensor:
    return as_tensor(a) @ b


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    if len(tensors) == 0:
        raise ValueError("concatenate needs at least one tensor")
    return sh.Concatenate.apply(*[as_tensor(t) for t in tensors], axis=axis)


cat = concatenate


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    if len(tensors) == 0:
        raise ValueError("stack needs at least one tensor")
    return sh.Stack.apply(*[as_tensor(t) for t in tensors], axis=axis)
