"""Modules: objects that own parameters, buffers and other modules, found by attribute.

Assigning a :class:`Parameter` or a :class:`Module` to an attribute of a module registers it,
so ``parameters()``, ``state_dict()``, ``train()`` and ``zero_grad()`` reach everything a
model is built from without any list kept by hand. ``Sequential`` and ``ModuleList`` hold
numbered submodules the same way.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from minitorch import backends, devices, dtypes
from minitorch.autograd import Function, is_grad_enabled
from minitorch.memory import aligned_empty_like, cache_aligned
from minitorch.tensor import HookHandle, Tensor, to_arguments

Hook = Callable[..., Any]


class Parameter(Tensor):
    """A Tensor that a Module trains: it requires grad and is registered on assignment.

    ``Parameter(data)`` copies ``data`` (an array, a list or a Tensor), like ``Tensor``. The
    copy starts on a cache line, which makes the optimizer's update of a weight that BLAS
    threads have just read up to 2.6x faster (see :mod:`minitorch.memory`).
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        super().__init__(data, requires_grad=requires_grad)
        self._data = cache_aligned(self._data)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class _ParameterIterator(Iterator[Parameter]):
    """What ``Module.parameters()`` returns: an iterator, used up by one pass as PyTorch's
    generator is, that ``+`` also joins with another iterable into a list (code written when
    ``parameters()`` returned a list adds two models' parameters that way)."""

    __slots__ = ("_params",)

    def __init__(self, params: Iterable[Parameter]) -> None:
        self._params = iter(params)

    def __next__(self) -> Parameter:
        return next(self._params)

    def __add__(self, other: Iterable[Any]) -> list[Any]:
        return [*self, *other]

    def __radd__(self, other: Iterable[Any]) -> list[Any]:
        return [*other, *self]


class _IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: the keys it could not match (both lists are empty
    unless ``strict=False``). It prints as PyTorch's does: ``<All keys matched
    successfully>`` when nothing is missing or unexpected, else
    ``_IncompatibleKeys(missing_keys=[...], unexpected_keys=[...])``."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")

    __str__ = __repr__


IncompatibleKeys = _IncompatibleKeys


class StateDictError(ValueError, RuntimeError):
    """What ``load_state_dict`` raises for keys or shapes that do not match the module: a
    ValueError, and a RuntimeError as in PyTorch, so that ``except RuntimeError`` written
    for PyTorch catches it too."""


