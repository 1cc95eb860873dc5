"""In-place operations, .data/.grad as tensors, and the check that makes backward refuse values
changed after they were saved."""

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn, optim


def test_data_and_grad_are_tensors_sharing_memory():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    assert isinstance(w.data, mt.Tensor) and not w.data.requires_grad
    assert isinstance(w.grad, mt.Tensor)
    assert w.grad.std().log10().item() == pytest.approx(np.log10(np.std([2.0, 4.0], ddof=1)))
    w.data[0] = 5.0  # a write through .data changes the tensor itself
    assert w.tolist() == [5.0, 2.0]
    w.data = mt.tensor([7.0, 8.0])
    assert w.tolist() == [7.0, 8.0] and w.requires_grad


def test_manual_sgd_under_no_grad_changes_the_parameter():
    p = mt.tensor([1.0, -2.0], requires_grad=True)
    (p * p).sum().backward()
    before = p
    with mt.no_grad():
        p -= 0.25 * p.grad
    assert p is before and p.is_leaf and p.requires_grad
    np.testing.assert_allclose(p.detach().numpy(), [0.5, -1.0])
    p.data += -0.5 * p.grad  # makemore's update
    np.testing.assert_allclose(p.detach().numpy(), [-0.5, 1.0])
    p.grad.zero_()
    assert p.grad.tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        (lambda t: t.add_(2), [3.0, 4.0]),
        (lambda t: t.add_(mt.tensor([1.0, 1.0]), alpha=3), [4.0, 5.0]),
        (lambda t: t.sub_(1), [0.0, 1.0]),
        (lambda t: t.mul_(3), [3.0, 6.0]),
        (lambda t: t.div_(2), [0.5, 1.0]),
        (lambda t: t.zero_(), [0.0, 0.0]),
        (lambda t: t.fill_(7), [7.0, 7.0]),
        (lambda t: t.clamp_(1.5, 3), [1.5, 2.0]),
        (lambda t: t.copy_(mt.tensor([9, 8])), [9.0, 8.0]),
    ],
)
def test_in_place_ops_change_the_memory_and_return_the_tensor(op, expected):
    t = mt.tensor([1.0, 2.0])
    memory = t._data
    assert op(t) is t
    assert t._data is memory and t.tolist() == expected and t.dtype == np.float32


def test_random_fills_use_the_generator_and_keep_dtype():
    mt.manual_seed(3)
    a = mt.zeros(1000).normal_(2.0, 0.5)
    assert abs(a.mean().item() - 2.0) < 0.05 and abs(a.std().item() - 0.5) < 0.05
    b = mt.zeros(1000, dtype=mt.float64).uniform_(-1, 1)
    assert b.dtype == np.float64 and -1 <= b.min().item() and b.max().item() < 1
    with pytest.raises(RuntimeError, match="normal_\\(\\) needs a floating point tensor, got int"):
        mt.zeros(3, dtype=mt.long).normal_()
    with pytest.raises(ValueError, match="std >= 0.0, got std=-1"):
        mt.zeros(3).normal_(0, -1)
    with pytest.raises(ValueError, match="from=1 > to=0"):
        mt.zeros(3).uniform_(1, 0)


def test_setitem_writes_and_records_when_gradients_flow():
    t = mt.zeros(2, 3)
    t[0] = 1.0
    t[1, mt.tensor([0, 2])] = mt.tensor([5.0, 6.0])
    t[t == 0] = -1
    assert t.tolist() == [[1.0, 1.0, 1.0], [5.0, -1.0, 6.0]]
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    x = mt.ones(3) * mt.tensor(1.0, requires_grad=True)
    x[1:] = w * 3
    assert x.grad_fn is not None
    x.sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_in_place_on_a_computed_tensor_is_recorded():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h += 1
    h *= x
    h.sum().backward()  # h = (2x + 1) x, dh/dx = 4x + 1
    assert x.grad.tolist() == [5.0, 9.0]


