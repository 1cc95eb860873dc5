"""Linear algebra on the last two axes (the matrices), batched over the axes before them:
determinants, inverses, linear solves, the pseudo-inverse and the factorizations (Cholesky,
QR, SVD, symmetric eigendecomposition). :mod:`minitorch.linalg` checks the arguments and
gives these their PyTorch names.

Each backward formula is written once for arrays and Tensors (see :mod:`minitorch.autograd`):
matrix products, transposes (``mT``), element-wise arithmetic with constant masks and identity
matrices, and :func:`solve` and :func:`inv`, which are NumPy on arrays and the recorded
operations below on Tensors, so every gradient can be differentiated again.

A factorization returns several matrices, but an operation has one output: its forward packs
the factors into one array (each flattened over its own axes, joined along the last axis) and
:func:`unpack` takes them apart again, as views, for the caller and for backward. The
gradient of the packed array holds each factor's gradient in its place, zero everywhere for a
factor the loss does not use; the SVD and eigh formulas then leave out that factor's terms,
as PyTorch does for a gradient that is not defined, so ``svdvals`` and ``eigvalsh`` keep
finite gradients where values repeat.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitorch.autograd import Function
from minitorch.ops.generic import ARRAYS, index_add, where


class LinAlgError(RuntimeError):
    """A matrix the operation cannot handle: singular where an inverse is needed, not
    positive-definite for Cholesky, or an iteration that did not converge. It is a
    RuntimeError, as ``torch.linalg.LinAlgError`` is."""


# ----- helpers for the formulas: each takes arrays or Tensors --------------------------------


def mT(x: Any) -> Any:
    """The transpose of each matrix (the last two axes swapped)."""
    return x.swapaxes(-1, -2)


def _values(x: Any) -> np.ndarray:
    """The array of an array or a Tensor, for decisions (masks, branches) that are constants
    of a formula."""
    return x if isinstance(x, ARRAYS) else x._data


def _eye(n: int, like: Any) -> np.ndarray:
    return np.eye(n, dtype=like.dtype)


def _diag_embed(v: Any) -> Any:
    """The diagonal matrices with the values of ``v`` (last axis) on their diagonals."""
    return v[..., None] * _eye(v.shape[-1], v)


def _tril(x: Any, k: int = 0) -> Any:
    """The lower triangle of each matrix from diagonal ``k`` down (``k < 0``: below it)."""
    return x * np.tril(np.ones(x.shape[-2:], dtype=x.dtype), k)


def _triu(x: Any, k: int = 0) -> Any:
    return x * np.triu(np.ones(x.shape[-2:], dtype=x.dtype), k)


def _unused(grad: Any) -> bool:
    """True for a factor's gradient that is zero everywhere: the loss does not use it."""
    return not np.any(_values(grad))


def solve(a: Any, b: Any) -> Any:
    """A^{-1} B for matrices B: NumPy on arrays, the recorded :class:`Solve` on Tensors."""
    if isinstance(a, ARRAYS) and isinstance(b, ARRAYS):
        return _checked(np.linalg.solve, a, b)
    from minitorch.tensor import as_tensor  # tensor.py builds on the ops

    return Solve.apply(as_tensor(a), as_tensor(b))


def inv(a: Any) -> Any:
    """A^{-1}: NumPy on arrays, the recorded :class:`Inverse` on Tensors."""
    if isinstance(a, ARRAYS):
        return _checked(np.linalg.inv, a)
    return Inverse.apply(a)


def _checked(function: Any, *arrays: np.ndarray) -> np.ndarray:
    """``function(*arrays)``, for an inverse inside a gradient: a singular matrix there has
    no derivative (the value it belongs to is infinite or jumps)."""
    try:
        return function(*arrays)
    except np.linalg.LinAlgError:
        raise LinAlgError(
            "backward: the gradient needs the inverse of a singular matrix, so it is not "
            "defined there (the result is not differentiable at a singular input)"
        ) from None


def _first_failure(a: np.ndarray, function: Any) -> tuple[str, np.ndarray]:
    """The first matrix of the batch ``a`` on which ``function`` raises NumPy's LinAlgError,
    with PyTorch's label for it: "(Batch element i): ", i its position in the flattened batch
    (no label for a single matrix)."""
    for position, index in enumerate(np.ndindex(a.shape[:-2])):
        try:
            function(a[index])
        except np.linalg.LinAlgError:
            return (f"(Batch element {position}): " if a.ndim > 2 else ""), a[index]
    return "", a


