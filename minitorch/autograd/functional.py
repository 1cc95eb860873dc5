"""Derivatives of whole functions, as in ``torch.autograd.functional``: :func:`jacobian`,
:func:`hessian` and :func:`hvp` (Hessian-vector product), each a few calls of
:func:`minitorch.autograd.grad`.

``inputs`` is a Tensor or a tuple of Tensors, and the results follow that structure. The
function is called on fresh copies of the inputs that require grad, so the inputs need not
require grad themselves. With ``create_graph=True`` the results can be differentiated again,
with respect to these inputs too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minitorch.autograd import enable_grad, grad
from minitorch.tensor import Tensor, as_tensor, stack


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False) -> Any:
    """d func(inputs) / d inputs: for an output of shape S and an input of shape T, a Tensor of
    shape S + T. A tuple of outputs or of inputs gives a tuple over the outputs of (a tuple
    over the inputs of) such Tensors, as PyTorch does. One backward pass per output element."""
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
            grads = _grads(output, leaves, one_hot.reshape(output.shape), create_graph)
            for row, g in zip(rows, grads):
                row.append(g)
        per_output.append(tuple(
            _finish(stack(row) if row else Tensor._make(np.zeros((0, *leaf.shape)), False),
                    output.shape + leaf.shape, create_graph)
            for row, leaf in zip(rows, leaves)
        ))
    results = [jac if several_inputs else jac[0] for jac in per_output]
    return tuple(results) if several_outputs else results[0]


def hessian(func: Callable[..., Tensor], inputs: Any, create_graph: bool = False) -> Any:
    """The matrix of second derivatives of a function with a one-element output: for one input
    of shape T a Tensor of shape T + T; for a tuple of inputs, a tuple of tuples whose entry
    [i][j] (shape T_i + T_j) holds d2 func / d input_i d input_j."""

    def gradient(*xs: Tensor) -> Any:
        output = _scalar_output(func(*xs), "hessian")
        grads = _grads(output, list(xs), None, create_graph=True)
        return tuple(grads) if isinstance(inputs, tuple) else grads[0]

    return jacobian(gradient, inputs, create_graph)


def hvp(func: Callable[..., Tensor], inputs: Any, v: Any,
        create_graph: bool = False) -> tuple[Tensor, Any]:
    """``(func(inputs), H @ v)``: the Hessian of a function with a one-element output times
    ``v`` (shaped like ``inputs``), without forming the Hessian: the gradient of
    <gradient, v>, which costs about two backward passes whatever the number of inputs."""
    leaves, several_inputs = _leaves(inputs, create_graph)
    vs = tuple(v) if isinstance(v, (tuple, list)) else (v,)
    if len(vs) != len(leaves):
        raise ValueError(f"hvp: got {len(vs)} vectors v for {len(leaves)} inputs")
    vs = tuple(as_tensor(vector, dtype=leaf.dtype) for vector, leaf in zip(vs, leaves))
    for vector, leaf in zip(vs, leaves):
        if vector.shape != leaf.shape:
            raise ValueError(f"hvp: v has shape {vector.shape}, expected the input's {leaf.shape}")
    with enable_grad():
        output = _scalar_output(func(*leaves), "hvp")
        grads = _grads(output, leaves, None, create_graph=True)
        dot = sum((g * vector).sum() for g, vector in zip(grads, vs))
    products = _grads(dot, leaves, None, create_graph) if dot.requires_grad else [
        Tensor._make(np.zeros(leaf.shape, dtype=leaf.dtype), False) for leaf in leaves]
    products = tuple(_finish(p, p.shape, create_graph) for p in products)
    output = output if create_graph else output.detach()
    return output, (products if several_inputs else products[0])


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


def _grads(output: Tensor, leaves: list[Tensor], grad_output: Any,
           create_graph: bool) -> list[Tensor]:
    """The gradients of ``output`` at ``leaves``, zeros where it does not depend on one."""
    if not output.requires_grad:
        found: tuple = (None,) * len(leaves)
    else:
        found = grad(output, leaves, grad_output, retain_graph=True, create_graph=create_graph,
                     allow_unused=True)
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