def test_in_place_ops_check_dtype_and_shape():
    counts = mt.zeros(3, dtype=mt.long)
    counts += 1
    assert counts.dtype == np.int64
    with pytest.raises(RuntimeError, match="dtype int64"):
        counts *= 1.5
    with pytest.raises(RuntimeError, match=r"shape \(3,\)"):
        mt.zeros(3).add_(mt.ones(2, 3))


def test_power_assignment_is_in_place():
    x = mt.tensor([1.0, 2.0])
    alias, memory = x, x._data
    x **= 2
    assert x is alias and x._data is memory and alias.tolist() == [1.0, 4.0]
    counts = mt.tensor([2, 3])
    counts **= 2
    assert counts.tolist() == [4, 9] and counts.dtype == np.int64
    with pytest.raises(RuntimeError, match="dtype int64"):
        counts **= 0.5
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="pow_: a leaf tensor that requires grad"):
        w **= 2
    h = w * 1
    saved = h * h  # saves h, which the power then changes
    h **= 2
    h.sum().backward()
    assert w.grad.tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        saved.sum().backward()


def test_in_place_on_a_leaf_that_requires_grad_raises():
    w = mt.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: a leaf tensor that requires grad"):
        w += 1
    with pytest.raises(RuntimeError, match="a leaf tensor that requires grad"):
        w[0] = 3.0
    with mt.no_grad():
        w += 1
    assert w.tolist() == [2.0]


def test_optimizer_step_between_forward_and_backward_raises():
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = (model(mt.randn(4, 3)) ** 2).sum()
    loss.backward(retain_graph=True)
    opt.step()  # the weights that the graph saved are now different
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_write_through_data_after_forward_raises_and_fresh_forward_works():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    w.data.mul_(2)
    with pytest.raises(RuntimeError, match="MulBackward0: its input 0 was modified"):
        loss.backward()
    (w * w).sum().backward()
    assert w.grad.tolist() == [4.0, 8.0]


def test_changing_a_used_tensor_in_place_leaves_the_earlier_graph_as_it_was():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    later = h * h
    h.mul_(3)  # recorded: h moves to new memory and a new node; `later` keeps what it saw
    later.sum().backward()
    assert x.grad.tolist() == [8.0, 16.0]  # d(4x^2)/dx


def test_modifying_a_computed_output_under_no_grad_raises():
    x = mt.tensor([0.5], requires_grad=True)
    y = x.exp()  # Exp saves its output for the gradient
    with mt.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="ExpBackward0: its output was modified"):
        y.backward()


def test_retain_grad_keeps_intermediate_gradients():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    assert h.retains_grad
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0] and x.grad.tolist() == [18.0, 36.0]


def test_clone_copies_and_passes_gradients():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y._data is not x._data
    (y * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_numpy_refuses_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match=r"detach\(\).numpy\(\)"):
        mt.tensor([1.0], requires_grad=True).numpy()


# ----- in-place changes after a tensor was used, and through views ----------------------------


def test_writing_rows_of_a_tensor_read_before_gives_the_gradient_of_the_loop():
    # h[t] = tanh(0.5 h[t-1] + x[t]): each write changes h after earlier rows were read from it
    x_values = np.arange(12.0).reshape(4, 3) / 10
    x = mt.tensor(x_values, requires_grad=True)
    h = mt.zeros(4, 3, dtype=mt.float64)
    for t in range(1, 4):
        h[t] = (h[t - 1] * 0.5 + x[t]).tanh()
    h.sum().backward()
    # the same recurrence out of place
    x2 = mt.tensor(x_values, requires_grad=True)
    rows = [mt.zeros(3, dtype=mt.float64)]
    for t in range(1, 4):
        rows.append((rows[-1] * 0.5 + x2[t]).tanh())
    mt.stack(rows).sum().backward()
    np.testing.assert_allclose(h.detach().numpy(), mt.stack(rows).detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), x2.grad.numpy())