# ----- packing several factors into one output ---------------------------------------------


def pack(factors: list[np.ndarray], batch: tuple[int, ...]) -> np.ndarray:
    """The factors, each of shape ``batch + its own``, flattened over their own axes and
    joined along one last axis."""
    return np.concatenate(
        [f.reshape(batch + (math.prod(f.shape[len(batch):]),)) for f in factors], axis=-1)


def unpack(packed: Any, shapes: list[tuple[int, ...]]) -> list[Any]:
    """The factors of ``packed`` (an array or a Tensor), given their own shapes."""
    batch, start, factors = packed.shape[:-1], 0, []
    for shape in shapes:
        size = math.prod(shape)
        factors.append(packed[..., start:start + size].reshape(batch + shape))
        start += size
    return factors


class Factorization(Function):
    """An operation with several results (the factors), packed into its one output.

    A subclass defines ``factor_shapes(m, n, **options)``, the shapes of its factors for an
    (m, n) input; its forward returns ``self.pack(a, factors)`` and its backward reads the
    factors and their gradients with ``self.unpack(grad)``.
    """

    @staticmethod
    def factor_shapes(m: int, n: int, **options: Any) -> list[tuple[int, ...]]:
        raise NotImplementedError

    @classmethod
    def factors(cls, a: Any, **options: Any) -> list[Any]:
        """The factors of the Tensor ``a``, as Tensors that share one recorded output."""
        packed = cls.apply(a, **options)
        return unpack(packed, cls.factor_shapes(*a.shape[-2:], **options))

    def pack(self, a: np.ndarray, factors: list[np.ndarray]) -> np.ndarray:
        self.shapes = [f.shape[a.ndim - 2:] for f in factors]
        self.out = pack(factors, a.shape[:-2])
        return self.out

    def unpack(self, grad: Any) -> tuple[list[Any], list[Any]]:
        """The factors (from the output) and their gradients (from ``grad``)."""
        return unpack(self.out, self.shapes), unpack(grad, self.shapes)


# ----- determinants -------------------------------------------------------------------------


class Det(Function):
    """z = det(A).

    dz/dA is the cofactor matrix of A (Jacobi's formula): det(A) A^{-T} for an invertible A.
    At a singular A that product is 0 * inf, so matrices with |det| < 100 eps (PyTorch's
    threshold) take it from the SVD A = U diag(s) V^T instead:
    cof(A) = det(U) det(V) U diag(c) V^T with c_i the product of the s_j, j != i, which is
    exact for every A (for rank n - 1 it is the one non-zero term, for lower ranks zero).
    Differentiated again (create_graph), that way goes through the SVD's gradient, finite
    where the singular values are distinct, as in PyTorch.
    """

    node_name = "LinalgDetBackward0"

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        self.out = np.asarray(np.linalg.det(a))
        return self.out

    def backward(self, grad: Any) -> Any:
        a, det = self.a, self.out
        values = _values(det)
        near_singular = np.abs(values) < 100 * np.finfo(values.dtype).eps
        if not near_singular.any():
            return (grad * det)[..., None, None] * mT(inv(a))
        cofactor = _cofactor_by_svd(a)
        if not near_singular.all():  # the others by the inverse, with I in the singular places
            mask = near_singular[..., None, None]
            invertible = where(mask, _eye(a.shape[-1], values), a)
            cofactor = where(mask, cofactor, det[..., None, None] * mT(inv(invertible)))
        return grad[..., None, None] * cofactor


def _cofactor_by_svd(a: Any) -> Any:
    """det(U) det(V) U diag(c) V^T, c_i the product of the singular values other than s_i."""
    u, s, vh = SVD.factors(a) if not isinstance(a, ARRAYS) else np.linalg.svd(a)
    n = s.shape[-1]
    eye = _eye(n, s)
    others = s[..., None, :] * (1 - eye) + eye  # row i: the s_j with 1 in place of s_i
    products = others[..., 0]
    for j in range(1, n):
        products = products * others[..., j]
    signs = np.linalg.det(_values(u)) * np.linalg.det(_values(vh))  # +-1: constants
    return (signs[..., None] * products)[..., None, :] * u @ vh


