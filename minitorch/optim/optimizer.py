"""The base class every optimizer shares: parameter groups, per-parameter state, ``zero_grad``,
``step`` and saving/loading state in PyTorch's layout.

A subclass supplies its hyperparameter defaults, ``_check_hyperparameters`` (so a bad value
fails when the group is added, whether it came from the constructor or a group dict),
``_init_state`` (the arrays it keeps per parameter) and ``_update``, which changes one
parameter's array in place from its gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from minitorch.autograd import enable_grad, in_place_stamp
from minitorch.denormals import denormals_flushed
from minitorch.tensor import Tensor

ParamGroup = dict[str, Any]
Params = Iterable[Tensor] | Iterable[ParamGroup]


class Optimizer:
    """Updates a set of tensors from their ``.grad``.

    ``params`` is any iterable (a list, a generator such as ``model.parameters()``) of tensors,
    of ``(name, tensor)`` pairs (``model.named_parameters()``: the names are kept as the
    group's ``"param_names"``), or of dicts ``{"params": [...], "lr": ...}`` that each form a
    parameter group with its own hyperparameters; what a group leaves out comes from
    ``defaults``.

    ``foreach`` and ``fused`` choose among PyTorch's implementations of one and the same
    update; minitorch has a single one, so they change nothing, but they are kept in the
    groups as PyTorch keeps them, so that state dicts have the same keys in both frameworks.
    ``capturable`` (CUDA graphs) and ``differentiable`` (gradients through the step itself)
    are not supported: True raises.

    Attributes:
        param_groups: list of dicts, each with ``"params"`` (a list of tensors) and the
            group's hyperparameters; a learning-rate scheduler changes ``group["lr"]``.
        state: per-parameter dict of what the update rule carries between steps.
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                "params must be an iterable of Tensors or of parameter-group dicts, got a "
                "single Tensor; pass [tensor]"
            )
        self.defaults: dict[str, Any] = dict(defaults)
        self.param_groups: list[ParamGroup] = []
        self.state: dict[Tensor, dict[str, Any]] = {}
        # Work arrays for the update rules, keyed by (shape, dtype, slot). They live here
        # rather than in `state` because they carry nothing between steps (so are not saved)
        # and can be shared by parameters of the same shape, as updates run one at a time.
        self._work_arrays: dict[tuple, np.ndarray] = {}

        groups = _ordered_list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not all(isinstance(group, dict) for group in groups):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: ParamGroup) -> None:
        """Add a group of parameters with its own hyperparameters (missing ones from defaults),
        e.g. to start training layers that were frozen."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("a parameter group needs a 'params' entry")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else _ordered_list(params)
        if not params:
            raise ValueError("a parameter group got an empty parameter list")
        names = None
        if all(type(p) is tuple and len(p) == 2 and isinstance(p[0], str) for p in params):
            names, params = [name for name, _ in params], [p for _, p in params]

        seen = {id(p) for group in self.param_groups for p in group["params"]}
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (one computed by an operation)")
            if p.dtype.kind != "f":
                raise TypeError(f"optimizer can only optimize float tensors, got {p.dtype}")
            if id(p) in seen:
                raise ValueError(
                    "a parameter appears more than once in the optimizer's parameter groups"
                )
            seen.add(id(p))

        group = {**self.defaults, **param_group, "params": params}
        if names is not None:
            group["param_names"] = names
        if group.get("capturable"):
            raise ValueError("capturable=True is for CUDA graphs; minitorch runs on the CPU only")
        if group.get("differentiable"):
            raise NotImplementedError(
                "differentiable=True (gradients through the optimizer step) is not supported"
            )
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: set it to None (the default, which frees it) or,
        with ``set_to_none=False``, fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p._grad = None
                elif p._grad is not None:
                    p._grad._data.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient (those whose ``.grad`` is None are skipped).

        ``closure``, if given, recomputes the loss (with gradients on) before the update; its
        result is returned.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        stamp = in_place_stamp()  # one for the whole step: every update is part of it
        # Running averages that decay where gradients stay zero would otherwise turn
        # denormal and slow every pass over them (see minitorch/denormals.py).
        with denormals_flushed():
            for group in self.param_groups:
                for p in group["params"]:
                    grad = p._grad
                    if grad is None:
                        continue
                    data, grad = p._data, grad._data
                    if grad.shape != data.shape:
                        raise ValueError(
                            f"a parameter of shape {data.shape} has a gradient of shape "
                            f"{grad.shape}"
                        )
                    state = self.state.get(p)
                    if state is None:
                        state = self.state[p] = self._init_state(data, group)
                    self._update(data, grad, state, group)
                    p._mark_modified(stamp)
        return loss

    # ----- saving and loading ---------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """A copy of the optimizer's state in PyTorch's layout, with parameters named by their
        position across all groups, and each array of the state as a Tensor of its own::

            {"state": {index: {"step": 3, "exp_avg": Tensor, ...}},
             "param_groups": [{"lr": 0.001, ..., "params": [0, 1, ...]}, ...]}
        """
        state: dict[int, dict[str, Any]] = {}
        param_groups = []
        index = 0
        for group in self.param_groups:
            indices = []
            for p in group["params"]:
                if self.state.get(p):
                    state[index] = {key: _copied(value) for key, value in self.state[p].items()}
                indices.append(index)
                index += 1
            param_groups.append({**group, "params": indices})
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by :meth:`state_dict` from an optimizer of
        the same kind over parameters of the same shapes, in the same groups and order.

        Everything is checked before anything changes; arrays are copied in the parameters'
        dtypes.
        """
        saved_groups = state_dict["param_groups"]
        saved_state = state_dict["state"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, but the optimizer "
                f"has {len(self.param_groups)}"
            )
        loaded_groups: list[ParamGroup] = []
        params: list[tuple[Tensor, ParamGroup]] = []
        for number, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"loaded parameter group {number} has {len(saved['params'])} parameters, "
                    f"but the optimizer's group {number} has {len(group['params'])}"
                )
            if saved.keys() != group.keys():
                raise ValueError(
                    f"loaded parameter group {number} has hyperparameters {sorted(saved)}, but "
                    f"this optimizer's has {sorted(group)}; was it saved from another optimizer?"
                )
            loaded = {**saved, "params": group["params"]}
            self._check_hyperparameters(loaded)
            loaded_groups.append(loaded)
            params += [(p, loaded) for p in group["params"]]

        new_state: dict[Tensor, dict[str, Any]] = {}
        for index, saved in saved_state.items():
            if not 0 <= index < len(params):
                raise ValueError(
                    f"loaded state is for parameter {index}, but the optimizer has only "
                    f"{len(params)} parameters"
                )
            p, group = params[index]
            missing = self._init_state(p._data, group).keys() - saved.keys()
            if missing:
                raise ValueError(f"loaded state for parameter {index} lacks {sorted(missing)}")
            new_state[p] = {
                key: _loaded(value, p._data, index, key) for key, value in saved.items()
            }

        for group, loaded in zip(self.param_groups, loaded_groups, strict=True):
            group.update(loaded)
        self.state = new_state

    # ----- what each optimizer supplies -----------------------------------------------------

    def _check_hyperparameters(self, group: ParamGroup) -> None:
        """Raise ValueError for a hyperparameter out of its range."""

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        """The state of a parameter before its first update."""
        return {}

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        """Change ``param`` in place by one step of the update rule."""
        raise NotImplementedError

    # ----- helpers for the update rules -----------------------------------------------------

    def _work_array(self, like: np.ndarray, slot: int = 0) -> np.ndarray:
        """A reusable uninitialised array with the shape, dtype and memory order of ``like``
        (element-wise updates of arrays of different orders are several times slower);
        different ``slot`` numbers give different arrays."""
        key = (like.shape, like.dtype, like.flags.f_contiguous, slot)
        array = self._work_arrays.get(key)
        if array is None:
            array = self._work_arrays[key] = np.empty_like(like)
        return array

    def _objective_grad(
        self, param: np.ndarray, grad: np.ndarray, weight_decay: float, maximize: bool
    ) -> np.ndarray:
        """The gradient the update rule follows: ``-grad`` to maximize, plus the L2 penalty's
        ``weight_decay * param``. ``grad`` itself is never changed (it belongs to the caller);
        a changed gradient is written to work array slot 0."""
        if not weight_decay and not maximize:
            return grad
        out = self._work_array(param, 0)
        if not weight_decay:
            return np.negative(grad, out=out)
        np.multiply(param, weight_decay, out=out)
        if maximize:
            out -= grad
        else:
            out += grad
        return out


