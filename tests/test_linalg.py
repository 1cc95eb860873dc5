"""minitorch.linalg without PyTorch: the named tuples and shapes of each mode, the older
forms (torch.svd's V, torch.qr's some, logdet, pinverse, methods), the errors, and the
gradients at the edges: singular matrices, repeated singular values and eigenvalues.
tests/op_registry.py checks values and gradients against NumPy and finite differences, and
tests/test_linalg_torch.py against PyTorch."""

import math

import numpy as np
import pytest

import minitorch as mt
from minitorch import linalg

RNG = np.random.default_rng(0)
A = RNG.standard_normal((2, 4, 3))  # a batch of two tall matrices
SQUARE = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)


def _leaf(array, dtype=mt.float64):
    return mt.tensor(array, dtype=dtype, requires_grad=True)


def _cofactor(a):
    """The cofactor matrix, entry by entry: (-1)^(i+j) times the minor (i, j)."""
    n = a.shape[-1]
    return np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(a, i, 0), j, 1))
                      for j in range(n)] for i in range(n)])


# ----- results: named tuples, shapes, dtypes -----------------------------------------------


def test_factorizations_return_named_tuples_of_the_modes_shapes():
    a = mt.tensor(A, dtype=mt.float32)
    q, r = linalg.qr(a)
    assert (q.shape, r.shape) == ((2, 4, 3), (2, 3, 3)) and q.dtype == mt.float32
    assert [t.shape for t in linalg.qr(a, mode="complete")] == [(2, 4, 4), (2, 4, 3)]
    only_r = linalg.qr(a, mode="r")
    assert only_r.Q.shape == (0,) and only_r.R.shape == (2, 3, 3)
    full, reduced = linalg.svd(a), linalg.svd(a, full_matrices=False)
    assert [t.shape for t in full] == [(2, 4, 4), (2, 3), (2, 3, 3)]
    assert [t.shape for t in reduced] == [(2, 4, 3), (2, 3), (2, 3, 3)]
    assert full._fields == ("U", "S", "Vh") and linalg.svdvals(a).dtype == mt.float32
    values, vectors = linalg.eigh(mt.tensor(SQUARE))
    assert values.shape == (2, 3) and vectors.shape == (2, 3, 3)
    assert linalg.eigh(mt.tensor(SQUARE))._fields == ("eigenvalues", "eigenvectors")
    assert linalg.slogdet(mt.tensor(SQUARE))._fields == ("sign", "logabsdet")


def test_factors_put_together_give_the_matrix_back():
    a = mt.tensor(A)
    q, r = linalg.qr(a)
    np.testing.assert_allclose((q @ r).numpy(), A, atol=1e-12)
    u, s, vh = linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(((u * s.unsqueeze(-2)) @ vh).numpy(), A, atol=1e-12)
    symmetric = mt.tensor(SQUARE + np.swapaxes(SQUARE, -1, -2))
    w, v = linalg.eigh(symmetric)
    np.testing.assert_allclose(((v * w.unsqueeze(-2)) @ v.mT).numpy(), symmetric.numpy(),
                               atol=1e-12)
    low = linalg.cholesky(symmetric @ symmetric.mT)
    np.testing.assert_allclose((low @ low.mT).numpy(), (symmetric @ symmetric.mT).numpy())
    assert np.all(np.triu(low.numpy(), 1) == 0)
    sign, logabsdet = linalg.slogdet(mt.tensor(SQUARE))
    np.testing.assert_allclose((sign * logabsdet.exp()).numpy(), np.linalg.det(SQUARE))


def test_eigh_and_cholesky_read_one_triangle():
    lower = np.array([[4.0, 100.0], [2.0, 3.0]])
    expected = [[2.0, 0.0], [1.0, math.sqrt(2)]]
    np.testing.assert_allclose(linalg.cholesky(mt.tensor(lower)).numpy(), expected)
    np.testing.assert_allclose(linalg.cholesky(mt.tensor(lower.T), upper=True).numpy(),
                               np.transpose(expected))
    upper_only = mt.tensor([[1.0, 5.0], [0.0, 1.0]])
    assert linalg.eigvalsh(upper_only, "U").tolist() == pytest.approx([-4.0, 6.0])
    assert linalg.eigvalsh(upper_only).tolist() == pytest.approx([1.0, 1.0])


