"""minitorch.linalg against PyTorch: values, dtypes and gradients (float32 and float64) of
every function and mode, second derivatives, the named tuples' fields and the errors. Each
case is written once, for either library as ``lib``. The factors' signs are a free choice
each library makes on its own, so factorizations are compared through what does not depend
on them (squared entries, products with weighted columns)."""

import math

import numpy as np
import pytest

import minitorch as mt

torch = pytest.importorskip("torch")
# PyTorch warns that its older forms (torch.cholesky, torch.qr) are deprecated; minitorch does not.
pytestmark = pytest.mark.filterwarnings(r"ignore:torch\.\w+ is deprecated:UserWarning")

_RNG = np.random.default_rng(0)
SQUARE = _RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)  # well-conditioned, det > 0 and < 0
SQUARE[1, 0] *= -1
TALL = _RNG.standard_normal((2, 4, 3))
WIDE = _RNG.standard_normal((2, 3, 4))
RHS = _RNG.standard_normal((2, 3, 2))
NOT_SYMMETRIC = _RNG.standard_normal((2, 3, 3))  # eigh and cholesky read one triangle


def _spd(lib, x):
    return x @ x.mT + 3 * lib.eye(x.shape[-1], dtype=x.dtype)


def _weighted(lib, x):
    return x * lib.arange(1, x.shape[-1] + 1, dtype=x.dtype)


def _svd_invariants(lib, u, s, vh):
    k = s.shape[-1]
    u, vh = u[..., :k], vh[..., :k, :]
    return lib.cat([(u * u).flatten(-2), s, (_weighted(lib, u) @ vh).flatten(-2)], -1)


def _qr_invariants(lib, q, r):
    return lib.cat([(q * q).flatten(-2), (r * r).flatten(-2), (_weighted(lib, q) @ r).flatten(-2)],
                   -1)


def _eigh_invariants(lib, w, v):
    return lib.cat([(v * v).flatten(-2), w, (_weighted(lib, v) @ v.mT).flatten(-2)], -1)


def _torch_svd_invariants(lib, u, s, v):
    """As for linalg.svd, with torch.svd's V in place of Vh."""
    return _svd_invariants(lib, u, s, v.mT)


