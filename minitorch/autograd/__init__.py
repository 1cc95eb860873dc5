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
input it belongs to (:func:`unbroadcast`), so the ops never have to, and the one place that
adds an indexing's gradient into the input's (:class:`ScatteredGrad`), where it lands.

In-place changes are checked the same way: a tensor whose memory is changed in place is
stamped with a fresh sequence number (:func:`in_place_stamp`), so an operation recorded
before the change finds, at backward time, an input or output stamped later than itself: the
values it saved are stale, and backward raises instead of returning a wrong gradient.

Higher-order gradients
----------------------
Each ``backward`` formula is written once and runs in two modes:

* first order (``loss.backward()``, ``grad(...)``): the gradient and the saved values are
  NumPy arrays, and the formula is plain NumPy arithmetic, as fast as hand-written code;
* ``create_graph=True``: the engine calls the same ``backward`` on a copy of the node in
  which the gradient is a Tensor, every input that ``forward`` saved under its parameter's
  name (``self.x = x``) is that input's Tensor, and the result saved as ``self.out`` is the
  output Tensor. The formula's arithmetic is then itself recorded, so the gradients it
  returns are Tensors with a graph of their own, which can be differentiated again, to any
  order.

So a formula uses only what arrays and Tensors share: the operators (``+ - * / ** @``, unary
``-``), indexing, ``.T``, ``.reshape``, ``.swapaxes``, ``.sum(axis=..., keepdims=...)``, and the
functions of :mod:`minitorch.ops.generic` (``exp``, ``log``, ``where``, ``permute``, ...), which
take either. Anything else a ``forward`` saves (a shape, an axis, a 0/1 mask, indices) is a
constant of the formula, so it must not vary smoothly with the inputs: a value that does
(a softmax, a normalised input) is recomputed in ``backward`` from the saved inputs and
output. Under ``create_graph`` a NumPy function given a Tensor inside a formula raises
instead of silently treating it as a constant.

A fused operation whose ``backward`` is tuned NumPy code (in-place updates, strided views)
instead defines ``composite``: the same result built from other operations. Under
``create_graph`` its gradient is the gradient of that composite, recomputed from the node's
inputs and the options it was called with (``Function.apply`` keeps them in
``self.options``). ``tests/test_higher_order.py`` checks every op of ``tests/op_registry.py``,
and the fused ones, with :func:`minitorch.gradgradcheck`.

Functions written in PyTorch's style
------------------------------------
A subclass whose ``forward`` and ``backward`` are staticmethods taking ``ctx`` first works on
Tensors, as in PyTorch; its node in the graph is a :class:`FunctionCtx`, which hands that
``backward`` the gradient as a Tensor and gives the engine arrays back (Tensors under
``create_graph``, where that ``backward`` runs with recording on).

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
import sys
import threading
import warnings
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from heapq import heappop, heappush
from operator import attrgetter, itemgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from minitorch.memory import copy_like

if TYPE_CHECKING:
    from minitorch.tensor import Tensor

_requires_grad = attrgetter("requires_grad")
_new_tensor = object.__new__
_sequence = itertools.count(1)
_last_change = 0  # the sequence number of the latest in-place change, see in_place_stamp
_Tensor: type[Tensor]  # the class apply() builds its results with; see register_tensor_type


def register_tensor_type(cls: type[Tensor]) -> None:
    """Called once by :mod:`minitorch.tensor`: the class of the tensors operations return."""
    global _Tensor
    _Tensor = cls


class _ThreadGradMode(threading.local):
    """The grad mode of the running thread (every thread starts with recording on), and for
    each grad-mode object entered in this thread, the modes its exits will restore."""

    enabled = True
    inference = False  # inside inference_mode() (which also turns recording off)

    def __init__(self) -> None:
        self.to_restore: dict[_GradMode, list[bool]] = {}
        self.inference_before: list[bool] = []  # restored by inference_mode's exits, in turn


_grad_mode = _ThreadGradMode()

# How many threads have recording off right now. While it is 0 every thread records, and
# Function.apply reads this plain global instead of the thread-local mode, which costs four
# times as much on each operation. A thread that ends inside no_grad leaves it above 0: then
# apply only takes the slower, still exact, path.
_threads_not_recording = 0
_shared_counts_lock = threading.Lock()


def _set_mode(enabled: bool) -> None:
    """Switch recording on or off in this thread, keeping ``_threads_not_recording`` exact:
    the count goes up before this thread stops recording and down after it starts again."""
    global _threads_not_recording
    if enabled == _grad_mode.enabled:
        return
    if enabled:
        _grad_mode.enabled = True
        with _shared_counts_lock:
            _threads_not_recording -= 1
    else:
        with _shared_counts_lock:
            _threads_not_recording += 1
        _grad_mode.enabled = False


class OperationError(RuntimeError, ValueError):
    """An operation refused its inputs (shapes that do not broadcast or multiply, a reshape to
    another size): a RuntimeError, as PyTorch raises, that ``except ValueError`` (NumPy's
    error for the same) catches too."""


def in_place_stamp() -> int:
    """A fresh sequence number for an in-place change, which the changed tensor keeps; it is
    also remembered as the latest change, so backward checks a node's inputs and output for
    changes only when some change is newer than the node (rare: the usual loop changes the
    parameters in place before the forward pass)."""
    global _last_change
    with _shared_counts_lock:  # the latest change never goes back, whatever the threads do
        _last_change = stamp = next(_sequence)
    return stamp


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

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and callable(args[0]):
            return cls()(args[0])  # written bare as a decorator: @no_grad
        return super().__new__(cls)

    def __enter__(self) -> None:
        _grad_mode.to_restore.setdefault(self, []).append(_grad_mode.enabled)
        _set_mode(self.enabled)

    def __exit__(self, *exc_info: object) -> None:
        to_restore = _grad_mode.to_restore
        previous = to_restore[self]
        _set_mode(previous.pop())
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


class _ModeWithoutArguments(_GradMode):
    """A mode that takes no arguments (``no_grad()``); like every mode it also decorates a
    function written bare (``@no_grad``), as in PyTorch."""

    def __init__(self, *args: Any) -> None:
        if args:
            raise TypeError(
                f"{type(self).__name__}() takes no arguments (or a function to decorate), got "
                f"{type(args[0]).__name__}"
            )


class no_grad(_ModeWithoutArguments):
    """Context manager and decorator: no graph is recorded inside it.

    Use it for evaluation and for parameter updates::

        with minitorch.no_grad():
            predictions = model(x)
    """

    enabled = False


class enable_grad(_ModeWithoutArguments):
    """Context manager and decorator that turns recording back on inside ``no_grad``."""

    enabled = True