def test_solve_takes_vectors_and_matrices_as_pytorch_decides():
    a = mt.tensor(SQUARE)
    x = linalg.solve(a, mt.ones(2, 3, dtype=mt.float64))  # A's shape without its last: vectors
    assert x.shape == (2, 3)
    np.testing.assert_allclose((a @ x.unsqueeze(-1)).squeeze(-1).numpy(), 1.0)
    assert linalg.solve(a, mt.ones(3, dtype=mt.float64)).shape == (2, 3)
    assert linalg.solve(a, mt.ones(3, 2, dtype=mt.float64)).shape == (2, 3, 2)
    right = linalg.solve(a, mt.ones(5, 3, dtype=mt.float64), left=False)  # X A = B
    np.testing.assert_allclose((right @ a).numpy(), 1.0)
    broadcast = linalg.solve(mt.tensor(SQUARE[:, None]), mt.ones(4, 3, 1, dtype=mt.float64))
    assert broadcast.shape == (2, 4, 3, 1)


def test_norms_of_each_order():
    x = mt.tensor([[1.0, -2.0], [3.0, 4.0]])
    singular = np.linalg.svd(x.numpy(), compute_uv=False)
    expected = {"fro": math.sqrt(30), "nuc": singular.sum(), 2: singular[0], -2: singular[1],
                1: 6.0, -1: 4.0, math.inf: 7.0, -math.inf: 3.0}
    for order, value in expected.items():
        assert linalg.matrix_norm(x, order).item() == pytest.approx(value, rel=1e-6), order
        assert linalg.norm(x, order).item() == pytest.approx(value, rel=1e-6), order
    batch = mt.tensor(RNG.standard_normal((2, 3, 4)))
    assert linalg.matrix_norm(batch, 2, dim=(2, 0), keepdim=True).shape == (1, 3, 1)
    assert linalg.matrix_norm(batch, "nuc", dtype=mt.float32).dtype == mt.float32
    assert linalg.norm(batch).item() == pytest.approx(np.linalg.norm(batch.numpy().ravel()))
    assert linalg.norm(batch, 3, dim=-1).shape == (2, 3)
    assert linalg.matrix_norm(mt.zeros(0, 3), 2).item() == 0.0


def test_rank_power_products_and_aliases():
    assert linalg.matrix_rank(mt.ones(3, 3)).item() == 1
    assert linalg.matrix_rank(mt.tensor(SQUARE)).tolist() == [3, 3]
    assert linalg.matrix_rank(mt.diag(mt.tensor([1.0, 0.1, 0.0])), 0.5).item() == 1
    assert linalg.matrix_rank(mt.diag(mt.tensor([1.0, 0.1])), atol=0.05).item() == 2
    assert linalg.matrix_rank(mt.diag(mt.tensor([1.0, -0.1])), hermitian=True).item() == 2
    assert linalg.matrix_rank(mt.ones(3, 3)).dtype == mt.int64
    a = mt.tensor(SQUARE)
    np.testing.assert_allclose(linalg.matrix_power(a, 5).numpy(),
                               np.linalg.matrix_power(SQUARE, 5))
    np.testing.assert_allclose(linalg.matrix_power(a, -3).numpy(),
                               np.linalg.matrix_power(SQUARE, -3))
    ints = mt.tensor([[1, 1], [1, 0]])
    assert linalg.matrix_power(ints, 10).tolist() == [[89, 55], [55, 34]]
    chain = [mt.ones(3), mt.ones(3, 50), mt.ones(50, 2), mt.ones(2)]
    assert linalg.multi_dot(chain).item() == 300.0 and linalg.multi_dot(chain).ndim == 0
    assert linalg.vecdot(mt.ones(2, 3), mt.ones(3)).tolist() == [3.0, 3.0]
    assert linalg.matmul is mt.matmul
    assert linalg.diagonal(a).shape == (2, 3)