# (name, function of (lib, *inputs), inputs): the inputs require grad in both libraries.
CASES = [
    ("det", lambda lib, a: lib.linalg.det(a), (SQUARE,)),
    ("det_function", lambda lib, a: lib.det(a), (SQUARE,)),
    ("det_method", lambda lib, a: a.det(), (SQUARE[0],)),
    ("slogdet", lambda lib, a: lib.stack(list(lib.linalg.slogdet(a)), -1), (SQUARE,)),
    ("slogdet_method", lambda lib, a: a.slogdet()[1], (SQUARE,)),
    ("logdet", lambda lib, a: lib.logdet(a), (SQUARE,)),
    ("logdet_method", lambda lib, a: a[0].logdet(), (SQUARE,)),
    ("inv", lambda lib, a: lib.linalg.inv(a), (SQUARE,)),
    ("inverse", lambda lib, a: lib.inverse(a), (SQUARE,)),
    ("inverse_method", lambda lib, a: a.inverse(), (SQUARE,)),
    ("solve", lambda lib, a, b: lib.linalg.solve(a, b), (SQUARE, RHS)),
    ("solve_vector", lambda lib, a, b: lib.linalg.solve(a, b[0, :, 0]), (SQUARE, RHS)),
    ("solve_vectors", lambda lib, a, b: lib.linalg.solve(a, b[..., 0]), (SQUARE, RHS)),
    ("solve_broadcast", lambda lib, a, b: lib.linalg.solve(a[:, None], b[0]), (SQUARE, RHS)),
    ("solve_left_false", lambda lib, a, b: lib.linalg.solve(a, b.mT, left=False),
     (SQUARE, RHS)),
    ("cholesky", lambda lib, x: lib.linalg.cholesky(_spd(lib, x)), (NOT_SYMMETRIC,)),
    ("cholesky_upper", lambda lib, x: lib.linalg.cholesky(_spd(lib, x), upper=True),
     (NOT_SYMMETRIC,)),
    ("cholesky_one_triangle", lambda lib, x: lib.linalg.cholesky(_spd(lib, x) + x.tril(-1)),
     (NOT_SYMMETRIC,)),
    ("cholesky_method", lambda lib, x: _spd(lib, x).cholesky(), (NOT_SYMMETRIC,)),
    ("cholesky_function_upper", lambda lib, x: lib.cholesky(_spd(lib, x), True),
     (NOT_SYMMETRIC,)),
    ("qr", lambda lib, a: _qr_invariants(lib, *lib.linalg.qr(a)), (TALL,)),
    ("qr_wide", lambda lib, a: _qr_invariants(lib, *lib.linalg.qr(a)), (WIDE,)),
    ("qr_complete_wide", lambda lib, a: _qr_invariants(lib, *lib.linalg.qr(a, "complete")),
     (WIDE,)),
    ("qr_square", lambda lib, a: _qr_invariants(lib, *lib.linalg.qr(a)), (SQUARE,)),
    ("qr_method_some", lambda lib, a: _qr_invariants(lib, *a.qr()), (TALL,)),
    ("qr_function", lambda lib, a: _qr_invariants(lib, *lib.qr(a, some=True)), (TALL,)),
    ("svd", lambda lib, a: _svd_invariants(lib, *lib.linalg.svd(a, full_matrices=False)),
     (TALL,)),
    ("svd_full", lambda lib, a: _svd_invariants(lib, *lib.linalg.svd(a)), (TALL,)),
    ("svd_wide", lambda lib, a: _svd_invariants(lib, *lib.linalg.svd(a)), (WIDE,)),
    ("svd_U_only", lambda lib, a: lib.linalg.svd(a, False).U.abs(), (TALL,)),
    ("svd_Vh_only", lambda lib, a: lib.linalg.svd(a, False).Vh.abs(), (WIDE,)),
    ("svdvals", lambda lib, a: lib.linalg.svdvals(a), (WIDE,)),
    ("svd_function", lambda lib, a: _torch_svd_invariants(lib, *lib.svd(a)), (TALL,)),
    ("svd_method_not_some", lambda lib, a: _torch_svd_invariants(lib, *a.svd(some=False)),
     (WIDE,)),
    ("svd_method_no_uv", lambda lib, a: a.svd(compute_uv=False)[1], (TALL,)),
    ("eigh", lambda lib, a: _eigh_invariants(lib, *lib.linalg.eigh(a)), (NOT_SYMMETRIC,)),
    ("eigh_upper", lambda lib, a: _eigh_invariants(lib, *lib.linalg.eigh(a, UPLO="U")),
     (NOT_SYMMETRIC,)),
    ("eigvalsh", lambda lib, a: lib.linalg.eigvalsh(a), (NOT_SYMMETRIC,)),
    ("eigvalsh_identity", lambda lib, a: lib.linalg.eigvalsh(a * 0 + lib.eye(3)), (SQUARE,)),
    ("pinv", lambda lib, a: lib.linalg.pinv(a), (TALL,)),
    ("pinv_wide", lambda lib, a: lib.linalg.pinv(a), (WIDE,)),
    ("pinv_rtol", lambda lib, a: lib.linalg.pinv(a, rtol=0.4), (TALL,)),
    ("pinv_atol", lambda lib, a: lib.linalg.pinv(a, atol=1.5), (TALL,)),
    ("pinv_hermitian", lambda lib, x: lib.linalg.pinv(_spd(lib, x), hermitian=True),
     (NOT_SYMMETRIC,)),
    ("pinv_rank_one", lambda lib, a: lib.linalg.pinv(a[:, :, :1] @ a[:, :1, :]), (TALL,)),
    ("pinverse", lambda lib, a: lib.pinverse(a), (WIDE,)),
    ("pinverse_method", lambda lib, a: a.pinverse(rcond=0.3), (WIDE,)),
    ("matrix_power", lambda lib, a: lib.linalg.matrix_power(a, 3), (SQUARE,)),
    ("matrix_power_negative", lambda lib, a: lib.linalg.matrix_power(a, -2), (SQUARE,)),
    ("matrix_power_zero", lambda lib, a: lib.linalg.matrix_power(a, 0), (SQUARE,)),
    ("matrix_power_method", lambda lib, a: a.matrix_power(4), (SQUARE,)),
    ("matrix_power_function", lambda lib, a: lib.matrix_power(a, 1), (SQUARE,)),
    ("lstsq", lambda lib, a, b: lib.linalg.lstsq(a, b[..., :1, :].expand(2, 4, 2)).solution,
     (TALL, RHS)),
    ("lstsq_vectors", lambda lib, a, b: lib.linalg.lstsq(a, b[:, 0, :1].expand(2, 4)).solution,
     (TALL, RHS)),
    ("lstsq_wide", lambda lib, a, b: lib.linalg.lstsq(a, b).solution, (WIDE, RHS)),
    ("lstsq_residuals", lambda lib, a, b: lib.linalg.lstsq(
        a, b[..., :1, :].expand(2, 4, 2) * lib.arange(4.0, dtype=a.dtype)[:, None],
        driver="gelsd").residuals, (TALL, RHS)),
    ("lstsq_rank", lambda lib, a: lib.linalg.lstsq(a, a, rcond=0.3).rank, (TALL,)),
    ("lstsq_singular_values", lambda lib, a: lib.linalg.lstsq(a, a, driver="gelss")
     .singular_values, (TALL,)),
    ("matrix_rank", lambda lib, a: lib.linalg.matrix_rank(a[:, :, :1] @ a[:, :1, :]), (TALL,)),
    ("matrix_rank_tol", lambda lib, a: lib.linalg.matrix_rank(a, tol=1.0), (TALL,)),
    ("matrix_rank_rtol", lambda lib, a: lib.linalg.matrix_rank(a, rtol=0.4), (TALL,)),
    ("matrix_rank_hermitian", lambda lib, a: lib.linalg.matrix_rank(a, hermitian=True,
                                                                    atol=2.5), (SQUARE,)),
    ("multi_dot", lambda lib, a, b: lib.linalg.multi_dot([b[0, 0], a[0], b[0], a[1], a[1, 0]]),
     (TALL, WIDE)),
    ("multi_dot_matrices", lambda lib, a, b: lib.linalg.multi_dot([a[0], b[1], a[1]]),
     (TALL, WIDE)),
    ("vecdot", lambda lib, a, b: lib.linalg.vecdot(a, b[0, :, :1].mT), (TALL, RHS)),
    ("vecdot_dim", lambda lib, a: lib.linalg.vecdot(a, a[:1], dim=1), (TALL,)),
    ("norm", lambda lib, a: lib.linalg.norm(a), (TALL,)),
    ("norm_vector_dim", lambda lib, a: lib.linalg.norm(a, 3, -1), (TALL,)),
    ("norm_vector_inf", lambda lib, a: lib.linalg.norm(a[0, 0], math.inf), (TALL,)),
    ("norm_matrix_dims", lambda lib, a: lib.linalg.norm(a, "nuc", (0, 2), keepdim=True),
     (TALL,)),
    ("norm_matrix", lambda lib, a: lib.linalg.norm(a[0], -2), (TALL,)),
    ("norm_dtype", lambda lib, a: lib.linalg.norm(a, dtype=lib.float64), (TALL,)),
    ("vector_norm", lambda lib, a: lib.linalg.vector_norm(a, 1.5, (0, 2)), (TALL,)),
    ("diagonal", lambda lib, a: lib.linalg.diagonal(a, offset=1), (TALL,)),
    ("matmul", lambda lib, a, b: lib.linalg.matmul(a, b), (TALL, WIDE[:, :, :2])),
    ("mT", lambda lib, a: a.mT, (TALL,)),
    ("mH", lambda lib, a: a.mH, (TALL,)),
]
CASES += [(f"matrix_norm_{order}", lambda lib, a, order=order: lib.linalg.matrix_norm(a, order),
           (WIDE,)) for order in ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf)]