class inference_mode(_GradMode):
    """``no_grad`` under the name recent PyTorch code uses: ``inference_mode()`` stops recording
    (as does ``@inference_mode`` on a function), ``inference_mode(False)`` turns it on.
    :func:`is_inference_mode_enabled` tells whether one is in effect. (Tensors made inside
    are ordinary tensors: PyTorch's refuse to be recorded afterwards.)"""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self.enabled = not mode

    def __enter__(self) -> None:
        _grad_mode.inference_before.append(_grad_mode.inference)
        _grad_mode.inference = self.mode
        super().__enter__()

    def __exit__(self, *exc_info: object) -> None:
        super().__exit__(*exc_info)
        _grad_mode.inference = _grad_mode.inference_before.pop()


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode()`` is in effect in this thread."""
    return _grad_mode.inference


class set_grad_enabled(_GradMode):
    """Recording on or off as ``mode`` says, as in PyTorch: called on its own it switches this
    thread's mode at once (``set_grad_enabled(False)``); as a context manager or decorator
    (``with set_grad_enabled(phase == "train"):``) the previous mode is back afterwards."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"set_grad_enabled expected a bool, got {type(mode).__name__}")
        self.enabled = bool(mode)
        self._mode_before = _grad_mode.enabled  # what the first exit restores
        _set_mode(self.enabled)

    def __enter__(self) -> None:
        super().__enter__()
        if self._mode_before is not None:  # the mode was switched already, by __init__
            _grad_mode.to_restore[self][-1] = self._mode_before
            self._mode_before = None

    def __call__(self, func: Callable) -> Callable:
        if self._mode_before is not None:  # a decorator switches only while func runs
            _set_mode(self._mode_before)
            self._mode_before = None
        return super().__call__(func)


class Function:
    """One differentiable operation: ``forward`` and ``backward`` side by side.

    Subclasses implement:

    * ``forward(self, *arrays, **options) -> ndarray``: the result, saving on ``self`` what
      ``backward`` needs: an input under its parameter's name (``self.x = x``), the result as
      ``self.out``, anything else (shapes, masks, indices) under any other name;
    * ``backward(self, grad) -> ndarray | tuple``: the gradient for each array input of
      ``forward``, in order (``None`` for an input that needs none). A gradient may have the
      broadcast shape of the output: the engine sums it back to the input's shape.

    ``backward`` must not modify ``grad`` in place; it may return ``grad`` itself or a view of it.
    It is written once for arrays and for Tensors, so that ``create_graph=True`` can record it
    (see the module's docstring)::

        class Mul(Function):
            def forward(self, a, b):
                self.a, self.b = a, b      # inputs, saved under their names
                return a * b

            def backward(self, grad):      # arrays, or Tensors under create_graph
                return grad * self.b, grad * self.a

    A fused operation whose ``backward`` cannot be written that way sets ``composite`` to a
    function of the input Tensors and the options that builds the same result from other
    operations; its gradient under ``create_graph`` is then that of the composite.

    A subclass may instead be written as in PyTorch, with ``forward(ctx, *args)`` and
    ``backward(ctx, *grads)`` as staticmethods on Tensors: its ``apply`` is then
    :meth:`FunctionCtx.apply_function` (chosen once, when the class is defined).

    Each call is a node of the graph (``tensor.grad_fn``), an instance of a subclass made
    once per operation and named as PyTorch names its node: ``node_name`` where an operation
    is one of PyTorch's (``MulBackward0``), else the class's name and ``Backward``, as
    PyTorch names the nodes of custom Functions.
    """

    parents: tuple[Tensor, ...] | None = None
    sequence: int = 0  # when the operation was recorded: later ones have larger numbers
    options: Mapping[str, Any] = MappingProxyType({})  # apply's keyword arguments (composite)
    composite: Any = None
    node_name = ""  # PyTorch's name for the node of this operation, where it has one
    # True where backward reads its inputs' values (not only what forward saved on self).
    backward_reads_inputs = False
    _node_type: type[Function]  # the class of the nodes apply() records
    _is_node = False  # True for the node classes themselves
    _setup_context: Any = None  # of a Function in PyTorch's style whose forward has no ctx

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Decided here, once per class, so that apply, which runs for every op, never asks.
        if cls._is_node:
            return
        if isinstance(inspect.getattr_static(cls, "forward"), staticmethod):
            cls.apply = classmethod(FunctionCtx.apply_function)  # type: ignore[method-assign]
            if isinstance(inspect.getattr_static(cls, "setup_context", None), staticmethod):
                cls._setup_context = cls.setup_context
            cls._node_type = type(f"{cls.__name__}Backward", (FunctionCtx,),
                                  {"function": cls, "__module__": cls.__module__})
        else:
            name = cls.__dict__.get("node_name") or f"{cls.__name__}Backward"
            cls._node_type = type(name, (cls,), {"_is_node": True, "__qualname__": name,
                                                 "__module__": cls.__module__})
            cls._node_type._node_type = cls._node_type

    @classmethod
    def named(cls, node_name: str) -> type[Function]:
        """This operation, recording its nodes under ``node_name``. PyTorch names one node
        by the way an operation was asked for, where it is one operation here: indexing
        (``SelectBackward0``, ``SliceBackward0``, ``IndexBackward0``), sums over everything
        or along dimensions (``SumBackward0``, ``SumBackward1``), ``1 - x``
        (``RsubBackward1``)."""
        variant = _named_variants.get((cls, node_name))
        if variant is None:
            variant = type(cls.__name__, (cls,), {"node_name": node_name,
                                                  "__qualname__": cls.__qualname__,
                                                  "__module__": cls.__module__})
            _named_variants[cls, node_name] = variant
        return variant

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run ``forward`` on the inputs' data and record the graph when gradients are needed."""
        ctx = cls._node_type()
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
            raise OperationError(f"{cls.__name__} of shapes {shapes}: {error}") from None
        if type(data) is not _ndarray:  # a NumPy scalar, as ufuncs return for 0-d results: a
            scalar, data = data, _as_array(data)  # 0-d array, to share memory as others do
            # The saved result (create_graph uses it), read by getattr: reading ctx.__dict__
            # would give the node a dict of its own, which slows its later attributes.
            if getattr(ctx, "out", None) is scalar:
                ctx.out = data
        out = _new_tensor(_Tensor)  # Tensor._make inlined: this runs for every op
        out._data, out._grad, out._hooks, out._modified_at = data, None, None, None
        if (not _threads_not_recording or _grad_mode.enabled) and (
            first.requires_grad or any(map(_requires_grad, inputs))
        ):
            out.requires_grad, out._ctx = True, ctx
            ctx.parents, ctx.sequence = inputs, next(_sequence)
            if options:
                ctx.options = options
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

    def name(self) -> str:
        """The node's name, as PyTorch's ``grad_fn.name()`` gives it (``MulBackward0``)."""
        return type(self).__name__

    @property
    def next_functions(self) -> tuple[tuple[Function | AccumulateGrad | None, int], ...]:
        """For each input, as in PyTorch: ``(the node that computed it, 0)``, ``(an
        AccumulateGrad, 0)`` for a leaf that requires grad, ``(None, 0)`` for an input that
        needs no gradient. Empty once backward has freed the node (PyTorch keeps them)."""
        return tuple((_node_of(tensor), 0) for tensor in self.parents or ())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"


