"""Derivatives of whole functions, as in ``torch.autograd.functional``: :func:`jacobian`,
:func:`hessian`, the vector-Jacobian and Jacobian-vector products :func:`vjp` and :func:`jvp`,
and the products with the Hessian :func:`hvp` and :func:`vhp`, each a few calls of
:func:`minitorch.autograd.grad`.

``inputs`` is a Tensor or a tuple of Tensors, and the results follow that structure (and
that of the function's outputs). The function is called on fresh copies of the inputs that
require grad, so the inputs need not require grad themselves. With ``create_graph=True`` the
results can be differentiated again, with respect to these inputs too. An output that does
not depend on an input has a zero derivative with respect to it, or raises with
``strict=True``. As in PyTorch, the products return the function's output first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minitorch.autograd import enable_grad, grad
from minitorch.tensor import Tensor, as_tensor, stack


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """d func(inputs) / d inputs: for an output of shape S and an input of shape T, a Tensor of
    shape S + T. A tuple of outputs or of inputs gives a tuple over the outputs of (a tuple
    over the inputs of) such Tensors, as PyTorch does. One backward pass per output element,
    whatever ``vectorize`` and ``strategy`` ask (they change only PyTorch's speed)."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', got "
                         f"{strategy!r}")
    leaves, several_inputs = _leaves(inputs, create_graph)
    with enable_grad():
        outputs = func(*leaves)
    several_outputs = isinstance(outputs, tuple)
    per_output = []
    for output in outputs if several_outputs else (outputs,):
        output = as_tensor(output)
        rows: list[list[Tensor]] = [[] for _ in leaves]
        for k in range(output.numel()):
            one_hot = np.zeros(output.numel(), dtype=output.dtype)
            one_hot[k] = 1
            grads = _grads(output, leaves, one_hot.reshape(output.shape), create_graph,
                           strict)
            for row, g in zip(rows, grads):
                row.append(g)
        per_output.append(tuple(
            _finish(stack(row) if row else Tensor._make(np.zeros((0, *leaf.shape)), False),
                    output.shape + leaf.shape, create_graph)
            for row, leaf in zip(rows, leaves)
        ))
    results = [jac if several_inputs else jac[0] for jac in per_output]
    return tuple(results) if several_outputs else results[0]