CASES += [(f"matrix_norm_{order}_dims", lambda lib, a, order=order: lib.linalg.matrix_norm(
    a, order, dim=(2, 0), keepdim=True), (WIDE,)) for order in ("nuc", 2, 1, -math.inf)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "fn", "inputs"), CASES, ids=[case[0] for case in CASES])
def test_same_values_dtypes_and_gradients_as_pytorch(name, fn, inputs, dtype):
    results = []
    for lib in (mt, torch):
        tensors = [lib.tensor(x.astype(dtype), requires_grad=True) for x in inputs]
        out = fn(lib, *tensors)
        grads = None
        if out.requires_grad:
            weights = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(dtype)
            (out * lib.tensor(weights)).sum().backward()
            grads = [t.grad for t in tensors]
        results.append((out, grads))
    (ours, our_grads), (theirs, their_grads) = results
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    tolerance = dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else dict(rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), equal_nan=True,
                               **tolerance)
    assert (our_grads is None) == (their_grads is None)
    for mine, its in zip(our_grads or [], their_grads or []):
        assert (mine is None) == (its is None)
        if mine is not None:
            assert str(mine.dtype) == str(its.dtype).removeprefix("torch.")
            np.testing.assert_allclose(mine.numpy(), its.numpy(), **tolerance)