_named_variants: dict[tuple[type[Function], str], type[Function]] = {}
_ndarray, _as_array = np.ndarray, np.asarray


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf that requires grad, as in PyTorch: the step of
    backward that adds the gradient into ``variable.grad``. Made on each request (PyTorch
    keeps one per leaf)."""

    next_functions: tuple = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def _node_of(tensor: Tensor) -> Function | AccumulateGrad | None:
    if not tensor.requires_grad:
        return None
    return AccumulateGrad(tensor) if tensor._ctx is None else tensor._ctx


class FunctionCtx(Function):
    """The ``ctx`` of a :class:`Function` written in PyTorch's style, and its node in the graph.

    Such a Function has staticmethods ``forward(ctx, *args)`` (or ``forward(*args)`` with a
    separate ``setup_context(ctx, inputs, output)``), which computes a Tensor, or a tuple of
    them, from Tensors and other arguments with recording off, and ``backward(ctx,
    *grad_outputs)``, which gets one gradient per output and returns one per argument of
    ``forward`` (a Tensor, or None). ``forward`` keeps what ``backward`` needs with
    ``ctx.save_for_backward(*tensors)`` (read back as ``ctx.saved_tensors``) or as any
    attribute of ``ctx``; ``ctx.needs_input_grad`` says, for each argument, whether its
    gradient is needed; ``ctx.mark_non_differentiable(*outputs)`` takes outputs (indices,
    say) out of the graph; the gradient of an output that got none is zeros, or None after
    ``ctx.set_materialize_grads(False)``.

    The engine gives every node array gradients and expects arrays back; this class adapts at
    that boundary, so the library's own operations keep their array-level fast path. Under
    ``create_graph`` ``backward`` runs on Tensors with recording on, so a ``backward`` written
    in Tensor operations can be differentiated again (an output saved for backward is then
    the output itself, in the graph, as PyTorch's double-backward tutorial relies on).

    Several outputs: the first differentiable one is this node; each other one is an
    :class:`_OtherOutput` node whose only parent is the first, recorded just after it. The
    engine visits nodes newest first, so every other output hands its gradient over before
    this node runs ``backward`` once with all of them.

    In-place changes: a tensor saved with ``save_for_backward`` that was changed in place
    afterwards (an input, an output or any other) makes backward raise, as for the library's
    own operations.
    """

    backward_reads_inputs = True  # its backward sees Tensors, not the arrays saved on it

    function: type[Function]  # the Function written in PyTorch's style this is the node of
    _is_node = True  # its subclasses are the nodes of Functions written in PyTorch's style
    needs_input_grad: tuple[bool, ...] = ()  # per argument of forward, set by apply_function
    positions: tuple[int, ...] = ()  # the argument of forward each parent was passed as
    materialize_grads = True  # missing output gradients become zeros (else None)
    _saved: tuple[Any, ...] = ()  # by save_for_backward; outputs as _SavedOutput once recorded
    _versions: tuple[int, ...] = ()  # of the saved tensors, when they were saved
    _non_differentiable: tuple[Any, ...] = ()  # outputs given to mark_non_differentiable
    _layout: tuple[tuple | None, ...] = ()  # (shape, dtype) of each Tensor output, else None
    _first: int = 0  # which output is this node
    # The saved outputs' arrays and in-place records (the tensors would make a cycle).
    _outputs: dict[int, tuple[np.ndarray, list[int]]] = {}

    @staticmethod
    def apply_function(cls: type[Function], *args: Any) -> Any:
        """``apply`` of a Function written in PyTorch's style: ``forward`` runs on the
        arguments themselves with recording off; its differentiable outputs are recorded,
        with the Tensor arguments that require grad as their parents."""
        ctx = cls._node_type()
        recording = _grad_mode.enabled
        ctx.needs_input_grad = needs = tuple(
            recording and isinstance(arg, _Tensor) and arg.requires_grad for arg in args
        )
        with no_grad():
            if cls._setup_context is None:
                out = cls.forward(ctx, *args)
            else:
                out = cls.forward(*args)
                cls._setup_context(ctx, args, out)
        single = isinstance(out, _Tensor)
        outputs = (out,) if single else out
        if type(outputs) is not tuple or not any(isinstance(o, _Tensor) for o in outputs):
            raise TypeError(
                f"{cls.__name__}.forward must return a Tensor or a tuple with Tensors, got "
                f"{type(out).__name__}"
            )
        differentiable = [i for i, o in enumerate(outputs) if isinstance(o, _Tensor)
                          and o.dtype.kind == "f"
                          and not any(o is t for t in ctx._non_differentiable)]
        if not any(needs) or not differentiable:
            return out
        ctx._layout = tuple((o.shape, o.dtype) if isinstance(o, _Tensor) else None
                            for o in outputs)
        ctx._saved = tuple(_saved_output(t, outputs) for t in ctx._saved)
        ctx._outputs = {t.index: (outputs[t.index]._data, outputs[t.index]._change_record())
                        for t in ctx._saved if type(t) is _SavedOutput}
        # An output that already has a place in the graph (an argument returned as it is)
        # must not be taken over: a new tensor on the same memory stands in for it.
        outputs = tuple(
            _sharing_memory(o) if i in differentiable and (
                o.requires_grad or o._ctx is not None or any(o is arg for arg in args)) else o
            for i, o in enumerate(outputs)
        )
        ctx.positions = tuple(i for i, need in enumerate(needs) if need)
        ctx.parents = tuple(args[i] for i in ctx.positions)
        ctx.sequence = next(_sequence)
        ctx._first = differentiable[0]
        first = outputs[ctx._first]
        first.requires_grad, first._ctx = True, ctx
        for index in differentiable[1:]:
            _OtherOutput.record(outputs[index], ctx, index, first)
        return outputs[0] if single else outputs

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep ``tensors`` (or None) for ``backward``, as ``ctx.saved_tensors``; each one's
        version now is kept too, to find an in-place change by the time backward runs."""
        for index, tensor in enumerate(tensors):
            if tensor is not None and not isinstance(tensor, _Tensor):
                raise TypeError(
                    f"save_for_backward takes Tensors or None, got {type(tensor).__name__} at "
                    f"position {index}; keep other values as attributes of ctx"
                )
        self._saved = tensors
        self._versions = tuple(map(_version, tensors))

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Leave these outputs of ``forward`` out of the graph (their gradient is zeros)."""
        self._non_differentiable = outputs

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``backward`` gets zeros (True, the default) or None for the gradient of an
        output that nothing was computed from."""
        self.materialize_grads = value

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to ``save_for_backward``, in order."""
        outputs = self.__dict__.get("_output_tensors", {})
        return tuple(outputs[t.index] if type(t) is _SavedOutput else t for t in self._saved)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        """The engine's first-order call: the gradients, as arrays, for the node's parents."""
        outputs = {index: _Tensor._make(data, False) for index, (data, _) in self._outputs.items()}
        grads = self._output_grads(grad, _as_constant)
        with no_grad():
            parent_grads = self._run_backward(outputs, grads)
        return tuple(None if g is None else g._data for g in parent_grads)

    def backward_on_tensors(self, node: Tensor, grad: Tensor) -> tuple:
        """The gradients for the node's parents, as Tensors, from the Function's ``backward``
        with recording on (create_graph). A saved output is the output in the graph: this
        node, or, for another output, a new tensor on its memory recorded as that output."""
        outputs = {
            index: node if index == self._first
            else _OtherOutput.record(_Tensor._make(data, False), self, index, node)
            for index, (data, _) in self._outputs.items()
        }
        return self._run_backward(outputs, self._output_grads(grad, _as_constant))

    def _output_grads(self, grad: Any, as_tensor: Callable[[Any], Tensor]) -> list:
        """One gradient per output of forward: this node's, the ones the other outputs handed
        over, and for the rest zeros (or None without materialize_grads)."""
        handed_over = self.__dict__.pop("_handed_over", {})
        grads = []
        for index, layout in enumerate(self._layout):
            g = grad if index == self._first else handed_over.get(index)
            if g is None and layout is not None and self.materialize_grads:
                g = np.zeros(*layout)
            grads.append(None if g is None else as_tensor(g))
        return grads

    def _run_backward(self, outputs: dict[int, Tensor], grads: list) -> tuple:
        """Call the Function's ``backward`` and check what it returns: the gradients of the
        node's parents, as Tensors."""
        name = self.function.__name__
        for tensor, version in zip(self._saved, self._versions):
            if type(tensor) is _SavedOutput:
                changed = self._outputs[tensor.index][1][0] != version
            else:
                changed = _version(tensor) != version
            if changed:
                raise _stale_error(type(self).__name__, "a saved tensor")
        self._output_tensors = outputs
        try:
            returned = self.function.backward(self, *grads)
        finally:
            del self._output_tensors
        if type(returned) is not tuple:
            returned = (returned,)
        if len(returned) != len(self.needs_input_grad):
            raise RuntimeError(
                f"{name}.backward returned {len(returned)} gradients, expected "
                f"{len(self.needs_input_grad)}: one per argument of forward (None for an "
                "argument that needs none)"
            )
        for index, gradient in enumerate(returned):
            if gradient is not None and not isinstance(gradient, _Tensor):
                raise TypeError(
                    f"{name}.backward returned {type(gradient).__name__} as the gradient of "
                    f"argument {index}: expected a Tensor or None"
                )
        return tuple(returned[i] for i in self.positions)


def _as_constant(value: Any) -> Tensor:
    """``value`` if it is a Tensor, else the array as a Tensor outside the graph."""
    return value if isinstance(value, _Tensor) else _Tensor._make(value, False)


class _SavedOutput:
    """Stands in a FunctionCtx's saved tensors for its output number ``index``: the node
    keeps the output's array, not the tensor, whose node would point back at it."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


def _saved_output(tensor: Any, outputs: tuple) -> Any:
    """``tensor`` as saved by a FunctionCtx: a _SavedOutput if it is one of ``outputs``."""
    for index, output in enumerate(outputs):
        if tensor is output:
            return _SavedOutput(index)
    return tensor


class _OtherOutput(Function):
    """The node of an output of a PyTorch-style Function other than its first differentiable
    one: its gradient goes to that Function's node, which runs ``backward`` with all of
    them; its only parent is that first output, so the engine reaches the Function's node
    afterwards, whichever outputs were used."""

    shared: FunctionCtx
    index: int

    def name(self) -> str:
        """The Function's node's name: in PyTorch every output shows that one node."""
        return self.shared.name()

    @property
    def next_functions(self) -> tuple[tuple[Function | AccumulateGrad | None, int], ...]:
        return self.shared.next_functions

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self.shared):#x}>"

    @staticmethod
    def record(tensor: Tensor, shared: FunctionCtx, index: int, first: Tensor) -> Tensor:
        node = _OtherOutput()
        node.shared, node.index = shared, index
        node.parents, node.sequence = (first,), next(_sequence)
        tensor.requires_grad, tensor._ctx = True, node
        return tensor

    def backward(self, grad: Any) -> Any:
        """Hand ``grad`` to the Function's node; the first output gets zeros from here."""
        if self.shared.parents is None:  # that node's backward already ran, freeing it
            raise _freed_error(self.shared)
        handed_over = self.shared.__dict__.setdefault("_handed_over", {})
        previous = handed_over.get(self.index)
        handed_over[self.index] = grad if previous is None else previous + grad
        shape, dtype = self.shared._layout[self.shared._first]
        zeros = np.zeros(shape, dtype)
        return _Tensor._make(zeros, False) if isinstance(grad, _Tensor) else zeros


def _version(tensor: Tensor | None) -> int:
    """When ``tensor``'s memory was last changed in place (0: never)."""
    record = None if tensor is None else tensor._modified_at
    return 0 if record is None else record[0]


def _sharing_memory(tensor: Tensor) -> Tensor:
    """A new tensor, outside any graph, on ``tensor``'s memory and sharing its in-place record."""
    shared = _Tensor._make(tensor._data, False)
    shared._modified_at = tensor._change_record()
    return shared


class _Alias(Function):
    """z = x, the same memory: a stand-in for an input, so that the gradient reaching it can
    be collected without following the graph further back."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``grad`` (an array or a Tensor) over the axes that broadcasting added or stretched
    to reach ``shape``.

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


def add_at_index(values: np.ndarray, shape: tuple[int, ...], index: Any) -> np.ndarray:
    """Zeros of ``shape`` with ``values`` added at ``index`` (repeated positions add up)."""
    out = np.zeros(shape, dtype=values.dtype)
    if _is_basic_index(index):
        out[index] = values  # every position appears once: a plain assignment is enough
    else:
        np.add.at(out, index, values)
    return out


def _is_basic_index(index: Any) -> bool:
    """True for indices made only of ints, slices, None and Ellipsis: each element of the
    result then comes from a distinct element of the input."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts
    )


