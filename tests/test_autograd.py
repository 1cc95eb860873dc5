"""The backward engine: graph shapes, accumulation, memory, and its error messages."""

import gc
import re
import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch as mt
from minitorch import Tensor


def test_scalar_backward_seeds_one():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, 4.0, 6.0])


def test_deep_chain_backpropagates_without_recursion_error():
    x = Tensor([1.0], requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.00001**100_000], rtol=1e-9)


def test_diamond_sums_both_paths():
    a = Tensor(3.0, requires_grad=True)
    b, c = a * 2.0, a * 5.0
    (b * c).backward()  # d = 10 a^2
    assert a.grad == pytest.approx(60.0)


def test_reused_input_accumulates():
    a = Tensor([1.0, -2.0], requires_grad=True)
    (a + a).sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    b = Tensor([3.0], requires_grad=True)
    (b * b * b).backward(np.ones(1, dtype=np.float32))
    np.testing.assert_allclose(b.grad, [27.0])


def test_leaf_grad_accumulates_until_zeroed():
    w = Tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (w * 2.0).sum().backward()
    np.testing.assert_array_equal(w.grad, [6.0, 6.0])
    w.zero_grad()
    assert w.grad is None
    (w * 2.0).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])


def test_leaf_grad_accumulates_in_place_as_in_pytorch():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * 2.0).sum().backward()
    first = w.grad
    (w * 3.0).sum().backward()
    assert w.grad is first
    np.testing.assert_array_equal(first, [5.0, 5.0])


def test_leaves_never_share_a_gradient_array():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad += 1.0
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    (a + b).sum().backward()
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])


def test_intermediate_tensors_keep_no_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3.0
    hidden.sum().backward()
    assert hidden.grad is None and not hidden.is_leaf and x.is_leaf


def test_leaf_gradients_never_share_memory():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([3.0, 4.0], requires_grad=True)
    (x + y).sum().backward()
    assert not np.shares_memory(x.grad, y.grad)
    x.grad *= 10
    np.testing.assert_array_equal(y.grad, [1.0, 1.0])
    z = Tensor([[1.0, 2.0]], requires_grad=True)
    z.reshape(2).sum().backward()
    z.grad += 1  # a view of another array would be read-only or shared
    np.testing.assert_array_equal(z.grad, [[2.0, 2.0]])


def test_leaf_gradients_that_are_views_of_shared_memory_are_copied():
    a = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    b = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    (a.T + b.T).sum().backward()  # both gradients are transposed views of one array at first
    assert not np.shares_memory(a.grad._data, b.grad._data)
    a.grad += 1
    np.testing.assert_array_equal(b.grad, np.ones((2, 3)))
    kept = []
    c = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    c.register_hook(lambda grad: kept.append(grad))
    (c.T * 2.0).sum().backward()
    c.grad.zero_()  # the gradient the hook saw is another array
    np.testing.assert_array_equal(kept[0], np.full((3, 2), 2.0))


def test_non_scalar_backward_needs_a_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3.0
    with pytest.raises(RuntimeError, match=r"one-element tensor, got shape \(2,\)"):
        y.backward()
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\), expected .*\(2,\)"):
        y.backward(np.ones(3))
    y.backward(np.array([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad, [3.0, 30.0])


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0]) * 2.0).sum().backward()


def test_retain_graph_allows_second_backward():
    x = Tensor([2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad, [8.0])


def test_second_backward_through_freed_graph_raises():
    x = Tensor([2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="already freed.*retain_graph=True"):
        y.backward()


def test_graph_is_freed_without_garbage_collector():
    gc.disable()
    try:
        x = Tensor(np.ones(3), requires_grad=True)
        hidden = x.exp()
        loss = (hidden * 2.0).sum()
        probe = weakref.ref(hidden)
        del hidden
        assert probe() is not None  # the graph behind loss keeps it
        del loss
        assert probe() is None  # freed by reference counting alone: no cycles
    finally:
        gc.enable()


def test_backward_releases_saved_arrays():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x.exp()
    loss = (y * y).sum()
    ctx = y.grad_fn
    loss.backward()
    assert not hasattr(ctx, "out") and ctx.parents is None


def test_no_grad_context_and_decorator():
    w = Tensor([1.0], requires_grad=True)
    with mt.no_grad():
        y = w * 2.0
        assert not mt.is_grad_enabled()
        with mt.enable_grad():
            assert (w * 2.0).requires_grad
    assert mt.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf

    @mt.no_grad()
    def predict(t):
        return t * 3.0

    assert not predict(w).requires_grad
    assert (w * 3.0).requires_grad


def test_requires_grad_propagates_and_detach_cuts():
    a, b = Tensor([1.0]), Tensor([2.0], requires_grad=True)
    assert not (a * a).requires_grad
    assert (a * b).requires_grad
    d = (b * 2.0).detach()
    assert not d.requires_grad and d.is_leaf
    (d * b).sum().backward()
    np.testing.assert_array_equal(b.grad, [4.0])


def test_only_float_tensors_can_require_grad():
    with pytest.raises(RuntimeError, match="floating point dtype can require gradients, got int64"):
        mt.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="got bool"):
        mt.tensor([True]).requires_grad_()


def test_max_splits_gradient_equally_among_ties():
    x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5])
    y = Tensor([[2.0, 2.0, 2.0], [1.0, 0.0, 1.0]], requires_grad=True)
    y.amin(1).sum().backward()
    np.testing.assert_allclose(y.grad, [[1 / 3, 1 / 3, 1 / 3], [0.0, 1.0, 0.0]])


