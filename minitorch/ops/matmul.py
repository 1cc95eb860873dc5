"""Matrix product with NumPy's rules: 1-D operands are promoted to a row (left) or a column
(right) and the promoted axis is dropped again; leading batch axes broadcast."""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from minitorch.autograd import Function
from minitorch.ops.generic import ARRAYS, einsum


class MatMul(Function):
    """Z = A @ B;  dL/dA = dL/dZ @ B^T,  dL/dB = A^T @ dL/dZ (batch axes summed by the engine)."""

    node_name = "MmBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul needs operands with at least 1 dimension, got a 0-d one")
        self.a, self.b = a, b
        return np.matmul(a, b)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.a, self.b
        need_a, need_b = self.needs_input_grad
        # Work with at least 2-D operands, then drop the axes that were added for 1-D ones.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:
            grad = grad[..., None]
        if a.ndim == 1:
            grad = grad[..., None, :]
        grad_a = grad_b = None
        if need_a:
            grad_a = grad @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if need_b:
            grad_b = a2.swapaxes(-1, -2) @ grad
            if b.ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b


class Einsum(Function):
    """z = einsum(equation, x_1, ..., x_n): each value of z is the sum, over the letters the
    output leaves out, of the product of the operands' values at their letters' positions.
    ``equation`` is explicit (``"ij,jk->ik"``), without an ellipsis (see
    :func:`minitorch.einsum`, which writes it so).

    dL/dx_k is an einsum as well: of the gradient and the other operands, onto x_k's letters
    (``"ik,jk->ij"`` for the first operand above). Along a letter that only x_k has, every
    position gets the same gradient; a letter x_k repeats (a diagonal, ``"ii->i"``) gets the
    gradient on the diagonal and zero elsewhere.
    """

    backward_reads_inputs = True

    def forward(self, *operands: np.ndarray, equation: str = "") -> np.ndarray:
        inputs, self.output = equation.split("->")
        self.inputs = inputs.split(",")
        self.sizes: dict[str, int] = {}
        for letters, x in zip(self.inputs, operands, strict=True):
            for letter, size in zip(letters, x.shape, strict=True):
                self.sizes[letter] = max(size, self.sizes.get(letter, 1))
        return np.einsum(equation, *operands, optimize=True)  # BLAS where it can

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        # The operands arrive through *operands, which gives no names to save them under:
        # they are taken from the recorded inputs, as arrays (or Tensors under create_graph).
        on_arrays = isinstance(grad, ARRAYS)
        operands = [p._data if on_arrays else p for p in self.parents]
        return tuple(self._operand_gradient(grad, operands, k) if p.requires_grad else None
                     for k, p in enumerate(self.parents))

    def _operand_gradient(self, grad: Any, operands: list, k: int) -> Any:
        target = self.inputs[k]
        others = [j for j in range(len(operands)) if j != k]
        known = set(self.output).union(*(self.inputs[j] for j in others))
        reached = "".join(c for c in dict.fromkeys(target) if c in known)
        terms = ",".join([self.output] + [self.inputs[j] for j in others])
        partial = einsum(f"{terms}->{reached}", grad, *[operands[j] for j in others])
        if reached == target:
            return partial
        # Spread along the letters only x_k has (times ones), and onto the diagonal of the
        # repeated ones (times the identity, its second letter renamed).
        spare = iter(c for c in string.ascii_letters if c not in self.sizes)
        renamed, extra_terms, extra_values, seen = [], [], [], set()
        for letter in target:
            size = self.sizes[letter]
            if letter in seen:
                renamed.append(next(spare))
                extra_terms.append(letter + renamed[-1])
                extra_values.append(np.eye(size, dtype=grad.dtype))
                continue
            seen.add(letter)
            renamed.append(letter)
            if letter not in known:
                extra_terms.append(letter)
                extra_values.append(np.ones(size, dtype=grad.dtype))
        equation = ",".join([reached, *extra_terms]) + "->" + "".join(renamed)
        return einsum(equation, partial, *extra_values)
