"""Reverse-mode automatic differentiation.

Every differentiable operation is a :class:`Function`: ``forward`` computes the result from
NumPy arrays and saves what the chain rule will need on ``self``; ``backward`` receives the
gradient of the loss with respect to the result and returns one gradient per input.

Calling ``Function.apply`` on tensors records the graph: the output tensor keeps the
``Function`` instance (its ``_ctx``), which keeps its input tensors (``parents``). Nothing points
back from an input to its outputs, so the graph has no reference cycles and is freed as soon
as the last tensor that leads into it goes away.

``backward`` walks the graph from the newest operation to the oldest: every recorded
operation gets a sequence number, and an operation is always newer than the ones that made
its inputs, so by the time a tensor is reached every gradient flowing into it has arrived.
The engine is the one place that reduces a broadcast gradient back to the shape of the
input it belongs to (:func:`unbroadcast`), so the ops never have to.

In-place changes are checked the same way: a tensor whose memory is changed in place is
stamped with a fresh sequence number (:func:`next_sequence`), so an operation recorded
before the change finds, at backward time, an input or output stamped later than itself: the
values it saved are stale, and backward raises instead of returning a wrong gradient.

This module never imports :mod:`minitorch.tensor` (which builds on it): the Tensor class
registers itself with :func:`register_tensor_type`.

Whether operations are recorded at all (the grad mode, switched by :class:`no_grad` and
:class:`enable_grad`) is a per-thread setting, as in PyTorch: one thread evaluating under
``no_grad`` does not stop another from training.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import threading
from collections.abc import Callable
from heapq import heappop, heappush
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from minitorch.tensor import Tensor

_requires_grad = attrgetter("requires_grad")
_new_tensor = object.__new__
_sequence = itertools.count(1)
next_sequence = _sequence.__next__
_Tensor: type[Tensor]  # the class apply() builds its results with; see register_tensor_type


def register_tensor_type(cls: type[Tensor]) -> None:
    """Called once by :mod:`minitorch.tensor`: the class of the tensors operations return."""
    global _Tensor
    _Tensor = cls


class _ThreadGradMode(threading.local):
    """The grad mode of the running thread (every thread starts with recording on), and for
    each grad-mode object entered in this thread, the modes its exits will restore."""

    enabled = True

    def __init__(self) -> None:
        self.to_restore: dict[_GradMode, list[bool]] = {}


_grad_mode = _ThreadGradMode()


def is_grad_enabled() -> bool:
    """Whether operations are currently recorded for differentiation (in this thread)."""
    return _grad_mode.enabled


class _GradMode(contextlib.ContextDecorator):
    """Sets gradient recording on or off for a ``with`` block or a decorated function.

    The mode to restore is kept per entry, in a stack per object and thread, so one object
    can be entered again before it is exited (a decorated recursive function, nested
    ``with`` blocks) and used by several threads at once. A decorated generator function
    runs under the mode each time it is resumed; the caller's mode is back when it yields.
    """

    enabled = True

    def __enter__(self) -> None:
        _grad_mode.to_restore.setdefault(self, []).append(_grad_mode.enabled)
        _grad_mode.enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        to_restore = _grad_mode.to_restore
        previous = to_restore[self]
        _grad_mode.enabled = previous.pop()
        if not previous:
            del to_restore[self]

    def __call__(self, func: Callable) -> Callable:
        if not inspect.isgeneratorfunction(func):
            return super().__call__(func)

        @functools.wraps(func)
        def generator_under_mode(*args: Any, **kwargs: Any) -> Any:
            generator = func(*args, **kwargs)
            resume, value = generator.send, None
            while True:
                try:
                    with self:
                        reply = resume(value)
                except StopIteration as finished:
                    return finished.value
                try:
                    value = yield reply
                except GeneratorExit:
                    with self:
                        generator.close()
                    raise
                except BaseException as error:  # thrown in by the caller: pass it on
                    resume, value = generator.throw, error
                else:
                    resume = generator.send

        return generator_under_mode


class no_grad(_GradMode):
    """Context manager and decorator: no graph is recorded inside it.

    Use it for evaluation and for parameter updates::

        with minitorch.no_grad():
            predictions = model(x)
    """

    enabled = False


class enable_grad(_GradMode):
    """Context manager and decorator that turns recording back on inside ``no_grad``."""

    enabled = True


class Function:
    """One differentiable operation: ``forward`` and ``backward`` side by side.

    Subclasses implement:

    * ``forward(self, *arrays, **options) -> ndarray``: the result, saving on ``self`` what
      ``backward`` needs;
    * ``backward(self, grad) -> ndarray | tuple``: the gradient for each array input of
      ``forward``, in order (``None`` for an input that needs none). A gradient may have the
      broadcast shape of the output: the engine sums it back to the input's shape.

    ``backward`` must not modify ``grad`` in place; it may return ``grad`` itself or a view of it.
    """

    parents: tuple[Tensor, ...] | None = None
    sequence: int = 0  # when the operation was recorded: later ones have larger numbers

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run ``forward`` on the inputs' data and record the graph when gradients are needed."""
        ctx = cls()
        first = inputs[0]
        try:
            # Up to three arrays are passed by name: on a small tensor, building a generic
            # argument list costs as much as the NumPy work itself.
            arity = len(inputs)
            if arity == 1:
                data = ctx.forward(first._data, **options) if options else ctx.forward(first._data)
            elif arity == 2:
                second = inputs[1]._data
                if options:
                    data = ctx.forward(first._data, second, **options)
                else:
                    data = ctx.forward(first._data, second)
            elif arity == 3 and not options:
                data = ctx.forward(first._data, inputs[1]._data, inputs[2]._data)
            else:
                data = ctx.forward(*[t._data for t in inputs], **options)
        except ValueError as error:
            shapes = ", ".join(str(t.shape) for t in inputs)
            raise ValueError(f"{cls.__name__} of shapes {shapes}: {error}") from None
        out = _new_tensor(_Tensor)  # Tensor._make inlined: this runs for every op
        out._data, out._grad, out._hooks, out._modified_at = data, None, None, None
        if _grad_mode.enabled and (first.requires_grad or any(map(_requires_grad, inputs))):
            out.requires_grad, out._ctx = True, ctx
            ctx.parents, ctx.sequence = inputs, next(_sequence)
        else:
            out.requires_grad, out._ctx = False, None
        return out

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether ``backward`` has to compute its gradient."""
        return tuple(map(_requires_grad, self.parents))

    def forward(self, *arrays: np.ndarray, **options: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> np.ndarray | tuple[np.ndarray | None, ...]:
        raise NotImplementedError(f"{type(self).__name__} is not differentiable")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach ``shape``.

    A value broadcast to many positions contributed to each of them, so its gradient is the
    sum of theirs. A ``grad`` that no broadcast of ``shape`` explains comes back with a
    shape other than ``shape``, for the caller to report.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0:
        return grad  # fewer dimensions than the input: not a broadcast, so left for the caller
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def backward(root: Tensor, grad: np.ndarray, retain_graph: bool | None = False) -> None:
    """Accumulate d(root)/d(leaf) * ``grad`` into ``.grad`` of every leaf that requires grad.

    Tensors are visited newest operation first (a priority queue on the sequence number), so
    each is reached once, with its gradient complete, after every tensor computed from it.
    It is a loop, not a recursion, so graphs of any depth work; it takes O(n log w) time for
    n recorded operations, w being the most tensors waiting for their gradient at once (the
    width of the graph: 1 or 2 along a chain of layers, so close to linear). Gradients of
    intermediate tensors are dropped as soon as they have been passed on, and unless
    ``retain_graph`` each node's saved values are released right after its backward.
    Leaves take their gradients directly (added in place to the ``.grad`` they own), except
    leaves with hooks, which must see their whole gradient at once and are finished last.
    """
    if root._ctx is None:
        _accumulate_leaf(root, _run_hooks(root, grad), borrowed=True)
        return
    make_tensor = _Tensor._make
    grads: dict[Tensor, np.ndarray] = {}  # gradients gathered for tensors still to visit
    queue: list[tuple[int, Tensor]] = []  # those tensors, newest operation first
    hooked_leaves: list[Tensor] = []
    node, node_grad = root, grad
    while True:
        if node._hooks:
            node_grad = _run_hooks(node, node_grad)
        ctx = node._ctx
        parents = ctx.parents
        if parents is None:
            raise RuntimeError(
                f"backward through a graph that was already freed (the {type(ctx).__name__} "
                "node's saved values are gone): call backward(retain_graph=True) the first "
                "time to backpropagate through the same graph again"
            )
        sequence = ctx.sequence
        stamp = node._modified_at
        if stamp is not None and stamp[0] > sequence:
            raise _modified_in_place(ctx)
        parent_grads = ctx.backward(node_grad)
        if type(parent_grads) is not tuple:
            parent_grads = (parent_grads,)
        for parent, parent_grad in zip(parents, parent_grads):
            stamp = parent._modified_at
            if stamp is not None and stamp[0] > sequence:
                raise _modified_in_place(ctx, parents, parent)
            if parent_grad is None or not parent.requires_grad:
                continue
            data = parent._data
            if parent_grad.shape != data.shape or parent_grad.dtype is not data.dtype:
                fitted = unbroadcast(parent_grad, data.shape)
                if fitted.shape != data.shape:
                    raise _wrong_gradient_shape(ctx, parent, parent_grad, parent_grads)
                parent_grad = fitted.astype(data.dtype, copy=False)
            if parent._ctx is not None or parent._hooks:
                if parent in grads:
                    grads[parent] = grads[parent] + parent_grad
                else:
                    grads[parent] = parent_grad
                    if parent._ctx is None:
                        hooked_leaves.append(parent)
                    else:
                        heappush(queue, (-parent._ctx.sequence, parent))
            elif parent._grad is None:  # _accumulate_leaf, inlined: it runs for every edge
                owned = _owned(parent_grad, borrowed=parent_grad is node_grad)
                parent._grad = make_tensor(owned, False)
            else:
                parent._grad._data += parent_grad
        if not retain_graph:
            ctx.__dict__.clear()  # drop the saved arrays and the inputs: the graph is freed
        if not queue:
            break
        node = heappop(queue)[1]
        node_grad = grads.pop(node)
    for leaf in hooked_leaves:
        _accumulate_leaf(leaf, _run_hooks(leaf, grads.pop(leaf)), borrowed=True)


def _modified_in_place(ctx: Function, parents: tuple = (), changed: Any = None) -> RuntimeError:
    """The error for an operation whose output (or input ``changed``) was changed in place
    after the operation was recorded."""
    which = "its output"
    if changed is not None:
        which = f"its input {next(i for i, p in enumerate(parents) if p is changed)}"
    return RuntimeError(
        f"backward through {type(ctx).__name__}: {which} was modified by an in-place operation "
        "after the operation used it, so the values saved for its gradient are stale (for "
        "example an optimizer.step(), a write through .data, or x += ... between the forward "
        "pass and backward()); run the forward pass again after the change, or use an "
        "out-of-place operation (x = x + ...)"
    )


def _wrong_gradient_shape(
    ctx: Function, parent: Tensor, grad: np.ndarray, grads: tuple[np.ndarray | None, ...]
) -> RuntimeError:
    """The error for a ``backward`` that returned a gradient no broadcast explains."""
    pairs = enumerate(zip(ctx.parents, grads))
    index = next(i for i, (p, g) in pairs if p is parent and g is grad)
    return RuntimeError(
        f"{type(ctx).__name__}.backward returned a gradient of shape {grad.shape} for input "
        f"{index}, which has shape {parent.shape}: a gradient must have its input's shape "
        "(or a shape that input broadcasts to)"
    )


def _accumulate_leaf(leaf: Tensor, grad: np.ndarray, borrowed: bool) -> None:
    """Add ``grad`` to ``leaf.grad``, in place once there is one (as PyTorch does)."""
    if leaf._grad is None:
        leaf._grad = _Tensor._make(_owned(grad, borrowed), False)
    else:
        leaf._grad._data += grad


def _owned(grad: np.ndarray, borrowed: bool) -> np.ndarray:
    """``grad`` itself when nothing else holds it, else a copy: a leaf's gradient is added to
    in place and may be changed by the user, so it must not share memory with another array
    (a borrowed array, which the engine or an op still holds, or a view)."""
    return grad.copy() if borrowed or grad.base is not None else grad


def _run_hooks(node: Tensor, grad: np.ndarray) -> np.ndarray:
    """Call the tensor's hooks in order with the gradient as a Tensor; one that returns a
    tensor (or array) replaces the gradient."""
    for hook in node._hooks or ():
        replaced = hook(_Tensor._make(grad, False))
        if replaced is not None:
            replaced = getattr(replaced, "_data", replaced)
            grad = np.asarray(replaced, dtype=node._data.dtype)
    return grad