class SlogDet(Factorization):
    """(sign, log|det A|), packed: two factors of shape ().

    d log|det A| / dA = A^{-T}; the sign is piecewise constant, so its gradient is zero (and
    it is ignored). At a singular A, log|det A| = -inf has no derivative.
    """

    @staticmethod
    def factor_shapes(m: int, n: int) -> list[tuple[int, ...]]:
        return [(), ()]

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        sign, logabsdet = np.linalg.slogdet(a)
        return self.pack(a, [np.asarray(sign), np.asarray(logabsdet)])

    def backward(self, grad: Any) -> Any:
        _, (_, grad_logabsdet) = self.unpack(grad)
        return grad_logabsdet[..., None, None] * mT(inv(self.a))


# ----- inverse and solve ----------------------------------------------------------------------


class Inverse(Function):
    """Z = A^{-1};  dL/dA = -Z^T (dL/dZ) Z^T (from d(A^{-1}) = -A^{-1} dA A^{-1})."""

    node_name = "LinalgInvExBackward0"

    def forward(self, a: np.ndarray) -> np.ndarray:
        try:
            self.out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            label, _ = _first_failure(a, np.linalg.inv)
            raise LinAlgError(f"linalg.inv: {label}The inversion could not be completed "
                              "because the input matrix is singular.") from None
        return self.out

    def backward(self, grad: Any) -> Any:
        z_t = mT(self.out)
        return -(z_t @ grad @ z_t)


class Solve(Function):
    """X = A^{-1} B for matrices B (batch axes broadcast).

    From A X = B: dX = A^{-1} (dB - dA X), so dL/dB = A^{-T} dL/dX (a solve with A^T) and
    dL/dA = -(dL/dB) X^T.
    """

    node_name = "LinalgSolveExBackward0"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a = a
        try:
            self.out = np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
            label, _ = _first_failure(np.broadcast_to(a, batch + a.shape[-2:]), np.linalg.inv)
            raise LinAlgError(f"torch.linalg.solve: {label}The solver failed because the input "
                              "matrix is singular.") from None
        return self.out

    def backward(self, grad: Any) -> tuple[Any, Any]:
        need_a, _ = self.needs_input_grad
        grad_b = solve(mT(self.a), grad)
        return (-(grad_b @ mT(self.out)) if need_a else None), grad_b


class Pinv(Function):
    """Z = A^+, the Moore-Penrose pseudo-inverse, from the SVD A = U diag(s) V^T (or, for
    ``hermitian``, the eigendecomposition, with |eigenvalues| as s): V diag(1/s) U^T over the
    s above max(atol, rtol * max(s)), the others taken as 0.

    dL/dA, for a constant rank (Golub and Pereyra; G = dL/dZ):
    -Z^T G Z^T + (I - A Z) G^T Z Z^T + Z^T Z G^T (I - Z A), the last two terms being the
    parts that move the column and row spaces (the same formula for ``hermitian``, as in
    PyTorch). Unlike a chain of SVD gradients it stays finite when singular values repeat
    (pinv of the identity).
    """

    node_name = "LinalgPinvBackward0"

    def forward(self, a: np.ndarray, atol: float = 0.0, rtol: float = 0.0,
                hermitian: bool = False) -> np.ndarray:
        self.a = a
        m, n = a.shape[-2:]
        if m == 0 or n == 0:
            self.out = np.zeros(a.shape[:-2] + (n, m), dtype=a.dtype)
            return self.out
        if hermitian:  # A = V diag(w) V^T: s = |w|, and the inverse keeps the signs of w
            w, v = np.linalg.eigh(a)
            values, s, left, right = w, np.abs(w), v, mT(v)
        else:
            left, s, right = np.linalg.svd(a, full_matrices=False)
            values = s
        kept = s > np.maximum(atol, rtol * s.max(axis=-1, keepdims=True))
        inverse = np.where(kept, 1 / np.where(kept, values, 1), 0).astype(a.dtype)
        self.out = mT(right) @ (inverse[..., :, None] * mT(left))
        return self.out

    def backward(self, grad: Any) -> Any:
        a, z = self.a, self.out
        m, n = a.shape[-2:]
        z_t, grad_t = mT(z), mT(grad)
        if m <= n:  # K is m x m
            k = grad_t @ z
            k_z_t = k @ z_t
            grad_a = -mT(z @ k) + k_z_t - (a @ z) @ k_z_t + (z_t @ z) @ (grad_t - k @ a)
        else:  # K is n x n
            k = z @ grad_t
            z_t_k = z_t @ k
            grad_a = -mT(k @ z) + (grad_t - a @ k) @ z @ z_t + z_t_k - z_t_k @ z @ a
        return grad_a