def test_lstsq_fields_follow_the_driver():
    a, b = mt.tensor(A[0]), mt.tensor(RNG.standard_normal((4, 2)))
    solution, residuals, rank, singular_values = linalg.lstsq(a, b)
    np.testing.assert_allclose(solution.numpy(), np.linalg.lstsq(A[0], b.numpy())[0])
    assert residuals.shape == (0,) and rank.item() == 3 and singular_values.shape == (0,)
    full = linalg.lstsq(a, b, driver="gelsd")
    np.testing.assert_allclose(full.residuals.numpy(), np.linalg.lstsq(A[0], b.numpy())[1])
    np.testing.assert_allclose(full.singular_values.numpy(), np.linalg.svd(A[0])[1])
    assert linalg.lstsq(a, b, driver="gels").rank.shape == (0,)
    deficient = linalg.lstsq(mt.ones(4, 3, dtype=mt.float64), b, driver="gelss")
    assert deficient.rank.item() == 1 and deficient.residuals.shape == (0,)
    vector = linalg.lstsq(mt.tensor(A), mt.ones(2, 4, dtype=mt.float64), driver="gelsd")
    assert vector.solution.shape == (2, 3) and vector.residuals.shape == (2, 1)


# ----- PyTorch's older forms ------------------------------------------------------------------


def test_older_forms_and_methods():
    a, tall = mt.tensor(SQUARE), mt.tensor(A)
    assert mt.det(a).tolist() == a.det().tolist() == linalg.det(a).tolist()
    assert mt.inverse(a).tolist() == a.inverse().tolist() == linalg.inv(a).tolist()
    assert [t.tolist() for t in mt.slogdet(a)] == [t.tolist() for t in a.slogdet()]
    assert mt.logdet(a).tolist() == pytest.approx(np.log(np.linalg.det(SQUARE)).tolist())
    assert mt.pinverse(tall).shape == tall.pinverse().shape == (2, 3, 4)
    assert mt.matrix_power(a, 2).tolist() == a.matrix_power(2).tolist()
    spd = a @ a.mT
    assert mt.cholesky(spd).tolist() == spd.cholesky().tolist() == linalg.cholesky(spd).tolist()
    np.testing.assert_allclose(mt.cholesky(spd, upper=True).numpy(),
                               linalg.cholesky(spd).mT.numpy())
    assert [t.shape for t in mt.qr(tall)] == [(2, 4, 3), (2, 3, 3)]
    assert [t.shape for t in tall.qr(some=False)] == [(2, 4, 4), (2, 4, 3)]
    u, s, v = mt.svd(tall)  # V, not Vh, and reduced by default
    assert u.shape == (2, 4, 3) and v.shape == (2, 3, 3) and mt.svd(tall)._fields[2] == "V"
    np.testing.assert_allclose(((u * s.unsqueeze(-2)) @ v.mT).numpy(), A, atol=1e-12)
    assert [t.shape for t in tall.svd(some=False)] == [(2, 4, 4), (2, 3), (2, 3, 3)]
    no_vectors = tall.svd(compute_uv=False)
    assert no_vectors.U.shape == (2, 4, 4) and no_vectors.V.shape == (2, 3, 3)
    assert not no_vectors.U.numpy().any() and no_vectors.S.tolist() == s.tolist()


def test_logdet_is_nan_for_a_negative_determinant_and_minus_inf_for_zero():
    values = mt.logdet(mt.tensor([[[-1.0, 0.0], [0.0, 2.0]], [[1.0, 2.0], [2.0, 4.0]]]))
    assert math.isnan(values[0].item()) and values[1].item() == -math.inf


def test_mt_and_mh_swap_the_last_two_dimensions():
    x = mt.tensor(A)
    assert x.mT.shape == x.mH.shape == (2, 3, 4) and x.mT.tolist() == x.transpose(1, 2).tolist()
    with pytest.raises(RuntimeError, match="only supported on matrices"):
        _ = mt.ones(3).mT


def test_matrix_power_zero_and_one_are_new_tensors_with_gradients():
    a = _leaf(SQUARE)
    identity = linalg.matrix_power(a, 0)
    assert identity.tolist() == np.broadcast_to(np.eye(3), (2, 3, 3)).tolist()
    identity.sum().backward()
    assert not a.grad.numpy().any()  # defined, and zero
    same = linalg.matrix_power(a, 1)
    assert same is not a and same.tolist() == a.tolist()


# ----- gradients at the edges -------------------------------------------------------------------