def test_second_derivatives_match_pytorch():
    """The gradient formulas recorded on tensors (solves, inverses, the factors) and
    differentiated again."""
    results = []
    for lib in (mt, torch):
        a, x = lib.tensor(SQUARE, requires_grad=True), lib.tensor(NOT_SYMMETRIC)
        spd = a @ a.mT
        y = (lib.linalg.det(a).sum() + lib.linalg.slogdet(a)[1].sum()
             + lib.linalg.inv(a).sum() + lib.linalg.solve(a, x).sum()
             + (lib.linalg.cholesky(spd) * x).sum() + lib.linalg.pinv(a[:, :2]).sum()
             + _qr_invariants(lib, *lib.linalg.qr(a)).sum()
             + _svd_invariants(lib, *lib.linalg.svd(a[:, :, :2])).sum()
             + (_eigh_invariants(lib, *lib.linalg.eigh(spd)) * 0.1).sum()
             + lib.linalg.matrix_norm(a, "nuc").sum())
        (first,) = lib.autograd.grad(y, a, create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), a)
        results.append(second.detach().numpy())
    np.testing.assert_allclose(*results, rtol=1e-8, atol=1e-8)


def test_det_gradient_at_a_singular_matrix_is_pytorch_s_differentiable_one():
    """PyTorch's first-order det gradient of an exactly singular matrix is 0 (a shortcut);
    under create_graph it is the cofactor matrix, as minitorch's is in both modes."""
    singular = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    grads = []
    for lib in (mt, torch):
        a = lib.tensor(singular, requires_grad=True)
        (grad,) = lib.autograd.grad(lib.linalg.det(a), a, create_graph=True)
        grads.append(grad.detach().numpy())
    np.testing.assert_allclose(*grads, atol=1e-12)


def test_named_tuples_have_pytorch_s_fields():
    a = np.eye(3)
    for fn in (lambda lib, x: lib.linalg.slogdet(x), lambda lib, x: lib.slogdet(x),
               lambda lib, x: lib.linalg.qr(x), lambda lib, x: lib.qr(x),
               lambda lib, x: lib.linalg.svd(x), lambda lib, x: lib.svd(x),
               lambda lib, x: lib.linalg.eigh(x), lambda lib, x: lib.linalg.lstsq(x, x)):
        ours, theirs = fn(mt, mt.tensor(a)), fn(torch, torch.tensor(a))
        assert ours._fields == type(theirs).__match_args__
        assert len(ours) == len(theirs)


