"""``minitorch.linalg``: the linear-algebra functions PyTorch keeps under ``torch.linalg``.

Each works on the last two dimensions of its input (its matrices) and is batched over the
dimensions before them; it takes float32 or float64 and returns that dtype, and it is
differentiable (:mod:`minitorch.ops.linalg` has each gradient's formula). The factorizations
return named tuples, as in PyTorch: ``Q, R = linalg.qr(A)`` or ``linalg.qr(A).R``. A
singular matrix where an inverse is needed, or one that is not positive-definite for
Cholesky, raises :class:`LinAlgError`.

PyTorch's older forms of these (``torch.det``, ``torch.inverse``, ``torch.svd``,
``x.cholesky()``, ...) are Tensor methods, built on the functions here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from minitorch.factories import zeros
from minitorch.ops import linalg as ops
from minitorch.ops.linalg import LinAlgError
from minitorch.tensor import Tensor, _dim_index, as_tensor, cross_product, matmul, where

__all__ = [
    "LinAlgError", "Eigh", "Lstsq", "QR", "SVD", "SignLogAbsDet", "USV", "cholesky", "cross",
    "det", "diagonal", "eigh", "eigvalsh", "inv", "lstsq", "matmul", "matrix_norm",
    "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "svd",
    "svdvals", "vecdot", "vector_norm",
]


class SignLogAbsDet(NamedTuple):
    """What ``slogdet`` returns: det(A) = sign * exp(logabsdet)."""

    sign: Tensor
    logabsdet: Tensor


class QR(NamedTuple):
    """What ``qr`` returns: A = Q R."""

    Q: Tensor
    R: Tensor


class SVD(NamedTuple):
    """What ``linalg.svd`` returns: A = U diag(S) Vh."""

    U: Tensor
    S: Tensor
    Vh: Tensor


class USV(NamedTuple):
    """What the older ``torch.svd`` returns: A = U diag(S) V^T, with V, not its transpose."""

    U: Tensor
    S: Tensor
    V: Tensor


class Eigh(NamedTuple):
    """What ``eigh`` returns: A = eigenvectors diag(eigenvalues) eigenvectors^T."""

    eigenvalues: Tensor
    eigenvectors: Tensor


class Lstsq(NamedTuple):
    """What ``lstsq`` returns; the fields a driver does not compute are empty tensors."""

    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _matrices(A: Any, name: str, square: bool = True) -> Tensor:
    """``A`` as a Tensor, checked: at least 2-D, float32 or float64, square if asked."""
    A = as_tensor(A)
    if A.ndim < 2:
        raise RuntimeError(
            f"{name}: The input tensor A must have at least 2 dimensions, got shape {A.shape}")
    if A.dtype not in _FLOATS:
        raise RuntimeError(
            f"{name}: Expected a floating point tensor (float32 or float64) as input, got "
            f"{A.dtype}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    return A


def _same_dtype(name: str, first: str, a: Tensor, second: str, b: Tensor) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name}: Expected {first} and {second} to have the same dtype, but "
                           f"found {first} of type {a.dtype} and {second} of type {b.dtype}")


def _is_vector_rhs(A: Tensor, B: Tensor) -> bool:
    """PyTorch's rule for solve and lstsq: B is a (batch of) vector(s) when it is 1-D or has
    exactly A's shape without its last dimension."""
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])


# ----- determinants, inverses, solves ------------------------------------------------------


def det(A: Tensor) -> Tensor:
    """The determinant of each matrix."""
    return ops.Det.apply(_matrices(A, "linalg.det"))


def slogdet(A: Tensor) -> SignLogAbsDet:
    """The sign of the determinant (0 for a singular matrix) and the log of its magnitude
    (-inf there): a determinant too large or small for floats, taken apart."""
    return SignLogAbsDet(*ops.SlogDet.factors(_matrices(A, "linalg.slogdet")))