# ----- factorizations -------------------------------------------------------------------------


class Cholesky(Function):
    """A = L L^T with L lower triangular (returned as L^T, upper, for ``upper``); only the
    lower (``upper``: upper) triangle of A is read.

    dL/dA (Murray, 2016), with G = dL/dL and X = tril(L^T G): P = (X + tril(X, -1)^T) / 2,
    the symmetric matrix whose lower triangle is that of X, halved; then
    dL/dA = L^{-T} P L^{-1}, symmetric too (the two triangular solves are done as solves).
    """

    node_name = "LinalgCholeskyExBackward0"

    def forward(self, a: np.ndarray, upper: bool = False) -> np.ndarray:
        self.upper = upper
        try:
            self.out = np.linalg.cholesky(a, upper=upper)
        except np.linalg.LinAlgError:
            raise _not_positive_definite(a, upper) from None
        return self.out

    def backward(self, grad: Any) -> Any:
        low, grad_low = (mT(self.out), mT(grad)) if self.upper else (self.out, grad)
        phi = _tril(mT(low) @ grad_low)
        p = 0.5 * (phi + mT(_tril(phi, -1)))
        half = solve(mT(low), p)  # L^{-T} P
        return mT(solve(mT(low), mT(half)))  # (L^{-T} P) L^{-1}


def _not_positive_definite(a: np.ndarray, upper: bool) -> LinAlgError:
    """The batch element that fails and its first leading minor that is not positive-
    definite, as PyTorch reports them."""
    label, matrix = _first_failure(a, lambda m: np.linalg.cholesky(m, upper=upper))
    order = 1
    while order < matrix.shape[-1]:
        try:
            np.linalg.cholesky(matrix[:order, :order], upper=upper)
        except np.linalg.LinAlgError:
            break
        order += 1
    return LinAlgError(
        f"linalg.cholesky: {label}The factorization could not be completed because the input "
        f"is not positive-definite (the leading minor of order {order} is not "
        "positive-definite).")


class QR(Factorization):
    """A = Q R, Q with orthonormal columns, R upper triangular; ``mode`` 'reduced' (Q is
    m x k, R k x n, k = min(m, n)) or 'complete' (Q is m x m, R m x n).

    With M = G_R R^T - Q^T G_Q (G_Q and G_R the gradients of Q and R):
    for m >= n, dL/dA = (G_Q + Q copyltu(M)) R^{-T}, where copyltu(M) = triu(M) + triu(M, 1)^T
    (the upper triangle mirrored); for m < n, with R = [R1 R2] and R1 square,
    dL/dA = [Q tril(M^T - M) R1^{-T}, 0] + Q G_R. 'complete' with m > n is not
    differentiable (the last m - n columns of Q are any basis of the rest), as in PyTorch.
    """

    @staticmethod
    def factor_shapes(m: int, n: int, mode: str = "reduced") -> list[tuple[int, ...]]:
        k = m if mode == "complete" else min(m, n)
        return [(m, k), (k, n)]

    def forward(self, a: np.ndarray, mode: str = "reduced") -> np.ndarray:
        self.mode = mode
        q, r = np.linalg.qr(a, mode=mode)
        return self.pack(a, [q, r])

    def backward(self, grad: Any) -> Any:
        (q, r), (grad_q, grad_r) = self.unpack(grad)
        m, n = q.shape[-2], r.shape[-1]
        if self.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        mixed = grad_r @ mT(r) - mT(q) @ grad_q
        if m >= n:
            grad_a = q @ (_triu(mixed) + mT(_triu(mixed, 1))) + grad_q
            return mT(solve(r, mT(grad_a)))  # grad_a R^{-T}
        lower = q @ _tril(mT(mixed) - mixed)
        grad_a = mT(solve(r[..., :, :m], mT(lower)))  # times R1^{-T}
        return index_add(grad_a, grad_a.shape[:-1] + (n,), (Ellipsis, slice(0, m))) + q @ grad_r