class Module:
    """Base class of every layer and model.

    Subclasses call ``super().__init__()`` first, assign their parameters and submodules as
    attributes, and define ``forward``; calling the module runs ``forward``, with the hooks
    registered by the ``register_*_hook`` methods around it.
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: these are the registries that our own __setattr__ fills.
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())  # as PyTorch names it
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_hooks", [])  # (kind, hook, with_kwargs), in calling order
        object.__setattr__(self, "training", True)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    # ----- hooks ----------------------------------------------------------------------------

    def register_forward_pre_hook(self, hook: Hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> HookHandle:
        """Call ``hook(module, args)`` (``hook(module, args, kwargs)`` with ``with_kwargs``)
        before every forward; a hook that returns a value replaces the arguments (a tuple,
        or one value; ``(args, kwargs)`` with ``with_kwargs``)."""
        return self._add_hook("forward_pre", hook, prepend, with_kwargs)

    def register_forward_hook(self, hook: Hook, *, prepend: bool = False,
                              with_kwargs: bool = False, always_call: bool = False) -> HookHandle:
        """Call ``hook(module, args, output)`` (``hook(module, args, kwargs, output)`` with
        ``with_kwargs``) after every forward; a hook that returns a value replaces the
        output. ``handle.remove()`` unregisters it. ``always_call`` is accepted for PyTorch's
        signature and ignored: here a forward that raises calls no hook."""
        return self._add_hook("forward", hook, prepend, with_kwargs)

    def register_full_backward_pre_hook(self, hook: Hook, prepend: bool = False) -> HookHandle:
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs are
        known, before they go further back; a returned tuple replaces ``grad_output``."""
        return self._add_hook("backward_pre", hook, prepend, False)

    def register_full_backward_hook(self, hook: Hook, prepend: bool = False) -> HookHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients of the module's
        Tensor inputs are known (None for an input that needs none); a returned tuple
        replaces ``grad_input``."""
        return self._add_hook("backward", hook, prepend, False)

    def _add_hook(self, kind: str, hook: Hook, prepend: bool, with_kwargs: bool) -> HookHandle:
        entry = (kind, hook, with_kwargs)
        self._hooks.insert(0 if prepend else len(self._hooks), entry)
        return HookHandle(self._hooks, entry)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        """``forward`` with the hooks, in PyTorch's order: forward pre-hooks, the backward
        hooks' hold on the inputs, forward, forward hooks, their hold on the outputs."""
        hooks = list(self._hooks)  # a hook may remove itself
        for kind, hook, with_kwargs in hooks:
            if kind != "forward_pre":
                continue
            result = hook(self, args, kwargs) if with_kwargs else hook(self, args)
            if result is not None:
                if with_kwargs:
                    args, kwargs = result
                else:
                    args = result if isinstance(result, tuple) else (result,)
        backward = [(kind, hook) for kind, hook, _ in hooks if kind.startswith("backward")]
        watch = _BackwardWatch(self, backward) if backward and is_grad_enabled() else None
        if watch is not None:
            args = watch.inputs(args)
        output = self.forward(*args, **kwargs)
        for kind, hook, with_kwargs in hooks:
            if kind == "forward":
                result = (hook(self, args, kwargs, output) if with_kwargs
                          else hook(self, args, output))
                if result is not None:
                    output = result
        return output if watch is None else watch.outputs(output)

    # ----- registration ---------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            registries = (self._parameters, self._modules, self._buffers)
        except AttributeError:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() has run: call "
                f"super().__init__() at the start of {type(self).__name__}.__init__"
            ) from None
        params, modules, buffers = registries
        if isinstance(value, Parameter):
            _check_name("parameter", name)
            self._forget(name)
            params[name] = value
        elif isinstance(value, Module):
            _check_name("module", name)
            self._forget(name)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} to parameter {name!r}: expected a "
                    f"Parameter or None (to change its values, assign to .{name}.data)"
                )
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} to submodule {name!r}: expected a "
                    f"Module or None"
                )
            modules[name] = None
        elif name in buffers:
            value = _buffer_tensor(name, value)
            buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)

    def _forget(self, name: str) -> None:
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def register_buffer(self, name: str, array: Any, persistent: bool = True) -> None:
        """Register state that is saved in ``state_dict`` but not trained (running
        statistics, for example). It is kept as a Tensor that does not require grad,
        sharing the memory of the array or Tensor given, as in PyTorch; assigning to the
        attribute later replaces it; None is allowed. A buffer with ``persistent=False``
        (a cache, say) is left out of ``state_dict`` and not expected by
        ``load_state_dict``, but is still a buffer: ``buffers()`` lists it and ``to()``
        converts it."""
        self._register(self._buffers, "buffer", name, array)
        if not persistent:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` under ``name`` (the same as assigning the attribute)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module expected a Module or None, got {type(module).__name__}")
        self._register(self._modules, "module", name, module)

    register_module = add_module

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name`` (the same as assigning the attribute)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign a {type(param).__name__} as parameter {name!r}: "
                            "expected a Parameter or None")
        self._register(self._parameters, "parameter", name, param)

    def _register(self, registry: dict, kind: str, name: str, value: Any) -> None:
        """Make ``name`` an entry of ``registry`` (and no other), then assign ``value``, which
        ``__setattr__`` files there; an attribute of another kind by that name is refused."""
        _check_name(kind, name)
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute {name!r} already exists")
        self._forget(name)
        registry[name] = None
        setattr(self, name, value)

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` ("" is this module)."""
        module = self
        for name in target.split(".") if target else []:
            if name not in module._modules or module._modules[name] is None:
                raise AttributeError(f"{type(module).__name__} has no submodule `{name}` "
                                     f"(looking for {target!r})")
            module = module._modules[name]
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target``, e.g. ``"0.weight"``."""
        return self._get_member(target, "_parameters", "parameter")

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target``, e.g. ``"bn.running_mean"``."""
        return self._get_member(target, "_buffers", "buffer")

    def _get_member(self, target: str, registry: str, kind: str) -> Any:
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in getattr(module, registry):
            raise AttributeError(f"{type(module).__name__} has no {kind} `{name}` (looking for "
                                 f"{target!r})")
        return getattr(module, registry)[name]

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """``Module.compile``: minitorch has no compiler (see :func:`minitorch.compile`); the
        module computes as before."""
        backends.compile(self, *args, **kwargs)

    # ----- traversal ------------------------------------------------------------------------

    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every module inside it, with dotted names (``prefix``, "" by
        default, for this one), parents before children, as a generator like PyTorch's. A
        module reached twice is yielded once unless ``remove_duplicate`` is False; modules in
        ``memo`` are skipped, and the ones yielded are added to it."""
        seen: set[Module] = set() if memo is None else memo
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if module in seen:
                    continue
                seen.add(module)
            yield name, module
            children = [
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in module._modules.items()
                if child is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it (see ``named_modules``), as a generator."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The directly registered submodules with their attribute names, as a generator; one
        registered under two names is yielded once, under the first, as in PyTorch."""
        seen: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        """The directly registered submodules, as a generator."""
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Parameters with dotted names such as ``"0.weight"`` (after ``prefix``), as a
        generator like PyTorch's (``list(...)`` or ``dict(...)`` to keep them); a parameter
        shared by several modules is yielded once, under the first name found, unless
        ``remove_duplicate`` is False."""
        for key, _, _, p in self._members("_parameters", recurse, prefix, remove_duplicate):
            yield key, p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """All parameters, as a one-pass iterator like PyTorch's generator
        (``next(model.parameters())`` gives the first); ``a.parameters() + b.parameters()``
        also joins two models' into a list, as the MiniTorch blog post's loop does."""
        return _ParameterIterator(p for _, _, _, p in self._members("_parameters", recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Buffers with dotted names, as a generator (see ``named_parameters``)."""
        for key, _, _, b in self._members("_buffers", recurse, prefix, remove_duplicate):
            yield key, b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """All buffers, as a generator (see ``parameters``)."""
        for _, _, _, b in self._members("_buffers", recurse):
            yield b

    def _members(self, registry: str, recurse: bool = True, prefix: str = "",
                 remove_duplicate: bool = True) -> list[tuple[str, Module, str, Any]]:
        """(dotted name, owning module, attribute name, value) of each registered parameter
        or buffer, skipping None and (unless ``remove_duplicate`` is False) repeats of a
        shared one or of a module reached twice."""
        if recurse:
            owners = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
        else:
            owners = [(prefix, self)]
        members, seen = [], set()
        for path, module in owners:
            for name, value in getattr(module, registry).items():
                if value is None or remove_duplicate and id(value) in seen:
                    continue
                seen.add(id(value))
                members.append((f"{path}.{name}" if path else name, module, name, value))
        return members

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule and then on this module (for custom
        initialisation), in PyTorch's order: each child's ``apply`` in turn, then ``fn(self)``
        (so a module held by two parents is visited twice); returns this module."""
        stack: list[tuple[Module, bool]] = [(self, False)]
        while stack:  # the recursion, unrolled: a deep model does not reach Python's limit
            module, children_done = stack.pop()
            if children_done:
                fn(module)
                continue
            stack.append((module, True))
            stack.extend((child, False) for child in reversed(list(module.children())))
        return self

    # ----- dtype, device and requires_grad --------------------------------------------------

    def to(
        self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False
    ) -> Module:
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(tensor)``: convert
        every floating-point parameter and buffer (and gradient) to ``dtype`` in place, so
        the Parameters stay the same objects; integer buffers keep their dtype. "cpu" is
        the one device. Returns this module."""
        dtype = to_arguments(args, dtype, device)
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to() only accepts floating point dtypes, got {dtype}")
        for param in self.parameters():
            if param._data.dtype.kind == "f" and param._data.dtype != dtype:
                param._data = cache_aligned(param._data, dtype)
                if param._grad is not None:
                    param._grad = Tensor._make(param._grad._data.astype(dtype), False)
                param._mark_modified()
        for _, module, name, buffer in self._members("_buffers"):
            if buffer.dtype.kind == "f" and buffer.dtype != dtype:
                setattr(module, name, buffer.astype(dtype))
        return self

    def float(self) -> Module:
        """Floating-point parameters and buffers to float32 (see :meth:`to`)."""
        return self.to(dtypes.float32)

    def double(self) -> Module:
        """Floating-point parameters and buffers to float64 (see :meth:`to`)."""
        return self.to(dtypes.float64)

    def half(self) -> Module:
        """Floating-point parameters and buffers to float16 (see :meth:`to`)."""
        return self.to(dtypes.float16)

    def cpu(self) -> Module:
        """This module: everything already is on the CPU."""
        return self

    def cuda(self, device: Any = None) -> Module:
        devices.on_cpu("cuda")  # raises: minitorch has no GPU
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` of every parameter (False freezes them, e.g. to fine-tune
        only a new head); returns this module."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    # ----- training state -------------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set training mode (``training = mode``) here and in every submodule; returns self.
        Layers such as Dropout behave differently in training and evaluation."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode: the same as ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: set it to None (the default, which frees it) or,
        with ``set_to_none=False``, fill it with zeros, as ``Optimizer.zero_grad`` does."""
        for p in self.parameters():
            if set_to_none:
                p._grad = None
            elif p._grad is not None:
                p._grad._data.fill(0)

    # ----- state dict -----------------------------------------------------------------------

    def state_dict(self, *, destination: dict[str, Any] | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Tensor]:
        """Every parameter and persistent buffer as a detached Tensor sharing its memory, as
        in PyTorch (``copy.deepcopy(model.state_dict())`` keeps a snapshot), by dotted name,
        in an OrderedDict in PyTorch's order and with PyTorch's keys: module by module, its
        parameters, then its buffers, then its submodules'; a module or parameter reachable
        by two names (tied weights) is under both.

        As in PyTorch, ``prefix`` goes before every key, ``destination`` (a dict) is filled
        and returned instead of a new dict, and ``keep_vars=True`` gives the Parameters and
        buffers themselves, not detached."""
        state = OrderedDict() if destination is None else destination
        for key, _, _, value in self._state_members():
            if not isinstance(value, Tensor):
                value = Tensor._make(value, False)
            elif not keep_vars:
                value = value.detach()
            state[prefix + key] = value
        return state

    def _state_members(self) -> list[tuple[str, Module, str, Any]]:
        """(dotted name, owning module, attribute name, value) of each entry of the state
        dict (see :meth:`state_dict`)."""
        members = []
        stack: list[tuple[str, Module]] = [("", self)]
        while stack:
            prefix, module = stack.pop()
            skipped = module._non_persistent_buffers_set
            for registry in (module._parameters, module._buffers):
                members += [
                    (prefix + name, module, name, value)
                    for name, value in registry.items()
                    if value is not None and not (registry is module._buffers and name in skipped)
                ]
            stack += reversed(
                [(f"{prefix}{name}.", child) for name, child in module._modules.items() if child]
            )
        return members

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> IncompatibleKeys:
        """Copy arrays (or Tensors) from ``state_dict`` into the parameters and buffers, or
        with ``assign=True`` make them the module's parameters and buffers.

        Raises :class:`StateDictError` (a ValueError and, as in PyTorch, a RuntimeError)
        naming the keys when, with ``strict``, some are missing or unexpected, and naming the
        key and both shapes when a shape differs (strict or not). Nothing is changed unless
        every check passes. Returns the missing and unexpected keys (empty lists unless
        ``strict=False``), which print ``<All keys matched successfully>`` when both are
        empty.

        By default values are copied into the module's own Parameters, which stay the same
        objects (an optimizer made before keeps updating them), converted to their dtypes.
        With ``assign=True`` (PyTorch 2.1+) nothing is copied: each parameter becomes the
        state dict's tensor (a Parameter of the state dict is used as it is, any other tensor
        or array becomes a Parameter sharing its memory), keeping the ``requires_grad`` of the
        parameter it replaces and taking the loaded dtype; each buffer becomes the loaded
        tensor. Make the optimizer after such a load, as it would still hold the replaced
        Parameters.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict expected a dict, got {type(state_dict).__name__}")
        targets = {key: (module, name, value) for key, module, name, value in self._state_members()}
        missing = [key for key in targets if key not in state_dict]
        unexpected = [key for key in state_dict if key not in targets]
        if strict and (missing or unexpected):
            problems = []
            if missing:
                problems.append(f"missing keys {missing}")
            if unexpected:
                problems.append(f"unexpected keys {unexpected}")
            raise StateDictError(
                f"state_dict does not match {type(self).__name__}: {' and '.join(problems)}"
            )
        checked = {}
        for key, (_, _, target) in targets.items():
            if key not in state_dict:
                continue
            current = _array(target)
            value = state_dict[key]
            array = _array(value) if assign else np.asarray(_array(value))
            if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
                found = getattr(array, "dtype", type(value).__name__)
                raise TypeError(f"state_dict[{key!r}] must be numeric, got {found}")
            if array.shape != current.shape:
                raise StateDictError(
                    f"state_dict[{key!r}] has shape {array.shape}, but the model's {key!r} has "
                    f"shape {current.shape}"
                )
            if assign:
                if (isinstance(target, Parameter) and target.requires_grad
                        and array.dtype.kind != "f"):
                    raise TypeError(f"state_dict[{key!r}] of dtype {array.dtype} cannot become "
                                    f"parameter {key!r}, which requires grad")
                checked[key] = value
            else:
                checked[key] = aligned_empty_like(current)  # the model's dtype and memory order
                checked[key][...] = array
        for key, value in checked.items():
            module, name, target = targets[key]
            if assign:
                _assign(module, name, target, value)
            elif isinstance(target, Parameter):
                target._data = value  # the same Parameter: optimizers keep tracking it
                target._mark_modified()
            else:
                setattr(module, name, value)
        return IncompatibleKeys(missing, unexpected)

    # ----- representation -------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text between the parentheses of this module's repr; layers override it."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        if not extra and not self._modules:
            own = self.named_parameters(recurse=False)
            extra = ", ".join(f"{name}={p.shape}" for name, p in own)
        children = [
            f"({name}): " + repr(module).replace("\n", "\n  ")
            for name, module in self._modules.items()
        ]
        if not children and "\n" not in extra:
            return f"{type(self).__name__}({extra})"
        lines = (extra.split("\n") if extra else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _check_name(kind: str, name: Any) -> None:
    """A registered name is one step of the dotted paths in ``state_dict``, so it must be a
    non-empty string without dots (KeyError otherwise, as in PyTorch)."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if "." in name:
        raise KeyError(f'{kind} name cannot contain ".", got: {name}')
    if not name:
        raise KeyError(f'{kind} name cannot be the empty string ""')


def _array(value: Any) -> Any:
    """The array inside a Tensor (a Parameter), or ``value`` itself."""
    return value._data if isinstance(value, Tensor) else value


def _assign(module: Module, name: str, target: Any, value: Any) -> None:
    """``load_state_dict(assign=True)`` of one entry: ``value`` (a Tensor or an array)
    becomes ``module``'s parameter or buffer ``name``, which now holds ``target``."""
    if isinstance(target, Parameter):
        if isinstance(value, Parameter):
            value.requires_grad_(target.requires_grad)
        else:
            value = Parameter._make(_array(value), target.requires_grad)  # shares it
    elif not isinstance(value, Tensor):
        value = Tensor._make(value, False)  # a buffer over the array itself
    setattr(module, name, value)


def _buffer_tensor(name: str, value: Any) -> Tensor | None:
    """``value`` as a buffer: a Tensor that does not require grad, sharing the memory of
    the array or Tensor given (so in-place updates of either are seen by both)."""
    if value is None:
        return None
    if isinstance(value, Tensor) and not value.requires_grad:
        return value
    array = value._data if isinstance(value, Tensor) else np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"buffer {name!r} must be numeric, got dtype {array.dtype}")
    return Tensor._make(array, False)


class _ModuleSequence(Module):
    """Numbered submodules "0", "1", ...: indexable (a slice gives the same kind of
    container), iterable and sized."""

    def append(self, module: Module) -> _ModuleSequence:
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self._modules)), self._checked(module))
        return self

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index`` (as ``list.insert``)."""
        modules = list(self._modules.values())
        modules.insert(index, self._checked(module))
        self._number(modules)

    def pop(self, index: int = -1) -> Module:
        """Remove the module at ``index`` and return it."""
        module = self._modules[str(self._position(index))]
        del self[index]
        return module

    def __setitem__(self, index: int, module: Module) -> None:
        """Replace the module at ``index`` (negative counts from the end), in its place."""
        modules = list(self._modules.values())
        modules[self._position(index)] = self._checked(module)
        self._number(modules)

    def __delitem__(self, index: int | slice) -> None:
        """Remove the module(s) at ``index``; the rest are numbered from "0" again, as in
        PyTorch, so that names stay positions."""
        modules = list(self._modules.values())
        del modules[index if isinstance(index, slice) else self._position(index)]
        self._number(modules)

    def _number(self, modules: list[Module]) -> None:
        """Hold ``modules``, in order, under the names "0", "1", ..."""
        for name in list(self._modules):
            delattr(self, name)
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def _position(self, index: int) -> int:
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} is out of range for {len(self)} modules")
        return index % len(self)

    def _checked(self, module: Any) -> Module:
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__} holds Modules, got {type(module).__name__}")
        return module

    def extend(self, modules: Iterable[Module]) -> _ModuleSequence:
        """Add each of ``modules`` at the end; returns self."""
        for module in modules:
            self.append(module)
        return self

    def __getitem__(self, index: int | slice) -> Any:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return type(self)().extend(modules[index])
        return modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class Sequential(_ModuleSequence):
    """Modules applied one after another: ``Sequential(a, b, c)(x)`` is ``c(b(a(x)))``.

    Submodules are named "0", "1", ... in ``named_parameters`` and ``state_dict``.
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        self.extend(modules)

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            input = module(input)
        return input


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (a plain list's would not be).

    It has no ``forward``: the module that owns it decides how to use its modules.
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)