def inv(A: Tensor) -> Tensor:
    """The inverse of each matrix; a singular one raises :class:`LinAlgError`."""
    return ops.Inverse.apply(_matrices(A, "linalg.inv"))


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B), without forming A^{-1}.

    B is a matrix or a batch of them, or, as PyTorch decides, a vector or batch of vectors
    when it is 1-D or has exactly A's shape without its last dimension; the batch
    dimensions of A and B broadcast.
    """
    A = _matrices(A, "linalg.solve")
    B = as_tensor(B)
    _same_dtype("linalg.solve", "A", A, "B", B)
    if B.ndim == 0:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    vector = _is_vector_rhs(A, B)
    matrices = B.unsqueeze(-1) if vector else B
    n, (rows, columns) = A.shape[-1], matrices.shape[-2:]
    if (rows if left else columns) != n:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {rows}x{columns})")
    try:
        np.broadcast_shapes(A.shape[:-2], matrices.shape[:-2])
    except ValueError:
        raise RuntimeError(f"linalg.solve: the batch dimensions of A {A.shape[:-2]} and B "
                           f"{matrices.shape[:-2]} do not broadcast") from None
    if left:
        X = ops.Solve.apply(A, matrices)
    else:  # X A = B is A^T X^T = B^T
        X = ops.Solve.apply(A.mT, matrices.mT).mT
    return X.squeeze(-1) if vector else X


def pinv(A: Tensor, rcond: float | None = None, hermitian: bool = False, *,
         atol: float | None = None, rtol: float | None = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse: singular values at or below max(atol, rtol * the
    largest) count as zero. By default rtol = eps * max(m, n) (0 when only atol > 0 is
    given); ``rcond`` is PyTorch's older name for rtol. ``hermitian`` reads A as symmetric
    (only its lower triangle), through its eigenvalues."""
    if rcond is not None:
        if atol is not None or rtol is not None:
            raise TypeError("linalg.pinv: pass rcond, or atol and rtol, not both")
        atol, rtol = 0.0, rcond
    A = _matrices(A, "linalg.pinv", square=hermitian)
    atol, rtol = _tolerances(A, atol, rtol)
    return ops.Pinv.apply(A, atol=atol, rtol=rtol, hermitian=hermitian)


def _tolerances(A: Tensor, atol: float | None, rtol: float | None) -> tuple[float, float]:
    """PyTorch's defaults: rtol = eps * max(m, n) unless given, or 0 when only atol > 0 is."""
    if rtol is None:
        given = atol is not None and float(atol) > 0
        rtol = 0.0 if given else np.finfo(A.dtype).eps * max(A.shape[-2:])
    return (0.0 if atol is None else float(atol)), float(rtol)


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *,
          driver: str | None = None) -> Lstsq:
    """The least-squares solution X of A X = B (minimum norm when A has not full rank):
    pinv(A, rcond) @ B, with rcond = eps * max(m, n) by default; B is a matrix or a vector
    by :func:`solve`'s rule.

    The other fields follow PyTorch's CPU drivers: ``rank`` for 'gelsy' (the default),
    'gelsd' and 'gelss'; ``singular_values`` (not differentiable) for 'gelsd' and 'gelss';
    ``residuals``, the squared norms of the columns of A X - B, when m > n, every matrix
    has full rank and the driver is not 'gelsy'. The others are empty tensors.
    """
    A, B = as_tensor(A), as_tensor(B)
    if A.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if B.ndim < 1:
        raise RuntimeError("torch.linalg.lstsq: other must have at least 1 dimension.")
    A = _matrices(A, "torch.linalg.lstsq", square=False)
    _same_dtype("torch.linalg.lstsq", "input", A, "other", B)
    drivers = ("gels", "gelsy", "gelsd", "gelss")
    driver = "gelsy" if driver is None else driver
    if driver not in drivers:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           f"({', '.join(drivers)}), got {driver!r}")
    vector = _is_vector_rhs(A, B)
    matrices = B.unsqueeze(-1) if vector else B
    if matrices.shape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2), "
                           f"got shapes {A.shape} and {B.shape}")
    m, n = A.shape[-2:]
    rcond = np.finfo(A.dtype).eps * max(m, n) if rcond is None else rcond
    solution = pinv(A, rcond=rcond) @ matrices
    empty = zeros(0, dtype=A.dtype)
    rank = (zeros(0, dtype=np.int64) if driver == "gels" else
            matrix_rank(A, atol=0.0, rtol=rcond))
    singular_values = svdvals(A).detach() if driver in ("gelsd", "gelss") else empty
    full_rank = driver == "gels" or bool((rank == min(m, n)).all())
    residuals = empty
    if m > n and driver != "gelsy" and full_rank:
        residuals = ((A @ solution - matrices) ** 2).sum(-2)
    return Lstsq(solution.squeeze(-1) if vector else solution, residuals, rank, singular_values)