class ScatteredGrad:
    """The gradient of ``x[index]`` with respect to x, not yet built: zeros of x's shape with
    ``values`` (the gradient of the result) added at ``index``.

    An indexing's backward returns this, and the engine adds ``values`` where they land in
    the gradient it is gathering for x. A tensor read slice by slice (the steps of a
    sequence, ``unbind``, ``chunk``) so gets one array for its whole gradient, where building
    zeros of x's shape for every slice would cost time in the square of the slice count.
    """

    __slots__ = ("values", "shape", "index", "dtype")

    def __init__(self, values: np.ndarray, shape: tuple[int, ...], index: Any) -> None:
        self.values, self.shape, self.index, self.dtype = values, shape, index, values.dtype

    def add_to(self, total: np.ndarray) -> None:
        """Add ``values`` at ``index`` of ``total`` (an array of x's shape), in place."""
        if _is_basic_index(self.index):
            total[self.index] += self.values  # each position once: no need for np.add.at
        else:
            np.add.at(total, self.index, self.values)

    def built(self) -> np.ndarray:
        return add_at_index(self.values, self.shape, self.index)


# ----- the engine -----------------------------------------------------------------------------


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Any],
    retain_graph: bool | None = False,
    create_graph: bool = False,
    targets: _Targets | None = None,
) -> dict[Tensor, Any] | None:
    """Propagate ``root_grads`` (d loss / d root, one per root) back through the graph.

    Without ``targets``, d(loss)/d(leaf) is added into ``.grad`` of every leaf that requires
    grad. With ``targets``, only the part of the graph that leads to their inputs is visited
    and the inputs' gradients are returned, ``{input: gradient}``, without touching any
    ``.grad``.

    The gradients are NumPy arrays, or under ``create_graph`` Tensors whose computation is
    itself recorded (see the module's docstring). Tensors are visited newest operation first
    (a priority queue on the sequence number), so each is reached once, with its gradient
    complete, after every tensor computed from it. It is a loop, not a recursion, so graphs of
    any depth work; it takes O(n log w) time for n recorded operations, w being the most
    tensors waiting for their gradient at once (the width of the graph: 1 or 2 along a chain
    of layers, so close to linear). Gradients of intermediate tensors are dropped as soon as
    they have been passed on, and unless ``retain_graph`` each node's saved values are
    released right after its backward. Leaves take their gradients directly (added in place
    to the ``.grad`` they own), except leaves with hooks, leaves under ``create_graph`` and
    targets, whose whole gradient is needed at once: they are finished last.
    """
    if create_graph and not _grad_mode.enabled:  # the formulas' operations must be recorded
        with enable_grad():
            return run_backward(roots, root_grads, retain_graph, create_graph, targets)
    grads: dict[Tensor, Any] = {}  # gradients gathered for tensors still to visit or finish
    made_here: set[Tensor] = set()  # those whose gathered array the engine made (so may change)
    queue: list[tuple[int, Tensor]] = []  # the tensors to visit, newest operation first
    finish_last: list[Tensor] = []  # leaves whose whole gradient is needed at once
    special = create_graph or targets is not None  # each node goes through _special_backward
    if len(roots) == 1 and roots[0]._ctx is not None:
        node, node_grad = roots[0], root_grads[0]  # the usual case: visited without the queue
    else:
        for root, root_grad in zip(roots, root_grads):
            _gather(grads, queue, finish_last, root, root_grad)
        node, node_grad = (heappop(queue)[1], None) if queue else (None, None)
        if node is not None:
            node_grad = grads.pop(node)
            made_here.discard(node)
    while node is not None:
        if node._hooks:
            node_grad = _run_hooks(node, node_grad)
        ctx = node._ctx
        parents = ctx.parents
        if parents is None:
            parents = _freed(ctx, node, targets)
        if _last_change > ctx.sequence:  # something was changed in place since this node
            parents = _inputs_as_recorded(ctx, node, parents, create_graph)
        if special:
            parent_grads = _special_backward(ctx, node, node_grad, create_graph, targets)
        else:
            parent_grads = ctx.backward(node_grad)
        if type(parent_grads) is not tuple:
            parent_grads = (parent_grads,)
        for parent, parent_grad in zip(parents, parent_grads):
            if parent_grad is None or not parent.requires_grad:
                continue
            data = parent._data
            scattered = type(parent_grad) is ScatteredGrad
            if parent_grad.shape != data.shape or parent_grad.dtype is not data.dtype:
                if scattered:
                    parent_grad, scattered = parent_grad.built(), False
                fitted = unbroadcast(parent_grad, data.shape)
                if fitted.shape != data.shape:
                    raise _wrong_gradient_shape(ctx, parent, parent_grad, parent_grads)
                parent_grad = fitted if fitted.dtype == data.dtype else fitted.astype(data.dtype)
            if parent._ctx is not None or parent._hooks or special:  # _gather, inlined
                if parent not in grads:
                    if scattered:
                        parent_grad = parent_grad.built()
                        made_here.add(parent)
                    grads[parent] = parent_grad
                    if parent._ctx is None:
                        finish_last.append(parent)
                    else:
                        heappush(queue, (-parent._ctx.sequence, parent))
                elif not scattered:
                    grads[parent] = grads[parent] + parent_grad
                    made_here.add(parent)
                else:  # added in place, into an array of the engine's own
                    total = grads[parent]
                    if parent not in made_here or type(total) is not _ndarray:
                        # a copy, and an array even where a 0-d sum gave a NumPy scalar
                        total = grads[parent] = np.array(total)
                        made_here.add(parent)
                    parent_grad.add_to(total)
            elif parent._grad is None:  # _accumulate_leaf, inlined: it runs for every edge
                if scattered:
                    parent_grad = parent_grad.built()
                grad_tensor = _new_tensor(_Tensor)  # Tensor._make inlined too
                grad_tensor._data = _owned(parent_grad, parent_grad is node_grad, data)
                grad_tensor._grad = grad_tensor._ctx = grad_tensor._hooks = None
                grad_tensor.requires_grad, grad_tensor._modified_at = False, None
                parent._grad = grad_tensor
            elif scattered:
                parent_grad.add_to(parent._grad._data)
            else:
                parent._grad._data += parent_grad
        if not retain_graph:
            ctx.__dict__.clear()  # drop the saved arrays and the inputs: the graph is freed
        if not queue:
            break
        node = heappop(queue)[1]
        node_grad = grads.pop(node)
        if made_here:
            made_here.discard(node)
    for leaf in finish_last:
        leaf_grad = grads.pop(leaf)
        if leaf._hooks:
            leaf_grad = _run_hooks(leaf, leaf_grad)
        if targets is not None:
            targets.found[leaf] = leaf_grad
        else:
            _accumulate_leaf(leaf, leaf_grad, borrowed=True)
    return None if targets is None else targets.found