class SVD(Factorization):
    """A = U diag(S) Vh, S descending; ``full_matrices`` gives square U and Vh.

    dL/dA (real case, Townsend's notes; G the gradients of U, S, Vh; k = min(m, n)):
    J = (skew(U^T G_U) S + S skew(Vh G_Vh^T)) / E + diag(G_S), with skew(X) = X - X^T and
    E_ij = S_j^2 - S_i^2 off the diagonal (1 on it); dL/dA = U J Vh, plus
    (I - U U^T) G_U S^{-1} Vh when m > n and U S^{-1} G_Vh (I - V V^T) when m < n. With
    ``full_matrices`` only the first k columns of U (rows of Vh) count, as in PyTorch.

    The vectors' terms divide by S_j^2 - S_i^2: they are finite only for distinct singular
    values (and, for a rectangular A, non-zero ones), as PyTorch documents; at repeated values
    the gradient is inf or NaN. Without G_U and G_Vh (svdvals), dL/dA = U diag(G_S) Vh,
    finite everywhere.
    """

    @staticmethod
    def factor_shapes(m: int, n: int, full_matrices: bool = False) -> list[tuple[int, ...]]:
        k = min(m, n)
        return [(m, m), (k,), (n, n)] if full_matrices else [(m, k), (k,), (k, n)]

    def forward(self, a: np.ndarray, full_matrices: bool = False) -> np.ndarray:
        try:
            u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        except np.linalg.LinAlgError:
            finite = "" if np.isfinite(a).all() else (
                " because the input matrix contained non-finite values")
            raise LinAlgError(f"linalg.svd: The algorithm failed to converge{finite}.") from None
        return self.pack(a, [u, s, vh])

    def backward(self, grad: Any) -> Any:
        (u, s, vh), (grad_u, grad_s, grad_vh) = self.unpack(grad)
        k = s.shape[-1]
        u, vh, grad_u, grad_vh = u[..., :k], vh[..., :k, :], grad_u[..., :k], grad_vh[..., :k, :]
        m, n = u.shape[-2], vh.shape[-1]
        use_u, use_vh = not _unused(grad_u), not _unused(grad_vh)
        if not (use_u or use_vh):
            return u @ (grad_s[..., :, None] * vh)
        s2 = s * s
        e = s2[..., None, :] - s2[..., :, None] + _eye(k, s)
        inner = _diag_embed(grad_s)
        if use_u:
            uhgu = mT(u) @ grad_u
            inner = inner + (uhgu - mT(uhgu)) * s[..., None, :] / e
        if use_vh:
            vhgv = vh @ mT(grad_vh)
            inner = inner + s[..., :, None] * (vhgv - mT(vhgv)) / e
        if m > n and use_u:
            grad_u_s = grad_u / s[..., None, :]
            return (u @ inner + grad_u_s - u @ (mT(u) @ grad_u_s)) @ vh
        if m < n and use_vh:
            s_grad_vh = grad_vh / s[..., :, None]
            return u @ (inner @ vh + s_grad_vh - (s_grad_vh @ mT(vh)) @ vh)
        return u @ inner @ vh


class Eigh(Factorization):
    """A = V diag(L) V^T for a symmetric A, L ascending; only the lower (``UPLO='U'``:
    upper) triangle of A is read.

    dL/dA = V (diag(G_L) + skew(V^T G_V) / E) V^T, where skew(X) = (X - X^T) / 2 is the part
    of V^T G_V that an orthonormal V can follow and E_ij = L_j - L_i off the diagonal (1 on
    it). The result is symmetric: the gradient for symmetric changes of A.
    The eigenvectors' term divides by L_j - L_i: finite only for distinct eigenvalues, as
    PyTorch documents; without G_V (eigvalsh), dL/dA = V diag(G_L) V^T, finite everywhere.
    """

    @staticmethod
    def factor_shapes(m: int, n: int, UPLO: str = "L") -> list[tuple[int, ...]]:
        return [(n,), (n, n)]

    def forward(self, a: np.ndarray, UPLO: str = "L") -> np.ndarray:
        try:
            w, v = np.linalg.eigh(a, UPLO=UPLO)
        except np.linalg.LinAlgError:
            raise LinAlgError("linalg.eigh: The algorithm failed to converge.") from None
        return self.pack(a, [w, v])

    def backward(self, grad: Any) -> Any:
        (w, v), (grad_w, grad_v) = self.unpack(grad)
        inner = _diag_embed(grad_w)
        if not _unused(grad_v):
            vhgv = mT(v) @ grad_v
            e = w[..., None, :] - w[..., :, None] + _eye(w.shape[-1], w)
            inner = inner + 0.5 * (vhgv - mT(vhgv)) / e
        return v @ inner @ mT(v)