@pytest.mark.parametrize("later_use", [
    lambda y: y + 1, lambda y: y * 3, lambda y: y.sum(), lambda y: y[1:], lambda y: y.exp(),
])
def test_an_op_recorded_before_an_in_place_change_gets_the_gradient_it_had(later_use):
    w = mt.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = w * 2
    z = later_use(y)
    y.mul_(2)  # recorded: z's graph still goes through the old value of y
    z.sum().backward()
    expected = mt.tensor([0.5, -1.0, 2.0], requires_grad=True)
    later_use(expected * 2).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), expected.grad.numpy())


@pytest.mark.parametrize("view", [lambda y: y[0:2], lambda y: y.view(3)[:2],
                                  lambda y: y.detach()[0:2]])
def test_writing_through_a_view_without_recording_makes_backward_raise(view):
    # the view shares the tensor's memory, and so its record of in-place changes
    w = mt.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = w * 1
    z = (y * y).sum()  # saves y
    with mt.no_grad():
        view(y).mul_(3)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.backward()


@pytest.mark.parametrize("change, values, grad", [
    (lambda y: y[1:].mul_(3), [0.5, -3.0, 6.0], [1.0, 3.0, 3.0]),
    (lambda y: y[0].mul_(3), [1.5, -1.0, 2.0], [3.0, 1.0, 1.0]),
    (lambda y: y.view(3).add_(10), [10.5, 9.0, 12.0], [1.0, 1.0, 1.0]),
    (lambda y: y.view(3, 1)[1:].mul_(2), [0.5, -2.0, 4.0], [1.0, 2.0, 2.0]),
    (lambda y: y.unsqueeze(0).t()[2].zero_(), [0.5, -1.0, 0.0], [1.0, 1.0, 0.0]),
])
def test_a_recorded_in_place_change_of_a_view_changes_the_tensor_it_views(change, values, grad):
    w = mt.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = w * 1
    change(y)
    assert y.tolist() == values
    y.sum().backward()
    assert w.grad.tolist() == grad


def test_an_element_written_in_place_without_grad_changes_the_tensor():
    y = mt.tensor([1.0, 2.0, 3.0])
    y[0].mul_(3)
    y[2].add_(1)
    assert y.tolist() == [3.0, 2.0, 4.0]


def test_in_place_change_of_a_view_of_a_leaf_that_requires_grad_raises():
    w = mt.tensor([0.5, -1.0, 2.0], requires_grad=True)
    for change in (lambda: w[0].mul_(3), lambda: w.view(3).add_(1)):
        with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
            change()
    assert w.tolist() == [0.5, -1.0, 2.0]


def test_in_place_change_of_an_expanded_view_that_requires_grad_raises():
    w = mt.tensor([0.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="view made by Expand"):
        (w * 1).expand(3).add_(1)


def test_a_write_into_memory_that_no_saved_value_uses_does_not_stop_backward():
    w = mt.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = w * 2
    z = y.exp()  # saves its output, not y
    y.data.add_(1)
    y.detach().mul_(3)
    z.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * np.exp([1.0, -2.0, 4.0]), rtol=1e-6)


def test_a_write_into_an_input_that_backward_reads_makes_backward_raise():
    w = mt.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = w * 2
    z = mt.einsum("i,i->", y, w)  # its backward reads the inputs themselves
    y.data.add_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.backward()


def test_zero_dimensional_results_share_memory_like_any_other() -> None:
    """NumPy returns a scalar for a 0-d result; a 0-d tensor holds an array all the same,
    so ``.data``, views and in-place writes reach it, as in PyTorch."""
    a, b = mt.tensor(2.0), mt.tensor(3.0)
    product = (a * b).detach()
    product.data.add_(5)
    assert product.item() == 11.0
    view = product.view(1)
    view[0] = 7.0
    assert product.item() == 7.0
    x = mt.tensor(2.0, requires_grad=True)
    y = x * 3
    y.retain_grad()
    (y * y).backward()
    for grad in (x.grad, y.grad):
        assert isinstance(grad._data, np.ndarray)
        grad.data.mul_(2)  # a 0-d gradient changed through .data changes the gradient
    assert (x.grad.item(), y.grad.item()) == (72.0, 24.0)