# ----- factorizations ----------------------------------------------------------------------


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L, lower triangular with a positive diagonal, such that A = L L^T (``upper``: L^T,
    with A = U^T U), for a symmetric positive-definite A; only the lower (``upper``: upper)
    triangle of A is read. A matrix that is not positive-definite raises
    :class:`LinAlgError`."""
    return ops.Cholesky.apply(_matrices(A, "linalg.cholesky"), upper=upper)


def qr(A: Tensor, mode: str = "reduced") -> QR:
    """A = Q R with orthonormal columns in Q and R upper triangular. ``mode`` 'reduced': Q is
    m x k and R k x n, k = min(m, n); 'complete': Q is m x m and R m x n; 'r': R only (Q is
    an empty tensor), as in PyTorch."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    A = _matrices(A, "linalg.qr", square=False)
    Q, R = ops.QR.factors(A, mode="complete" if mode == "complete" else "reduced")
    return QR(zeros(0, dtype=A.dtype) if mode == "r" else Q, R)


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None) -> SVD:
    """A = U diag(S) Vh, S descending and non-negative. ``full_matrices`` (the default)
    gives square U (m x m) and Vh (n x n); otherwise U is m x k and Vh k x n, k = min(m, n).

    The signs of the singular vectors are not unique, so a differentiable loss should not
    depend on them; gradients through U and Vh are finite only for distinct singular values
    (see :class:`minitorch.ops.linalg.SVD`).
    """
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")
    A = _matrices(A, "linalg.svd", square=False)
    return SVD(*ops.SVD.factors(A, full_matrices=full_matrices))


def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:
    """The singular values, descending; their gradient is finite even where they repeat."""
    return svd(A, full_matrices=False, driver=driver).S


def eigh(A: Tensor, UPLO: str = "L") -> Eigh:
    """The eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric
    matrix, read from its lower (``UPLO='U'``: upper) triangle. Gradients through the
    eigenvectors are finite only for distinct eigenvalues."""
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return Eigh(*ops.Eigh.factors(_matrices(A, "linalg.eigh"), UPLO=UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of a symmetric matrix, ascending (see :func:`eigh`)."""
    return eigh(A, UPLO).eigenvalues


# ----- norms, ranks, powers, products -------------------------------------------------------


def vector_norm(x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """The ``ord``-norm of the values over ``dim`` (all of them by default); see
    :meth:`minitorch.Tensor.norm`."""
    return as_tensor(x).norm(ord, dim, keepdim, dtype)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: tuple[int, int] = (-2, -1),
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The ``ord``-norm of the matrices in dimensions ``dim``: 'fro' (the root of the sum of
    squares), 'nuc' (the sum of the singular values), 2 and -2 (the largest and smallest
    singular value), 1 and -1 (the largest and smallest column sum of magnitudes), inf and
    -inf (the same over rows)."""
    A = as_tensor(A)
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions, got shape {A.shape}")
    if dtype is not None:
        A = A.astype(dtype)
    A = _matrices(A, "linalg.matrix_norm", square=False)
    dims = _two_dims(dim, A.ndim)
    if ord == "fro":
        return A.norm(2, dims, keepdim)
    if A.numel() == 0 and ord in ("nuc", 2, -2, 1, -1, math.inf, -math.inf):
        return A.abs().sum(dims, keepdim)  # zeros: PyTorch's value for empty matrices
    if ord in ("nuc", 2, -2):
        values = svdvals(A.movedim(dims, (-2, -1)))
        value = {"nuc": lambda: values.sum(-1), 2: lambda: values[..., 0],
                 -2: lambda: values[..., -1]}[ord]()
        return value[..., None, None].movedim((-2, -1), dims) if keepdim else value
    if ord in (1, -1, math.inf, -math.inf):
        summed, extreme = dims if abs(ord) == 1 else dims[::-1]  # 1: column sums, inf: rows
        sums = A.abs().sum(summed, keepdim=True)
        value = sums.amax(extreme, keepdim=True) if ord > 0 else sums.amin(extreme, keepdim=True)
        return value if keepdim else value.squeeze(dims)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def _two_dims(dim: Any, ndim: int) -> tuple[int, int]:
    if not isinstance(dim, Sequence) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    first, second = (_dim_index(d, ndim) for d in dim)
    if first == second:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got {tuple(dim)}")
    return first, second


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """A vector or matrix norm, as PyTorch chooses: a matrix norm (:func:`matrix_norm`) when
    ``ord`` is given and ``dim`` names two dimensions (or, without ``dim``, A is 2-D) or
    ``ord`` is 'fro' or 'nuc'; otherwise the vector norm over ``dim`` (all values without
    it), 2 by default."""
    A = as_tensor(A)
    dims = None if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    if dims is not None and len(dims) not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is specified, it must be of length 1 or 2. "
                           f"Got {list(dims)}")
    if dims is None and ord is not None and A.ndim not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must "
                           f"be 1D or 2D. Got {A.ndim}D.")
    if isinstance(ord, str) or (ord is not None and (dims is None and A.ndim == 2
                                                      or dims is not None and len(dims) == 2)):
        return matrix_norm(A, ord, (-2, -1) if dims is None else dims, keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)