def _gather(grads: dict, queue: list, finish_last: list, tensor: Tensor, grad: Any) -> None:
    """Start backward at ``tensor`` (a root) with ``grad``, as an edge into it would."""
    if tensor in grads:
        grads[tensor] = grads[tensor] + grad
    else:
        grads[tensor] = grad
        if tensor._ctx is None:
            finish_last.append(tensor)
        else:
            heappush(queue, (-tensor._ctx.sequence, tensor))


def _freed(ctx: Function, node: Tensor, targets: _Targets | None) -> tuple:
    """A node whose saved values are gone can only be reached as an input of grad() that
    nothing further back is needed for; otherwise backward cannot go on."""
    if targets is not None and node in targets.inputs and node not in targets.leading:
        return ()
    raise _freed_error(ctx)


def _freed_error(ctx: Function) -> RuntimeError:
    return RuntimeError(
        f"backward through a graph that was already freed (the {type(ctx).__name__} node's "
        "saved values are gone): call backward(retain_graph=True) the first time to "
        "backpropagate through the same graph again"
    )


class _Targets:
    """The inputs that grad() or backward(inputs=...) wants the gradients of, those gradients
    once found, and the part of the graph that leads to the inputs: the tensors that an input
    is computed from, through their ``parents`` (the rest of the graph is not visited)."""

    def __init__(self, roots: Sequence[Tensor], inputs: Sequence[Tensor]) -> None:
        self.inputs = set(inputs)
        self.found: dict[Tensor, Any] = {}
        seen: set[Tensor] = set()
        stack = list(roots)
        while stack:
            tensor = stack.pop()
            if tensor not in seen:
                seen.add(tensor)
                if tensor._ctx is not None and tensor._ctx.parents:
                    stack.extend(tensor._ctx.parents)
        self.unreached = [i for i, tensor in enumerate(inputs) if tensor not in seen]
        self.leading: set[Tensor] = set()
        self.freed: Function | None = None  # a node met whose parents are no longer known
        # Oldest operation first, so every tensor's parents are settled before the tensor.
        for tensor in sorted((t for t in seen if t._ctx is not None), key=_sequence_of):
            parents = tensor._ctx.parents
            if parents is None:  # freed: visited (which raises) unless it is an input
                if tensor not in self.inputs:
                    self.leading.add(tensor)
                    self.freed = tensor._ctx
            elif any(p in self.leading or p in self.inputs for p in parents):
                self.leading.add(tensor)

    def wants(self, tensor: Tensor) -> bool:
        return tensor in self.leading or tensor in self.inputs


