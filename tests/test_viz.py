import pytest

import minitorch as mt
from minitorch.viz import to_dot


def test_to_dot_lists_ops_shapes_and_parameters():
    w = mt.randn(3, 2, requires_grad=True)
    x = mt.randn(4, 3)
    loss = (x @ w).relu().sum()
    dot = to_dot(loss, params={"layer.weight": w})
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    for text in ("MmBackward0", "ReluBackward0", "SumBackward0", "(4, 3) float32",
                 "(4, 2) float32"):
        assert text in dot
    assert 'label="layer.weight\\n(3, 2) float32", style="filled"' in dot
    assert dot.count("->") == 7  # x, w -> Mm -> t -> Relu -> t -> Sum -> loss


def test_to_dot_of_a_leaf_is_one_box():
    dot = mt.to_dot(mt.ones(2))
    assert dot.count("[shape=") == 1 and "->" not in dot


def test_to_dot_after_backward_says_the_graph_was_freed():
    w = mt.randn(3, 2, requires_grad=True)
    loss = (mt.randn(4, 3) @ w).relu().sum()
    loss.backward()
    with pytest.raises(RuntimeError,
                       match=r"freed by backward\(\).*SumBackward0.*retain_graph=True"):
        to_dot(loss)
    kept = (mt.randn(4, 3) @ w).relu().sum()
    kept.backward(retain_graph=True)
    assert to_dot(kept).count("->") == 7
    hidden = (mt.randn(4, 3) @ w).relu()
    hidden.sum().backward()  # frees the graph behind hidden, which a new loss then uses
    with pytest.raises(RuntimeError, match="ReluBackward0 operation"):
        to_dot((hidden * 2.0).sum())