def matrix_rank(A: Tensor, tol: float | None = None, hermitian: bool = False, *,
                atol: float | None = None, rtol: float | None = None) -> Tensor:
    """The number of singular values above max(atol, rtol * the largest) (int64), with
    :func:`pinv`'s defaults; ``tol`` is PyTorch's older name for atol (with rtol = 0).
    ``hermitian`` reads A as symmetric and counts |eigenvalues|. Not differentiable."""
    if tol is not None:
        atol, rtol = tol, 0.0
    A = _matrices(A, "linalg.matrix_rank", square=hermitian)
    atol, rtol = _tolerances(A, atol, rtol)
    if A.numel() == 0:
        return zeros(A.shape[:-2], dtype=np.int64)
    values = (np.abs(np.linalg.eigvalsh(A._data)) if hermitian
              else np.linalg.svd(A._data, compute_uv=False))
    cutoff = np.maximum(atol, rtol * values.max(axis=-1, keepdims=True))
    return Tensor._make(np.asarray(np.count_nonzero(values > cutoff, axis=-1), np.int64), False)


def matrix_power(A: Tensor, n: int) -> Tensor:
    """A multiplied by itself ``n`` times (by repeated squaring); A^0 is the identity and a
    negative ``n`` takes powers of the inverse."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    A = as_tensor(A)
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           f"dimensions, got shape {A.shape}")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError("linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {A.shape[-2]} by {A.shape[-1]} matrices")
    if n == 0:  # the identity, recorded as taken from A (a zero gradient), as in PyTorch
        return where(np.True_, np.eye(A.shape[-1], dtype=A.dtype), A)
    base = inv(A) if n < 0 else A
    n, result = abs(n), None
    while True:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if not n:
            return result.clone() if result is A else result
        base = base @ base


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """The product of two or more matrices, multiplied in the order that takes the fewest
    scalar multiplications; the first may be a vector (a row) and the last a vector (a
    column)."""
    tensors = [as_tensor(t) for t in tensors]
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for index, t in enumerate(tensors):
        end = {0: "the first tensor", len(tensors) - 1: "the last tensor"}.get(index)
        if t.ndim != 2 and (end is None or t.ndim != 1):
            allowed = "1D or 2D" if end else "2D"
            raise RuntimeError(f"multi_dot(): {end or f'tensor {index}'} must be {allowed} but "
                               f"got {t.ndim}D")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("multi_dot(): all tensors must have the same dtype but tensor 0 "
                               f"is {tensors[0].dtype} and tensor {index} {t.dtype}")
    first, last = tensors[0], tensors[-1]
    matrices = [first.unsqueeze(0) if first.ndim == 1 else first, *tensors[1:-1],
                last.unsqueeze(-1) if last.ndim == 1 else last]
    for index in range(len(matrices) - 1):
        if matrices[index].shape[1] != matrices[index + 1].shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {index} and {index + 1} with shapes "
                f"{list(tensors[index].shape)} and {list(tensors[index + 1].shape)} cannot be "
                "multiplied")
    product = _chain_product(matrices)
    if first.ndim == 1:
        product = product.squeeze(0)
    return product.squeeze(-1) if last.ndim == 1 else product


def _chain_product(matrices: list[Tensor]) -> Tensor:
    """The product in the cheapest order: the textbook dynamic program over where the last
    multiplication splits each run of matrices."""
    sizes = [matrices[0].shape[0]] + [m.shape[1] for m in matrices]
    cost = {(i, i): 0 for i in range(len(matrices))}
    split: dict[tuple[int, int], int] = {}
    for length in range(2, len(matrices) + 1):
        for i in range(len(matrices) - length + 1):
            j = i + length - 1
            cost[i, j], split[i, j] = min(
                (cost[i, k] + cost[k + 1, j] + sizes[i] * sizes[k + 1] * sizes[j + 1], k)
                for k in range(i, j))

    def product(i: int, j: int) -> Tensor:
        return matrices[i] if i == j else product(i, split[i, j]) @ product(split[i, j] + 1, j)

    return product(0, len(matrices) - 1)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """The dot products of the vectors along ``dim`` (the inputs broadcast)."""
    x, y = as_tensor(x), as_tensor(y)
    if x.dtype not in _FLOATS:
        raise RuntimeError("linalg.vecdot: Expected a floating point tensor (float32 or "
                           f"float64) as input, got {x.dtype}")
    _same_dtype("linalg.vecdot", "x", x, "y", y)
    return (x * y).sum(dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonal ``offset`` of the matrices (:meth:`minitorch.Tensor.diagonal`, with the
    last two dimensions as the default)."""
    return as_tensor(A).diagonal(offset, dim1, dim2)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of the 3-vectors along ``dim`` (the two tensors broadcast); see
    :meth:`minitorch.Tensor.cross`."""
    return cross_product(input, other, dim)
