"""Matrix product with NumPy's rules: 1-D operands are promoted to a row (left) or a column
(right) and the promoted axis is dropped again; leading batch axes broadcast."""

from __future__ import annotations

import numpy as np

from minitorch.autograd import Function


class MatMul(Function):
    """Z = A @ B;  dL/dA = dL/dZ @ B^T,  dL/dB = A^T @ dL/dZ (batch axes summed by the engine)."""

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