def hessian(func: Callable[..., Tensor], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The matrix of second derivatives of a function with a one-element output: for one input
    of shape T a Tensor of shape T + T; for a tuple of inputs, a tuple of tuples whose entry
    [i][j] (shape T_i + T_j) holds d2 func / d input_i d input_j."""

    def gradient(*xs: Tensor) -> Any:
        output = _scalar_output(func(*xs), "hessian")
        grads = _grads(output, list(xs), None, True, strict)
        return tuple(grads) if isinstance(inputs, tuple) else grads[0]

    return jacobian(gradient, inputs, create_graph, strict, vectorize, outer_jacobian_strategy)


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), v @ J)``: the vector ``v`` (shaped like the output, or a tuple over
    the outputs; it may be left out for a one-element output) times the Jacobian, shaped like
    the inputs. One backward pass."""
    leaves, several_inputs = _leaves(inputs, create_graph)
    with enable_grad():
        outputs = func(*leaves)
    several_outputs = isinstance(outputs, tuple)
    outs = [as_tensor(o) for o in (outputs if several_outputs else (outputs,))]
    vs = _vectors(v, outs, "vjp", "output")
    products = _grads(outs, leaves, vs, create_graph, strict)
    return (_output(outputs, several_outputs, create_graph),
            _structured(products, several_inputs, create_graph))


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """``(func(inputs), J @ v)``: the Jacobian times the vector ``v`` (shaped like the inputs;
    it may be left out for a one-element input), shaped like the output. As PyTorch's, by
    the double-backward trick: the vector-Jacobian product u @ J is linear in u, and its
    gradient with respect to u, taken against v, is J @ v."""
    leaves, several_inputs = _leaves(inputs, create_graph)
    vs = _vectors(v, leaves, "jvp", "input")
    with enable_grad():
        outputs = func(*leaves)
        several_outputs = isinstance(outputs, tuple)
        outs = [as_tensor(o) for o in (outputs if several_outputs else (outputs,))]
        us = [Tensor._make(np.zeros(o.shape, dtype=o.dtype), True) for o in outs]
        u_times_j = _grads(outs, leaves, us, True, strict)
        dot = sum((g * vector).sum() for g, vector in zip(u_times_j, vs))
    products = _grads(dot, us, None, create_graph)
    return (_output(outputs, several_outputs, create_graph),
            _structured(products, several_outputs, create_graph))


def vhp(func: Callable[..., Tensor], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Tensor, Any]:
    """``(func(inputs), v @ H)``: ``v`` (shaped like the inputs) times the Hessian of a
    function with a one-element output, without forming the Hessian: the gradient of
    <gradient, v>, which costs about two backward passes whatever the number of inputs."""
    leaves, several_inputs = _leaves(inputs, create_graph)
    vs = _vectors(v, leaves, "vhp", "input")
    with enable_grad():
        output = _scalar_output(func(*leaves), "vhp")
        grads = _grads(output, leaves, None, True, strict)
        dot = sum((g * vector).sum() for g, vector in zip(grads, vs))
    products = _grads(dot, leaves, None, create_graph)
    return (_output(output, False, create_graph),
            _structured(products, several_inputs, create_graph))


def hvp(func: Callable[..., Tensor], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Tensor, Any]:
    """``(func(inputs), H @ v)``: the Hessian of a function with a one-element output times
    ``v`` (shaped like the inputs). The Hessian is symmetric, so this is :func:`vhp`'s
    product (PyTorch computes it by the double-backward trick, in twice the time)."""
    return vhp(func, inputs, v, create_graph, strict)


def _vectors(v: Any, like: list[Tensor], name: str, what: str) -> list[Tensor]:
    """``v`` as one Tensor per tensor of ``like`` (the outputs or the inputs), checked; left
    out, a 1 for a single one-element tensor."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(f"{name}: v can be left out only for a single one-element "
                               f"{what}, got {len(like)} of shapes {[t.shape for t in like]}")
        return [Tensor._make(np.ones(like[0].shape, dtype=like[0].dtype), False)]
    vs = list(v) if isinstance(v, (tuple, list)) else [v]
    if len(vs) != len(like):
        raise RuntimeError(f"{name}: got {len(vs)} vectors v for {len(like)} {what}s")
    vs = [as_tensor(vector, dtype=t.dtype) for vector, t in zip(vs, like)]
    for vector, t in zip(vs, like):
        if vector.shape != t.shape:
            raise RuntimeError(f"{name}: v has shape {vector.shape}, expected the {what}'s "
                               f"{t.shape}")
    return vs


def _output(outputs: Any, several: bool, create_graph: bool) -> Any:
    """The function's output as the products return it: detached unless ``create_graph``."""
    if create_graph:
        return outputs
    return tuple(as_tensor(o).detach() for o in outputs) if several else as_tensor(outputs).detach()


def _structured(products: list[Tensor], several: bool, create_graph: bool) -> Any:
    products = [p if create_graph else p.detach() for p in products]
    return tuple(products) if several else products[0]


def _leaves(inputs: Any, create_graph: bool) -> tuple[list[Tensor], bool]:
    """The tensors to call the function on: a differentiable alias of an input that requires
    grad when the result must stay differentiable with respect to it, else a fresh leaf."""
    several = isinstance(inputs, tuple)
    leaves = []
    for value in inputs if several else (inputs,):
        tensor = as_tensor(value)
        if tensor.dtype.kind != "f":
            raise TypeError(f"inputs must be floating point tensors, got dtype {tensor.dtype}")
        if create_graph and tensor.requires_grad:
            with enable_grad():
                leaves.append(tensor.reshape(tensor.shape))
        else:
            leaves.append(Tensor._make(tensor._data, True))
    return leaves, several


def _grads(outputs: Tensor | list[Tensor], leaves: list[Tensor], grad_outputs: Any,
           create_graph: bool, strict: bool = False) -> list[Tensor]:
    """The gradients of ``outputs`` (one, or a list with ``grad_outputs`` a list) at
    ``leaves``: zeros where they do not depend on one, which ``strict`` refuses."""
    if isinstance(outputs, Tensor):
        outputs, grad_outputs = [outputs], [grad_outputs]
    recorded = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not recorded:
        found: tuple = (None,) * len(leaves)
    else:
        found = grad([o for o, _ in recorded], leaves, [g for _, g in recorded],
                     retain_graph=True, create_graph=create_graph, allow_unused=True)
    unused = [i for i, g in enumerate(found) if g is None]
    if strict and unused:
        raise RuntimeError(
            f"The output of the user-provided function is independent of input {unused[0]}. "
            "This is not allowed in strict mode."
        )
    return [g if g is not None else Tensor._make(np.zeros(leaf.shape, dtype=leaf.dtype), False)
            for g, leaf in zip(found, leaves)]


def _finish(result: Tensor, shape: tuple[int, ...], create_graph: bool) -> Tensor:
    result = result.reshape(shape)
    return result if create_graph else result.detach()


def _scalar_output(output: Any, name: str) -> Tensor:
    output = as_tensor(output)
    if output.numel() != 1:
        raise RuntimeError(
            f"{name}: the function must return a one-element tensor, got shape {output.shape}"
        )
    return output