def _special_backward(ctx: Function, node: Tensor, grad: Any, create_graph: bool,
                      targets: _Targets | None) -> tuple:
    """``ctx.backward(grad)`` beyond the plain first-order pass: on Tensors under create_graph,
    and with ``targets`` only towards them (the gradient of an input is collected here)."""
    parents = ctx.parents or ()
    if targets is not None:
        if node in targets.inputs:
            targets.found[node] = grad
        if node not in targets.leading:
            return (None,) * len(parents)  # nothing it was computed from leads to an input
    parent_grads = _backward_on_tensors(ctx, node, grad) if create_graph else ctx.backward(grad)
    if targets is None:
        return parent_grads
    if type(parent_grads) is not tuple:
        parent_grads = (parent_grads,)
    return tuple(g if targets.wants(p) else None for p, g in zip(parents, parent_grads))


def _sequence_of(tensor: Tensor) -> int:
    return tensor._ctx.sequence


# ----- create_graph: the backward formulas on tensors ------------------------------------------


class _FormulaState(threading.local):
    on_tensors = False  # a backward formula is running on Tensors (create_graph)


_formula = _FormulaState()


def formula_on_tensors() -> bool:
    """Whether a backward formula is running on Tensors in this thread: Tensors refuse to be
    converted to arrays meanwhile, since the result would silently drop out of the graph."""
    return _formula.on_tensors


@functools.cache
def _input_names(cls: type[Function]) -> tuple[str, ...]:
    """The names of ``cls.forward``'s positional parameters: its inputs, in order."""
    names = []
    for parameter in list(inspect.signature(cls.forward).parameters.values())[1:]:
        if parameter.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD:
            break
        names.append(parameter.name)
    return tuple(names)


def _backward_on_tensors(ctx: Function, node: Tensor, grad: Tensor) -> tuple:
    """The gradients ``ctx.backward`` computes, as Tensors with a recorded graph.

    The formula runs on a copy of the node in which each saved input and the saved result
    (``self.out``) is its Tensor; a fused op's gradient is that of its ``composite``.
    """
    cls = type(ctx)
    if isinstance(ctx, FunctionCtx):  # written in PyTorch's style: on Tensors already
        return ctx.backward_on_tensors(node, grad)
    if isinstance(ctx, _OtherOutput):  # hands the Tensor gradient over as it is
        return ctx.backward(grad)
    if cls.composite is not None:
        return _composite_backward(ctx, grad)
    on_tensors = object.__new__(cls)
    saved = on_tensors.__dict__
    saved.update(ctx.__dict__)
    for name, parent in zip(_input_names(cls), ctx.parents):
        if saved.get(name) is parent._data:
            saved[name] = parent
    if saved.get("out") is node._data:
        saved["out"] = node
    outer, _formula.on_tensors = _formula.on_tensors, True
    try:
        parent_grads = on_tensors.backward(grad)
    finally:
        _formula.on_tensors = outer
    if type(parent_grads) is not tuple:
        parent_grads = (parent_grads,)
    return tuple(g if g is None or isinstance(g, _Tensor) else _Tensor._make(np.asarray(g), False)
                 for g in parent_grads)