def test_det_gradient_at_singular_matrices_is_the_cofactor_matrix():
    rank_two = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    batch = np.stack([rank_two, np.ones((3, 3)), SQUARE[0]])  # ranks 2, 1 and 3
    a = _leaf(batch)
    linalg.det(a).sum().backward()
    expected = [_cofactor(m) for m in batch]
    assert np.abs(expected[0]).max() > 1  # the one non-zero term of a rank n - 1 matrix
    np.testing.assert_allclose(a.grad.numpy(), expected, atol=1e-12)
    assert mt.gradgradcheck(linalg.det, rank_two)  # through the SVD's gradient


def test_det_gradient_keeps_float32():
    a = _leaf(np.ones((2, 2)), mt.float32)
    linalg.det(a).backward()
    assert a.grad.dtype == mt.float32
    np.testing.assert_allclose(a.grad.numpy(), [[1.0, -1.0], [-1.0, 1.0]], rtol=1e-6)


def test_vector_gradients_at_repeated_values_are_not_finite_but_value_gradients_are():
    eye = _leaf(np.eye(3))
    linalg.svdvals(eye).sum().backward()
    np.testing.assert_allclose(eye.grad.numpy(), np.eye(3))
    eye.grad = None
    linalg.eigvalsh(eye).sum().backward()
    np.testing.assert_allclose(eye.grad.numpy(), np.eye(3))
    eye.grad = None
    with np.errstate(divide="ignore", invalid="ignore"):
        linalg.svd(eye).U.abs().sum().backward()
    assert not np.isfinite(eye.grad.numpy()).all()
    assert mt.gradcheck(linalg.pinv, np.eye(3))  # its own formula, finite here


def test_pinv_tolerances_cut_small_singular_values():
    diagonal = mt.diag(mt.tensor([2.0, 0.01], dtype=mt.float64))
    assert linalg.pinv(diagonal).diagonal().tolist() == pytest.approx([0.5, 100.0])
    assert linalg.pinv(diagonal, rtol=0.1).diagonal().tolist() == pytest.approx([0.5, 0.0])
    assert linalg.pinv(diagonal, atol=0.1).diagonal().tolist() == pytest.approx([0.5, 0.0])
    assert linalg.pinv(diagonal, 0.1).diagonal().tolist() == pytest.approx([0.5, 0.0])
    assert linalg.pinv(-diagonal, hermitian=True).diagonal().tolist() == pytest.approx(
        [-0.5, -100.0])
    assert linalg.pinv(mt.zeros(2, 0, 3)).shape == (2, 3, 0)