def check_non_negative(settings: Mapping[str, Any], *names: str) -> None:
    """Raise ValueError naming the first of ``names`` whose value in ``settings`` is negative
    (or NaN)."""
    for name in names:
        if not settings[name] >= 0:
            raise ValueError(f"{name} must be >= 0, got {settings[name]}")


def _ordered_list(params: Iterable[Any]) -> list[Any]:
    if isinstance(params, (set, frozenset)):
        # The order of a set changes between runs, which would scramble state_dict indices.
        raise TypeError("parameters must be in an ordered collection such as a list, not a set")
    return list(params)


def _copied(value: Any) -> Any:
    """A copy of one state entry that later steps will not change: an array as a Tensor of
    its own, as PyTorch's state dicts hold tensors."""
    return Tensor._make(value.copy(), False) if isinstance(value, np.ndarray) else value


def _loaded(value: Any, param: np.ndarray, index: int, key: str) -> Any:
    """A loaded state entry, checked and copied: arrays and Tensors need the parameter's
    shape and are stored as arrays in its dtype."""
    if isinstance(value, Tensor):
        value = value._data
    if not isinstance(value, np.ndarray):
        return value
    if value.shape != param.shape:
        raise ValueError(
            f"loaded state '{key}' of parameter {index} has shape {value.shape}, but the "
            f"parameter has shape {param.shape}"
        )
    return np.array(value, dtype=param.dtype, copy=True)