def _composite_backward(ctx: Function, grad: Tensor) -> tuple:
    """The gradients of ``ctx.composite`` at the node's inputs, with their graph.

    The composite runs on stand-ins for the inputs that require grad (aliases of them), and
    the gradients are collected there: they reach the real inputs through the aliases when
    differentiated again, and do not flow on into the graph before the node.
    """
    stand_ins = [_Alias.apply(p) if p.requires_grad else p for p in ctx.parents]
    replay = type(ctx).composite(*stand_ins, **ctx.options)
    targets = _Targets((replay,), [s for s in stand_ins if s._ctx is not None])
    found = run_backward((replay,), (grad,), True, True, targets)
    return tuple(found.get(s) if s._ctx is not None else None for s in stand_ins)


# ----- helpers of the engine --------------------------------------------------------------------


def _inputs_as_recorded(ctx: Function, node: Tensor, parents: tuple,
                        create_graph: bool = False) -> tuple:
    """The node's inputs as they were when it was recorded, checked for changes since.

    An input that a recorded in-place operation changed afterwards holds the new value and
    its place in the graph, on new memory; it links back to a stand-in for the value the node
    used (``Tensor._previous``), which becomes the node's input, so the gradient goes to the
    operations that computed that value. Raises if the node's output or an input had its
    memory written after the node was recorded (through ``.data``, under ``no_grad``, by an
    optimizer) and the node saved an array on that memory: the values it saved for its
    gradient are stale. (An _OtherOutput saves none.)
    """
    if type(ctx) is _OtherOutput:
        return parents
    inputs = tuple(_as_recorded(tensor, ctx) for tensor in parents)
    # Where backward may read more than the saved arrays, any change counts.
    any_change = create_graph or ctx.backward_reads_inputs
    for which, tensor in [("its output", node), *((f"its input {i}", p) for i, p in
                                                   enumerate(inputs))]:
        stamp = tensor._modified_at
        if stamp is not None and stamp[0] > ctx.sequence and (
            any_change or any(np.may_share_memory(a, tensor._data) for a in _saved_arrays(ctx))
        ):
            raise _stale_error(type(ctx).__name__, which)
    if any(new is not old for new, old in zip(inputs, parents)):
        ctx.parents = inputs
    return inputs


def _saved_arrays(ctx: Function) -> list[np.ndarray]:
    """The arrays a node saved for its backward (``self.x = x``, also inside a tuple)."""
    arrays = []
    for value in ctx.__dict__.values():
        if isinstance(value, np.ndarray):
            arrays.append(value)
        elif isinstance(value, (tuple, list)):
            arrays.extend(v for v in value if isinstance(v, np.ndarray))
    return arrays


def _as_recorded(tensor: Tensor, ctx: Function) -> Tensor:
    """``tensor`` as it was when ``ctx`` was recorded: the stand-in for its value before the
    first recorded in-place change made since (``tensor`` itself when there was none)."""
    history = getattr(tensor, "_previous", None)  # (stamp, stand-in, requires_grad), in order
    first_later = bisect_right(history, ctx.sequence, key=itemgetter(0)) if history else 0
    if not history or first_later == len(history):
        return tensor
    _, stand_in, requires_grad = history[first_later]
    older = stand_in()
    if older is not None:
        return older
    if requires_grad:  # its graph was freed by an earlier backward
        raise _stale_error(type(ctx).__name__, "an input")
    # The value did not require grad, so no gradient goes to it: a constant stands in.
    return _Tensor._make(np.broadcast_to(np.zeros((), tensor.dtype), tensor.shape), False)


def _stale_error(node: str, which: str) -> RuntimeError:
    return RuntimeError(
        f"backward through {node}: {which} was modified by an in-place operation after the "
        "operation used it, so the values saved for its gradient are stale (for example an "
        "optimizer.step(), a write through .data, or x += ... between the forward pass and "
        "backward()); run the forward pass again after the change, or use an out-of-place "
        "operation (x = x + ...)"
    )


def _wrong_gradient_shape(
    ctx: Function, parent: Tensor, grad: np.ndarray, grads: tuple[np.ndarray | None, ...]
) -> RuntimeError:
    """The error for a ``backward`` that returned a gradient no broadcast explains."""
    pairs = enumerate(zip(ctx.parents, grads))
    index = next(i for i, (p, g) in pairs if p is parent and g is grad)
    written = type(ctx).__bases__[0] if type(ctx)._is_node else type(ctx)  # whose backward
    if isinstance(ctx, FunctionCtx):  # its backward numbers the arguments of forward
        index, written = ctx.positions[index], ctx.function
    return RuntimeError(
        f"{written.__name__}.backward returned a gradient of shape {grad.shape} for input "
        f"{index}, which has shape {parent.shape}: a gradient must have its input's shape "
        "(or a shape that input broadcasts to)"
    )


def _accumulate_leaf(leaf: Tensor, grad: Any, borrowed: bool) -> None:
    """Add ``grad`` to ``leaf.grad``: in place once there is one (as PyTorch does), or out of
    place for a Tensor gradient (create_graph), so that its graph is kept."""
    if isinstance(grad, _Tensor):
        leaf._grad = grad if leaf._grad is None else leaf._grad + grad
    elif leaf._grad is None:
        leaf._grad = _Tensor._make(_owned(grad, borrowed, leaf._data), False)
    else:
        leaf._grad._data += grad


def _owned(grad: np.ndarray, borrowed: bool, like: np.ndarray | None = None) -> np.ndarray:
    """``grad`` itself when nothing else holds its memory, else a copy in the same memory
    order: a leaf's gradient is added to in place and may be changed by the user, so it must
    not share memory with another array (a borrowed array, which the engine or an op still
    holds, or a view of memory that something else refers to).

    Given ``like``, a leaf's contiguous values, the gradient takes their memory layout, as in
    PyTorch, where a parameter and its ``.grad`` have the same strides (a convolution's
    weight gradient comes out of its matrix product transposed; the optimizer then also
    works on arrays of one layout).
    """
    if like is not None and grad.strides != like.strides and (
        like.flags.c_contiguous or like.flags.f_contiguous
    ):
        return copy_like(like, grad)
    if type(grad) is not _ndarray:  # a NumPy scalar: the leaf's 0-d gradient is an array
        return np.array(grad)
    # A view whose base only the view refers to (a transposed fresh product, as Linear's
    # weight gradient) is as good as owned: the reference count tells, the view's reference
    # and getrefcount's own argument making 2.
    if borrowed or not grad.flags.writeable or (
        grad.base is not None and sys.getrefcount(grad.base) > 2
    ):
        return grad.copy(order="K")
    return grad