def test_what_has_no_derivative_raises_in_backward():
    singular = _leaf([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(linalg.LinAlgError, match="singular"):
        linalg.slogdet(singular).logabsdet.backward()
    tall = _leaf(A[0])
    with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
        linalg.qr(tall, mode="complete").Q.sum().backward()


def test_a_zero_gradient_of_the_factors_gives_a_zero_gradient():
    for factors in (linalg.qr, linalg.svd, linalg.eigh):
        a = _leaf(SQUARE[0])
        (factors(a)[0].sum() * 0).backward()
        assert a.grad.shape == (3, 3) and not a.grad.numpy().any()


# ----- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: linalg.det(mt.ones(3, 4)), RuntimeError, "square matrices, but they are 3 by 4"),
    (lambda: linalg.inv(mt.ones(3)), RuntimeError, "at least 2 dimensions"),
    (lambda: linalg.det(mt.ones(2, 2, dtype=mt.int64)), RuntimeError, "got int64"),
    (lambda: linalg.svd(mt.ones(2, 2, dtype=mt.float16)), RuntimeError, "got float16"),
    (lambda: linalg.inv(mt.tensor([[1.0, 2.0], [2.0, 4.0]])), linalg.LinAlgError,
     "input matrix is singular"),
    (lambda: linalg.inv(mt.stack([mt.eye(2), mt.zeros(2, 2)])), linalg.LinAlgError,
     r"\(Batch element 1\)"),
    (lambda: linalg.solve(mt.zeros(2, 2), mt.ones(2)), linalg.LinAlgError, "singular"),
    (lambda: linalg.solve(mt.eye(2), mt.ones(3)), RuntimeError, r"AX = B \(2x2 and 3x1\)"),
    (lambda: linalg.solve(mt.eye(2), mt.ones(2), left=False), RuntimeError,
     r"XA = B \(2x2 and 2x1\)"),
    (lambda: linalg.solve(mt.eye(2), mt.ones(2, dtype=mt.float64)), RuntimeError,
     "same dtype"),
    (lambda: linalg.solve(mt.ones(3, 2, 2), mt.ones(4, 2, 1)), RuntimeError,
     "do not broadcast"),
    (lambda: linalg.cholesky(mt.tensor([[1.0, 2.0], [2.0, 1.0]])), linalg.LinAlgError,
     "leading minor of order 2 is not positive-definite"),
    (lambda: linalg.cholesky(mt.stack([mt.eye(2), -mt.eye(2)])), linalg.LinAlgError,
     r"\(Batch element 1\).*order 1"),
    (lambda: linalg.qr(mt.ones(2, 2), mode="full"), RuntimeError, "unrecognized mode 'full'"),
    (lambda: linalg.svd(mt.ones(2, 2), driver="gesvd"), RuntimeError, "driver"),
    (lambda: linalg.svd(mt.tensor([[math.nan, 1.0], [1.0, 1.0]])), linalg.LinAlgError,
     "non-finite"),
    (lambda: linalg.eigh(mt.ones(2, 2), UPLO="X"), RuntimeError, "'L' or 'U'"),
    (lambda: linalg.matrix_norm(mt.ones(2, 2), 3), RuntimeError, "Order 3 not supported"),
    (lambda: linalg.matrix_norm(mt.ones(2, 2), dim=(1, 1)), RuntimeError, "must be different"),
    (lambda: linalg.matrix_norm(mt.ones(2, 2), dim=1), RuntimeError, "2-tuple"),
    (lambda: linalg.matrix_norm(mt.ones(2, 2), dim=(0, 2)), IndexError, "out of range"),
    (lambda: linalg.norm(mt.ones(2, 2, 2), 2), RuntimeError, "must be 1D or 2D"),
    (lambda: linalg.norm(mt.ones(2, 2, 2), dim=(0, 1, 2)), RuntimeError, "length 1 or 2"),
    (lambda: linalg.norm(mt.ones(3), "fro"), RuntimeError, "at least 2 dimensions"),
    (lambda: linalg.pinv(mt.ones(2, 2), 0.1, atol=0.1), TypeError, "not both"),
    (lambda: linalg.pinv(mt.ones(2, 3), hermitian=True), RuntimeError, "square"),
    (lambda: linalg.matrix_power(mt.ones(2, 2), 2.0), TypeError, "must be an int"),
    (lambda: linalg.matrix_power(mt.ones(2, 3), 2), RuntimeError, "square"),
    (lambda: linalg.matrix_power(mt.ones(2, 2, dtype=mt.int64), -1), RuntimeError, "int64"),
    (lambda: linalg.multi_dot([mt.ones(2, 2)]), RuntimeError, "at least 2 tensors"),
    (lambda: linalg.multi_dot([mt.ones(2, 2, 2), mt.ones(2, 2)]), RuntimeError,
     "the first tensor must be 1D or 2D"),
    (lambda: linalg.multi_dot([mt.ones(2, 2), mt.ones(2), mt.ones(2, 2)]), RuntimeError,
     "tensor 1 must be 2D"),
    (lambda: linalg.multi_dot([mt.ones(3, 3), mt.ones(4, 3)]), RuntimeError,
     r"tensors 0 and 1 with shapes \[3, 3\] and \[4, 3\] cannot be multiplied"),
    (lambda: linalg.multi_dot([mt.ones(3, 3), mt.ones(3, 3, dtype=mt.float64)]), RuntimeError,
     "same dtype"),
    (lambda: linalg.lstsq(mt.ones(3, 2), mt.ones(4, 1)), RuntimeError, "should match"),
    (lambda: linalg.lstsq(mt.ones(3, 2), mt.ones(3, 1), driver="x"), RuntimeError, "driver"),
    (lambda: linalg.lstsq(mt.ones(3), mt.ones(3)), RuntimeError, "at least 2 dimensions"),
    (lambda: linalg.vecdot(mt.ones(3, dtype=mt.int64), mt.ones(3, dtype=mt.int64)),
     RuntimeError, "floating point"),
    (lambda: linalg.vecdot(mt.ones(3), mt.ones(3, dtype=mt.float64)), RuntimeError,
     "same dtype"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_linalg_error_is_a_runtime_error():
    assert issubclass(linalg.LinAlgError, RuntimeError)