def positive_int(value: Any, name: str, layer: str) -> int:
    """``value`` as an int, checked to be a positive integer (a size given to ``layer``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{layer} {name} must be a positive int, got {value!r}")
    return int(value)


class ModuleDict(Module):
    """Modules by name, registered like attributes (``state_dict`` keys are
    ``"name.weight"``...), in insertion order; indexable, iterable over the names, sized."""

    def __init__(
        self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None
    ) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict holds Modules, got {type(module).__name__}")
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> list[str]:
        return list(self._modules)

    def values(self) -> list[Module]:
        return list(self._modules.values())

    def items(self) -> list[tuple[str, Module]]:
        return list(self._modules.items())

    def pop(self, key: str) -> Module:
        """Remove the module named ``key`` and return it."""
        module = self._modules[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in self.keys():
            del self[key]

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) modules from a mapping or from (name, module) pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in pairs:
            self[key] = module


class ParameterList(Module):
    """A list of parameters that are registered (a plain list's would not be), named "0",
    "1", ... in ``named_parameters`` and ``state_dict``. A Tensor appended is made a
    Parameter (a copy of it that requires grad)."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def __getitem__(self, index: int | slice) -> Any:
        params = list(self._parameters.values())
        if isinstance(index, slice):
            return type(self)(params[index])
        return params[index]

    def __setitem__(self, index: int, value: Any) -> None:
        key = list(self._parameters)[index]  # raises IndexError past the end
        param = _as_parameter(value)
        self._parameters[key] = param  # in place, keeping the order
        object.__setattr__(self, key, param)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` (a Parameter, or a Tensor made one) at the end; returns self."""
        setattr(self, str(len(self._parameters)), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(
            f"({i}): Parameter containing: [{p.dtype} of size {p.shape}]"
            for i, p in enumerate(self._parameters.values())
        )


class ParameterDict(Module):
    """Parameters by name, registered (a plain dict's would not be): ``named_parameters``
    and ``state_dict`` name them ``"key"`` after the dict's own prefix. A Tensor stored is
    made a Parameter (a copy of it that requires grad).

    As in PyTorch, a plain dict given to the constructor or to ``update`` is added in sorted
    order of its keys, while an OrderedDict, a ParameterDict or (key, value) pairs keep
    theirs; a key stored again keeps its place. Keys are strings without dots that are not
    already attributes of the module (``"keys"`` is refused, as in PyTorch)."""

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        if key not in self._parameters:
            raise KeyError(key)
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError("Index given to ParameterDict cannot be used as a key as it is not "
                            f"a string (type is '{type(key).__name__}')")
        param = _as_parameter(value, "ParameterDict")
        if key in self._parameters:
            self._parameters[key] = param  # in place, keeping the order
            object.__setattr__(self, key, param)
        else:
            self.register_parameter(key, param)

    def __delitem__(self, key: str) -> None:
        if key not in self._parameters:
            raise KeyError(key)
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._parameters))

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._parameters))

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Any:
        return self._parameters.keys()

    def values(self) -> Any:
        return self._parameters.values()

    def items(self) -> Any:
        return self._parameters.items()

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def setdefault(self, key: str, default: Any = None) -> Parameter:
        """The parameter at ``key``, storing ``default`` there first if there is none."""
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: str) -> Parameter:
        """Remove the parameter at ``key`` and return it."""
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Parameter]:
        """Remove the last (key, parameter) stored and return it."""
        if not self._parameters:
            raise KeyError("popitem(): ParameterDict is empty")
        key = next(reversed(self._parameters))
        return key, self.pop(key)

    def clear(self) -> None:
        for key in list(self._parameters):
            del self[key]

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same Parameters, in the same order."""
        return ParameterDict(OrderedDict(self.items()))

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> ParameterDict:
        """A new ParameterDict with ``default`` (made a Parameter) at each of ``keys``."""
        return ParameterDict((key, default) for key in keys)

    def update(self, parameters: Any) -> None:
        """Store the parameters of a mapping (a plain dict's in sorted key order, as PyTorch
        does) or of (key, value) pairs."""
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items(), key=lambda item: item[0])
        elif isinstance(parameters, Iterable) and not isinstance(parameters, (str, Tensor)):
            pairs = []
            for number, pair in enumerate(parameters):
                if not isinstance(pair, Iterable) or isinstance(pair, (str, Tensor)):
                    raise TypeError(f"ParameterDict update sequence element #{number} should "
                                    f"be Iterable; is {type(pair).__name__}")
                pair = tuple(pair)
                if len(pair) != 2:
                    raise ValueError(f"ParameterDict update sequence element #{number} has "
                                     f"length {len(pair)}; 2 is required")
                pairs.append(pair)
        else:
            raise TypeError("ParametersDict.update should be called with an iterable of "
                            f"key/value pairs, but got {type(parameters).__name__}")
        for key, value in pairs:
            self[key] = value

    def __or__(self, other: ParameterDict) -> ParameterDict:
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: ParameterDict) -> ParameterDict:
        merged = other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other: ParameterDict) -> ParameterDict:
        self.update(other)
        return self

    def extra_repr(self) -> str:
        return "\n".join(
            f"({key}): Parameter containing: [{p.dtype} of size {p.shape}]"
            for key, p in self._parameters.items()
        )


def _as_parameter(value: Any, container: str = "ParameterList") -> Parameter:
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"{container} holds Parameters or Tensors, got {type(value).__name__}")


# ----- backward hooks ---------------------------------------------------------------------------


class _BackwardWatch:
    """The full backward hooks of one call of a module. The module's Tensor inputs and outputs
    go through an identity node each (one node for all inputs, one for all outputs), whose
    backward sees every gradient at once: the outputs' gradients (the pre-hooks may replace
    them) and, later, the inputs' (the hooks get both and may replace the inputs')."""

    def __init__(self, module: Module, hooks: list[tuple[str, Hook]]) -> None:
        self.module, self.hooks = module, hooks
        self.grad_output: tuple = ()

    def inputs(self, args: tuple) -> tuple:
        self.tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.requiring = [i for i in self.tensor_positions if args[i].requires_grad]
        return _watched(args, self.requiring, self._after_inputs)

    def outputs(self, output: Any) -> Any:
        items = (output,) if isinstance(output, Tensor) else output
        if not isinstance(items, tuple):
            return output
        positions = [i for i, o in enumerate(items) if isinstance(o, Tensor) and o.requires_grad]
        items = _watched(items, positions, self._after_outputs)
        return items[0] if isinstance(output, Tensor) else items

    def _after_outputs(self, grads: tuple) -> tuple:
        for kind, hook in self.hooks:
            if kind == "backward_pre":
                replaced = hook(self.module, grads)
                if replaced is not None:
                    grads = tuple(replaced)
        self.grad_output = grads
        if not self.requiring:  # nothing further back: the hooks learn grad_output now
            self._call_hooks((None,) * len(self.tensor_positions))
        return grads

    def _after_inputs(self, grads: tuple) -> tuple:
        grad_input = [None] * len(self.tensor_positions)
        for position, grad in zip(self.requiring, grads, strict=True):
            grad_input[self.tensor_positions.index(position)] = grad
        grad_input = self._call_hooks(tuple(grad_input))
        return tuple(grad_input[self.tensor_positions.index(p)] for p in self.requiring)

    def _call_hooks(self, grad_input: tuple) -> tuple:
        for kind, hook in self.hooks:
            if kind == "backward":
                replaced = hook(self.module, grad_input, self.grad_output)
                if replaced is not None:
                    grad_input = tuple(replaced)
        return grad_input


def _watched(items: tuple, positions: list[int], watch: Callable[[tuple], tuple]) -> tuple:
    """``items`` with the tensors at ``positions`` passed through one :class:`_Identity`
    node that hands their gradients to ``watch``."""
    if not positions:
        return items
    watched = _Identity.apply(watch, *(items[i] for i in positions))
    watched = (watched,) if isinstance(watched, Tensor) else watched
    replaced = list(items)
    for i, tensor in zip(positions, watched, strict=True):
        replaced[i] = tensor
    return tuple(replaced)


class _Identity(Function):
    """Its Tensor arguments, unchanged; backward hands all their gradients to ``watch`` at
    once and passes on what it returns."""

    @staticmethod
    def forward(ctx: Any, watch: Callable[[tuple], tuple], *tensors: Tensor) -> Any:
        ctx.watch = watch
        return tensors[0] if len(tensors) == 1 else tensors

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> tuple:
        return (None, *ctx.watch(grads))