def test_maximum_splits_gradient_on_ties():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0, 0.0], requires_grad=True)
    mt.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0])
    np.testing.assert_array_equal(b.grad, [0.5, 0.0])


def test_relu_derivative_at_zero_is_zero():
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


def test_relu_of_minus_infinity_is_zero_and_nan_stays_nan():
    x = Tensor([-np.inf, -1.0, np.inf, np.nan], requires_grad=True)
    out = x.relu()
    np.testing.assert_array_equal(out.data, [0.0, 0.0, np.inf, np.nan])
    out.backward(mt.ones(4))
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0, 0.0])


def test_relu_of_a_negative_number_is_plus_zero_as_in_pytorch():
    out = Tensor([-2.5, -0.0, 3.0]).relu()
    assert not np.signbit(out.numpy()).any()  # not -0, which prints as "-0."
    assert "-0" not in repr(out)


def test_gradients_keep_dtype():
    for dtype in (np.float32, np.float64):
        x = Tensor([1.0, 2.0], requires_grad=True, dtype=dtype)
        (x * Tensor([3.0, 4.0], dtype=np.float64)).sum().backward()  # result is float64
        assert x.grad.dtype == dtype


def test_repeated_indices_accumulate():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 2, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_hooks_see_and_can_replace_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3.0
    seen = []
    hidden.register_hook(lambda g: seen.append(g.clone()))
    handle = x.register_hook(lambda g: g * 0.5)
    hidden.sum().backward()
    np.testing.assert_array_equal(seen[0], [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [1.5, 1.5])
    handle.remove()
    x.zero_grad()
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_non_differentiable_outputs_carry_no_grad():
    x = Tensor([1.0, 5.0, 2.0], requires_grad=True)
    for out in (x > 1.0, x == x, x.argmax(), x <= Tensor([0.0, 9.0, 2.0])):
        assert not out.requires_grad
    np.testing.assert_array_equal((x > 1.5).data, [False, True, True])
    assert x.argmax().item() == 1


class _WrongSquare(mt.Function):
    """A deliberately broken op: d(x^2)/dx written as x instead of 2x."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, grad):
        return grad * self.x


def test_gradcheck_names_the_worst_element():
    x = Tensor([1.0, 2.0, 3.0])
    assert mt.gradcheck(lambda t: t * t, x)
    with pytest.raises(mt.GradcheckError, match=r"input 0 at index \(2,\): analytic") as error:
        mt.gradcheck(lambda t: _WrongSquare.apply(t), x)
    found = re.findall(r"(?:analytic|numerical) ([-\d.e]+)", str(error.value))
    analytic, numerical = (float(v) for v in found)
    assert numerical == pytest.approx(2 * analytic, rel=1e-5)


class _ReturnsGradient(mt.Function):
    """An op whose backward returns whatever gradient the test gives it."""

    def forward(self, x, y, gradient=None):
        self.gradient = gradient
        return x + y

    def backward(self, grad):
        return grad, self.gradient


@pytest.mark.parametrize("wrong", [(3,), (1, 3), (), (1, 1, 2), (3, 1, 1), (2, 2, 2)])
def test_backward_rejects_a_gradient_of_the_wrong_shape(wrong):
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = Tensor(np.ones((1, 1, 3)), requires_grad=True)
    out = _ReturnsGradient.apply(x, y, gradient=np.ones(wrong))
    expected = re.escape(
        f"_ReturnsGradient.backward returned a gradient of shape {wrong} for input 1, "
        "which has shape (1, 1, 3)"
    )
    with pytest.raises(RuntimeError, match=expected):
        out.sum().backward()
    assert y.grad is None


def test_backward_accepts_a_gradient_in_the_broadcast_shape():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = Tensor(np.ones((1, 3)), requires_grad=True)
    _ReturnsGradient.apply(x, y, gradient=np.ones((4, 2, 3))).sum().backward()
    assert y.grad.shape == (1, 3) and y.grad.tolist() == [[8.0, 8.0, 8.0]]


def test_max_and_min_over_a_non_empty_dimension_of_zero_rows_are_empty():
    x = Tensor(np.zeros((0, 5)), requires_grad=True)
    values, indices = x.max(1)
    assert values.shape == (0,) and indices.shape == (0,)
    assert x.min(dim=1, keepdim=True).values.shape == (0, 1)
    assert x.amax(1).shape == (0,)
    values.sum().backward()
    assert x.grad.shape == (0, 5)
    for reduce in (lambda: x.max(0), lambda: x.min(), lambda: Tensor([]).max()):
        with pytest.raises(ValueError, match="dimension of size 0"):
            reduce()


def test_max_and_min_propagate_nan_and_send_its_gradient_to_it():
    nan = float("nan")
    x = Tensor([1.0, nan, 3.0], requires_grad=True)
    top = x.max()
    assert np.isnan(top.item())
    top.backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])
    y = Tensor([[1.0, nan, nan], [4.0, 2.0, 2.0]], requires_grad=True)
    low, where = y.min(dim=1)
    assert np.isnan(low[0].item()) and low[1].item() == 2.0
    assert where.tolist() == [1, 1]
    low.sum().backward()
    np.testing.assert_array_equal(y.grad, [[0.0, 0.5, 0.5], [0.0, 0.5, 0.5]])


def test_gradcheck_perturbs_inputs_of_any_memory_order():
    # A transposed (Fortran-order) input used to be perturbed in a copy: numerical gradient 0.
    x = np.arange(1.0, 7.0).reshape(2, 3).T
    assert mt.gradcheck(lambda t: t * t, x)
    assert mt.gradcheck(lambda t: t * t, np.array(2.0))  # and 0-d inputs stay 0-d


def test_the_modulo_operator_is_differentiable_as_remainder():
    x = Tensor([5.0, -3.5], requires_grad=True)
    divisor = Tensor([2.0], requires_grad=True)
    out = x % divisor  # [1, 0.5]: Python's %, the result takes the divisor's sign
    np.testing.assert_allclose(out.detach().numpy(), [1.0, 0.5])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    # d/d(divisor) = -floor(x / divisor): -(2) - (-2), summed over the broadcast
    np.testing.assert_array_equal(divisor.grad, [0.0])


def test_grad_fn_is_a_node_named_as_in_pytorch():
    a, b = mt.ones(2, requires_grad=True), mt.ones(2)
    y = a * b
    node = y.grad_fn
    assert type(node).__name__ == node.name() == "MulBackward0"
    assert isinstance(node, mt.ops.elementwise.Mul)  # a node of the Mul operation
    assert repr(node).startswith("<MulBackward0 object at 0x")
    assert "grad_fn=<MulBackward0>" in repr(y)
    (leaf, position), (constant, _) = node.next_functions
    assert type(leaf).__name__ == "AccumulateGrad" and leaf.variable is a and position == 0
    assert constant is None and leaf.next_functions == ()
    total = (y + 1).sum()
    assert total.grad_fn.next_functions[0][0].next_functions[0][0] is node
    total.backward()
    assert total.grad_fn.next_functions == ()  # freed by backward


def test_nodes_of_functions_without_a_pytorch_name_end_in_backward():
    class Twice(mt.Function):
        def forward(self, x):
            return 2 * x

        def backward(self, grad):
            return 2 * grad

    out = Twice.apply(mt.ones(1, requires_grad=True))
    assert type(out.grad_fn).__name__ == "TwiceBackward" and isinstance(out.grad_fn, Twice)


def test_a_leaf_gradient_has_the_leafs_memory_layout_as_in_pytorch():
    """PyTorch's layout contract: a parameter and its .grad have the same strides. A
    convolution's weight gradient comes out of its matrix product transposed, and Linear's
    weight is stored column by column."""
    conv, linear = mt.nn.Conv2d(3, 4, 3), mt.nn.Linear(5, 2)
    (conv(mt.randn(2, 3, 6, 6)).sum() + linear(mt.randn(3, 5)).sum()).backward()
    for p in (*conv.parameters(), *linear.parameters()):
        assert p.grad.stride() == p.stride()
    assert conv.weight.grad.is_contiguous()
    first = conv.weight.grad.numpy().copy()
    conv(mt.randn(2, 3, 6, 6)).sum().backward()  # accumulated in place: the layout stays
    assert conv.weight.grad.stride() == conv.weight.stride()
    assert not np.array_equal(conv.weight.grad.numpy(), first)

    by_columns = mt.from_numpy(np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    by_columns.requires_grad_()
    (by_columns * mt.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert by_columns.grad.stride() == by_columns.stride() == (1, 2)
    np.testing.assert_array_equal(by_columns.grad.numpy(), [[1, 2, 3], [1, 2, 3]])

    # A leaf with gaps in its memory has no layout to copy: the gradient stays as computed.
    gappy = mt.from_numpy(np.arange(12.0).reshape(3, 4)[:, ::2]).requires_grad_()
    (gappy * 2).sum().backward()
    np.testing.assert_array_equal(gappy.grad.numpy(), np.full((3, 2), 2.0))


def test_variable_of_old_tutorials_is_a_detached_tensor():
    """PyTorch keeps autograd.Variable for code written before 0.4: it makes a tensor that
    shares memory with the given one, out of its graph, requiring grad as asked."""
    from minitorch.autograd import Variable

    t = mt.ones(2)
    x = Variable(t, requires_grad=True)
    assert isinstance(x, Tensor) and isinstance(t, Variable)
    assert x.requires_grad and not t.requires_grad and x.is_leaf
    x.data.add_(1)
    assert t.tolist() == [2.0, 2.0]
    ((x + 2) ** 2).mean().backward()
    assert x.grad.tolist() == [4.0, 4.0]
    assert Variable(x * 2).grad_fn is None and not Variable(x * 2).requires_grad
    with pytest.warns(UserWarning, match="volatile was removed"):
        Variable(t, volatile=True)
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1.0, 2.0])


def test_retained_grad_is_the_gradient_as_the_hooks_left_it():
    """PyTorch runs retain_grad's hook after every other hook of the tensor, even one
    registered later (the autograd mechanics notes)."""
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    seen = []
    y.register_hook(lambda g: seen.append(g.tolist()) or g * 2)
    (y ** 2).sum().backward()
    assert seen == [[4.0, 8.0, 12.0]]
    assert y.grad.tolist() == [8.0, 16.0, 24.0] and x.grad.tolist() == [16.0, 32.0, 48.0]


# ----- gradients of indexings, added where they land ------------------------------------------


def _weights(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def test_a_leaf_read_slice_by_slice_gets_each_slice_its_gradient():
    x = Tensor(np.zeros((6, 3)), requires_grad=True, dtype=np.float64)
    w = _weights((6, 3), 0)
    total = sum((x[t] * w[t]).sum() for t in range(6))
    total.backward()
    np.testing.assert_array_equal(x.grad, w)
    total = sum((row * w[t]).sum() for t, row in enumerate(x.unbind(0)))
    total.backward()  # added to the gradient already there
    np.testing.assert_array_equal(x.grad, 2 * w)


def test_a_computed_tensor_read_slice_by_slice_and_whole():
    x = Tensor(_weights((5, 4), 1), requires_grad=True, dtype=np.float64)
    w, v = _weights((5, 4), 2), _weights((5, 4), 3)
    y = x * 2
    pieces = y.chunk(2, dim=1) + y.unbind(0)
    total = sum((p * Tensor(w[:, :2] if i == 0 else w[:, 2:] if i == 1 else w[i - 2])).sum()
                for i, p in enumerate(pieces))
    (total + (y * Tensor(v)).sum()).backward()
    expected = 2 * (w + w + v)  # each chunk and each row once, and the whole
    np.testing.assert_allclose(x.grad, expected)


def test_a_gradient_that_arrived_first_is_never_changed_in_place():
    # y.sum() is recorded last, so its gradient (a read-only broadcast of the 1) reaches y
    # first; the rows' gradients must then be added to a copy of it.
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, dtype=np.float64)
    y = x * 1
    (y[0].sum() + y[1].sum() * 3 + y.sum()).backward()
    np.testing.assert_array_equal(x.grad, [[2, 2, 2], [4, 4, 4]])


def test_a_zero_dimensional_tensor_read_whole_and_by_index():
    # y * y, recorded last, hands y a NumPy scalar first; the indexings' gradients follow.
    x = Tensor(2.0, requires_grad=True, dtype=np.float64)
    y = x * 3
    (y[()] * 2 + y[None].sum() + y * y + y[...] * 5).backward()
    assert x.grad.item() == 3 * (2 + 1 + 2 * 6 + 5)


def test_repeated_positions_of_an_index_array_add_up_slice_after_slice():
    x = Tensor(np.zeros(4), requires_grad=True, dtype=np.float64)
    y = x + 0
    (y[[0, 0, 3]].sum() + y[[3, 1]].sum() * 10 + y[2:].sum() * 100).backward()
    np.testing.assert_array_equal(x.grad, [2, 10, 100, 111])


def test_retained_and_hooked_gradients_of_a_sliced_tensor_are_whole_and_kept():
    x = Tensor(np.ones((3, 2)), requires_grad=True, dtype=np.float64)
    y = x * 1
    y.retain_grad()
    seen = []
    y.register_hook(lambda g: seen.append(g.numpy().copy()))
    sum(row.sum() * (t + 1) for t, row in enumerate(y.unbind(0))).backward()
    expected = [[1, 1], [2, 2], [3, 3]]
    np.testing.assert_array_equal(y.grad, expected)
    np.testing.assert_array_equal(seen[0], expected)
    np.testing.assert_array_equal(x.grad, expected)


def test_grad_of_slices_and_their_second_derivative():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=np.float64)
    y = x * x
    total = y[0] + 2 * y[1] + 3 * y[2] + y[1:].sum()
    (first,) = mt.autograd.grad(total, x, create_graph=True)
    np.testing.assert_allclose(first, [2 * 1.0, 2 * 3 * 2.0, 2 * 4 * 3.0])
    (second,) = mt.autograd.grad(first.sum(), x)
    np.testing.assert_allclose(second, [2.0, 6.0, 8.0])
    (plain,) = mt.autograd.grad((x * x)[0] + (x * x)[2], x)
    np.testing.assert_allclose(plain, [2.0, 0.0, 6.0])


def test_a_tensor_read_slice_by_slice_builds_one_array_for_its_gradient(monkeypatch):
    # One array of zeros per slice, each added to the total, made backward through a
    # sequence's steps take time in the square of their number.
    steps = 50
    x = Tensor(np.ones((steps, 8)), requires_grad=True, dtype=np.float64)
    y = x * 2
    total = sum(row.sum() for row in y.unbind(0))
    built = []
    zeros = np.zeros

    def counting_zeros(shape, *args, **kwargs):
        built.append(tuple(np.atleast_1d(shape)))
        return zeros(shape, *args, **kwargs)

    monkeypatch.setattr(np, "zeros", counting_zeros)
    total.backward()
    assert built.count((steps, 8)) == 1
    np.testing.assert_array_equal(x.grad, np.full((steps, 8), 2.0))


_ROWS = 5


@st.composite
def _row_indices(draw):
    """A row index of a (5, 3) tensor: an int, a slice or an int array with repeats."""
    kind = draw(st.sampled_from(["int", "slice", "array"]))
    if kind == "int":
        return draw(st.integers(-_ROWS, _ROWS - 1))
    if kind == "slice":
        start, stop = sorted(draw(st.lists(st.integers(0, _ROWS), min_size=2, max_size=2)))
        return slice(start, stop, draw(st.integers(1, 2)))
    return np.array(draw(st.lists(st.integers(0, _ROWS - 1), min_size=1, max_size=6)))


@given(st.data())
def test_gradients_of_many_indexings_add_up_as_numpy_counts_them(data):
    # Any mix of reads from a leaf and from a computed tensor, in any order: each position's
    # gradient is its scale times the number of times it was read (np.add.at counts them).
    reads = data.draw(st.lists(st.tuples(_row_indices(), st.booleans(), st.integers(1, 5)),
                               min_size=1, max_size=8))
    x = Tensor(np.ones((_ROWS, 3)), requires_grad=True, dtype=np.float64)
    y = x * 2
    total = 0
    expected = np.zeros((_ROWS, 3))
    for index, from_leaf, scale in reads:
        total = total + (x if from_leaf else y)[index].sum() * scale
        np.add.at(expected, index, scale * (1 if from_leaf else 2))
    total.backward()
    np.testing.assert_array_equal(x.grad, expected)