def _run_hooks(node: Tensor, grad: Any) -> Any:
    """Call the tensor's hooks in order with the gradient as a Tensor; one that returns a
    tensor (or array) replaces the gradient (kept a Tensor under create_graph)."""
    on_tensors = isinstance(grad, _Tensor)
    for hook in node._hooks or ():
        replaced = hook(grad if on_tensors else _Tensor._make(grad, False))
        if replaced is None:
            continue
        if on_tensors:
            grad = replaced if isinstance(replaced, _Tensor) else _Tensor(replaced)
            grad = grad.astype(node._data.dtype)
        else:
            replaced = getattr(replaced, "_data", replaced)
            grad = np.asarray(replaced, dtype=node._data.dtype)
    return grad


# ----- the public functions -------------------------------------------------------------------


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple of Tensors (one per
    input), without touching any ``.grad``.

    ``grad_outputs`` is d(loss)/d(output) for each output (Tensors, arrays or None); it may
    be left out for one-element outputs, where it is 1. With ``create_graph=True`` the
    returned gradients have a graph of their own and can be differentiated again (to any
    order); the graph of ``outputs`` is then kept, as it is when ``retain_graph`` is True.
    An input that the outputs do not depend on raises, unless ``allow_unused``: its gradient
    is then None.
    """
    outputs = _tensor_list(outputs, "outputs")
    inputs = _tensor_list(inputs, "inputs")
    for index, tensor in enumerate(inputs):
        if not tensor.requires_grad:
            raise RuntimeError(
                f"grad: input {index} (shape {tensor.shape}) does not require grad, so it "
                "cannot be differentiated with respect to; create it with requires_grad=True"
            )
    seeds = _seeds(outputs, grad_outputs, create_graph, "grad")
    targets = _Targets(outputs, inputs)
    if targets.unreached and not allow_unused:
        if targets.freed is not None:  # perhaps the way to the input went through it
            raise _freed_error(targets.freed)
        raise _unused(targets.unreached[0], inputs)
    if retain_graph is None:
        retain_graph = create_graph
    found = run_backward(outputs, seeds, retain_graph, create_graph, targets)
    results = []
    for index, tensor in enumerate(inputs):
        gradient = found.get(tensor)
        if gradient is None:
            if not allow_unused:  # reached, but by no gradient (an op returned None for it)
                raise _unused(index, inputs)
            results.append(None)
        elif isinstance(gradient, _Tensor):
            results.append(gradient)
        else:  # its own memory: an op or the caller may hold the array the engine passed on
            results.append(_Tensor._make(_owned(gradient, borrowed=True), False))
    return tuple(results)


def _unused(index: int, inputs: list[Tensor]) -> RuntimeError:
    return RuntimeError(
        f"grad: input {index} (shape {inputs[index].shape}) was not used to compute the "
        "outputs, so it has no gradient; pass allow_unused=True to get None for it"
    )


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Accumulate the gradient of ``tensors`` into ``.grad`` of the leaves that require grad,
    or only of ``inputs`` when given (leaves or not), as ``tensor.backward(...)`` does.

    ``grad_tensors`` holds d(loss)/d(tensor) for each tensor (it may be left out for
    one-element tensors). With ``create_graph=True`` the gradients stored have a graph of their
    own; a parameter's gradient then refers back to the parameter, a reference cycle that only
    the garbage collector frees, so :func:`grad` is the better tool there (PyTorch warns the
    same way).
    """
    tensors = _tensor_list(tensors, "tensors")
    seeds = _seeds(tensors, grad_tensors, create_graph, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(
            "backward(create_graph=True) stores gradients that refer back to the tensors "
            "they belong to (a reference cycle, freed only by the garbage collector); prefer "
            "minitorch.autograd.grad(), or set .grad = None when done",
            stacklevel=3,
        )
    if inputs is None:
        run_backward(tensors, seeds, retain_graph, create_graph)
        return
    inputs = _tensor_list(inputs, "inputs")
    for tensor in inputs:
        if not tensor.requires_grad:
            raise RuntimeError(
                f"backward: an input of shape {tensor.shape} does not require grad, so no "
                "gradient can be accumulated into it"
            )
    found = run_backward(tensors, seeds, retain_graph, create_graph, _Targets(tensors, inputs))
    for tensor, gradient in found.items():
        _accumulate_leaf(tensor, gradient, borrowed=True)


def _tensor_list(value: Any, name: str) -> list[Tensor]:
    tensors = [value] if isinstance(value, _Tensor) else list(value)
    if not tensors:
        raise ValueError(f"{name} is empty: expected a Tensor or a sequence of Tensors")
    for tensor in tensors:
        if not isinstance(tensor, _Tensor):
            raise TypeError(f"{name} must be Tensors, got {type(tensor).__name__}")
    return tensors


def _seeds(outputs: list[Tensor], grad_outputs: Any, create_graph: bool, name: str) -> list:
    """The gradient to start from at each output, checked: arrays, or Tensors under
    create_graph. ``grad_outputs`` is one gradient, or one per output; None stands for 1."""
    if grad_outputs is None or isinstance(grad_outputs, (_Tensor, np.ndarray)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"{name}: got {len(grad_outputs)} gradients for {len(outputs)} outputs")
    seeds = []
    for output, given in zip(outputs, grad_outputs):
        if not output.requires_grad:
            raise RuntimeError(
                f"{name}() on a tensor that does not require grad: no input of the "
                "computation had requires_grad=True (or it ran under no_grad)"
            )
        if given is None:
            if output._data.size != 1:
                raise RuntimeError(
                    f"{name}() without a gradient works only for a one-element tensor, got "
                    f"shape {output.shape}; pass the gradient with that shape"
                )
            seed = _Tensor._make(np.ones(output.shape, dtype=output.dtype), False)
        else:
            seed = given if isinstance(given, _Tensor) else _Tensor(given, dtype=output.dtype)
            if seed.shape != output.shape:
                raise ValueError(
                    f"{name}() gradient has shape {seed.shape}, expected the tensor's shape "
                    f"{output.shape}"
                )
            seed = seed.astype(output.dtype)
        seeds.append(seed if create_graph else seed._data)
    return seeds


class _VariableMeta(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, _Tensor)


class Variable(metaclass=_VariableMeta):
    """``torch.autograd.Variable``, the wrapper of PyTorch before 0.4, kept (as PyTorch keeps
    it) so that old tutorials run: ``Variable(t, requires_grad=True)`` is a tensor sharing
    ``t``'s memory, detached from its graph, that requires grad as asked; every tensor is an
    instance of Variable."""

    def __new__(cls, data: Tensor, requires_grad: bool = False, volatile: bool = False
                ) -> Tensor:  # type: ignore[misc]
        if not isinstance(data, _Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        return data.detach().requires_grad_(requires_grad)