# Calls that PyTorch refuses too, with the exception type it raises.
ERRORS = [
    ("det_not_square", lambda lib: lib.linalg.det(lib.ones(3, 4)), RuntimeError),
    ("det_vector", lambda lib: lib.det(lib.ones(3)), RuntimeError),
    ("det_int", lambda lib: lib.linalg.det(lib.ones(2, 2, dtype=lib.int64)), RuntimeError),
    ("inv_singular", lambda lib: lib.linalg.inv(lib.ones(2, 2)), RuntimeError),
    ("inverse_singular_batch", lambda lib: lib.inverse(lib.stack([lib.eye(2), lib.zeros(2, 2)])),
     RuntimeError),
    ("solve_singular", lambda lib: lib.linalg.solve(lib.ones(2, 2), lib.ones(2)), RuntimeError),
    ("solve_shapes", lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(3, 2)), RuntimeError),
    ("solve_vector_right", lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(2), left=False),
     RuntimeError),
    ("solve_dtypes", lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(2, dtype=lib.float64)),
     RuntimeError),
    ("cholesky_not_positive", lambda lib: lib.linalg.cholesky(-lib.eye(2)), RuntimeError),
    ("qr_mode", lambda lib: lib.linalg.qr(lib.eye(2), mode="full"), RuntimeError),
    ("qr_complete_backward", lambda lib: lib.linalg.qr(
        lib.ones(3, 2, requires_grad=True) + lib.eye(3, 2), "complete")[0].sum().backward(),
     RuntimeError),
    ("svd_driver", lambda lib: lib.linalg.svd(lib.eye(2), driver="gesvd"), RuntimeError),
    ("svd_vector", lambda lib: lib.linalg.svdvals(lib.ones(2)), RuntimeError),
    ("eigh_uplo", lambda lib: lib.linalg.eigh(lib.eye(2), UPLO="X"), RuntimeError),
    ("eigh_not_square", lambda lib: lib.linalg.eigvalsh(lib.ones(2, 3)), RuntimeError),
    ("matrix_norm_order", lambda lib: lib.linalg.matrix_norm(lib.eye(2), 3), RuntimeError),
    ("matrix_norm_dims", lambda lib: lib.linalg.matrix_norm(lib.eye(2), dim=(1, 1)),
     RuntimeError),
    ("matrix_norm_dim_range", lambda lib: lib.linalg.matrix_norm(lib.eye(2), dim=(0, 5)),
     IndexError),
    ("matrix_norm_int", lambda lib: lib.linalg.matrix_norm(lib.ones(2, 2, dtype=lib.int64)),
     RuntimeError),
    ("norm_ord_3d", lambda lib: lib.linalg.norm(lib.ones(2, 2, 2), 2), RuntimeError),
    ("norm_three_dims", lambda lib: lib.linalg.norm(lib.ones(2, 2, 2), dim=(0, 1, 2)),
     RuntimeError),
    ("norm_fro_vector", lambda lib: lib.linalg.norm(lib.ones(3), "fro"), RuntimeError),
    ("pinv_int", lambda lib: lib.linalg.pinv(lib.ones(2, 2, dtype=lib.int64)), RuntimeError),
    ("pinv_hermitian_not_square", lambda lib: lib.linalg.pinv(lib.ones(2, 3), hermitian=True),
     RuntimeError),
    ("matrix_power_float", lambda lib: lib.linalg.matrix_power(lib.eye(2), 2.0), TypeError),
    ("matrix_power_not_square", lambda lib: lib.matrix_power(lib.ones(2, 3), 2), RuntimeError),
    ("matrix_power_int_negative", lambda lib: lib.linalg.matrix_power(
        lib.ones(2, 2, dtype=lib.int64), -1), RuntimeError),
    ("matrix_rank_int", lambda lib: lib.linalg.matrix_rank(lib.ones(2, 2, dtype=lib.int64)),
     RuntimeError),
    ("lstsq_rows", lambda lib: lib.linalg.lstsq(lib.ones(3, 2), lib.ones(4, 1)), RuntimeError),
    ("lstsq_driver", lambda lib: lib.linalg.lstsq(lib.ones(3, 2), lib.ones(3), driver="x"),
     RuntimeError),
    ("lstsq_dtypes", lambda lib: lib.linalg.lstsq(lib.ones(3, 2), lib.ones(3, dtype=lib.float64)),
     RuntimeError),
    ("multi_dot_one", lambda lib: lib.linalg.multi_dot([lib.eye(2)]), RuntimeError),
    ("multi_dot_shapes", lambda lib: lib.linalg.multi_dot([lib.ones(3, 3), lib.ones(4, 3)]),
     RuntimeError),
    ("multi_dot_3d", lambda lib: lib.linalg.multi_dot([lib.ones(2, 2, 2), lib.ones(2, 2)]),
     RuntimeError),
    ("multi_dot_dtypes", lambda lib: lib.linalg.multi_dot(
        [lib.ones(2, 2), lib.ones(2, 2, dtype=lib.float64)]), RuntimeError),
    ("vecdot_int", lambda lib: lib.linalg.vecdot(lib.ones(2, dtype=lib.int64),
                                                 lib.ones(2, dtype=lib.int64)), RuntimeError),
    ("vecdot_dtypes", lambda lib: lib.linalg.vecdot(lib.ones(2), lib.ones(2, dtype=lib.float64)),
     RuntimeError),
    ("mT_vector", lambda lib: lib.ones(3).mT, RuntimeError),
]


@pytest.mark.parametrize(("name", "call", "error"), ERRORS, ids=[case[0] for case in ERRORS])
def test_errors_where_pytorch_raises(name, call, error):
    for lib in (mt, torch):
        with pytest.raises(error):
            call(lib)


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.inv(lib.zeros(2, 2)),
    lambda lib: lib.linalg.cholesky(-lib.eye(2)),
    lambda lib: lib.linalg.solve(lib.zeros(2, 2), lib.ones(2)),
])
def test_linalg_errors_are_linalg_errors_in_both(call):
    for lib in (mt, torch):
        with pytest.raises(lib.linalg.LinAlgError):
            call(lib)
