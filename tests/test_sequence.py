"""Embedding, LayerNorm, GELU, SiLU and scaled dot-product attention: the behaviour the op
registry's forward and gradient checks do not cover (layouts, padding, masks, dropout, errors),
and agreement with PyTorch where it is installed."""

import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from minitorch.nn import functional as F
from minitorch.ops import sequence as sequence_ops


def _ids(values) -> mt.Tensor:
    return mt.tensor(np.asarray(values, dtype=np.int64))


# ----- Embedding ----------------------------------------------------------------------------


def test_embedding_looks_up_rows_with_pytorch_layout():
    mt.manual_seed(0)
    layer = nn.Embedding(5, 3)
    assert layer.weight.shape == (5, 3) and layer.weight.dtype == np.float32
    ids = _ids([[0, 4], [2, 2]])
    out = layer(ids)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.detach().numpy(), layer.weight.detach().numpy()[ids.numpy()])
    assert list(layer.state_dict()) == ["weight"]
    assert repr(layer) == "Embedding(5, 3)"


def test_embedding_gradient_adds_up_repeated_ids():
    layer = nn.Embedding(4, 2)
    layer(_ids([1, 3, 1, 1])).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad.numpy(), [[0, 0], [3, 3], [0, 0], [1, 1]])


def test_embedding_padding_row_starts_at_zero_and_gets_no_gradient():
    layer = nn.Embedding(4, 2, padding_idx=-1)  # counted from the end, as in PyTorch
    assert layer.padding_idx == 3
    np.testing.assert_array_equal(layer.weight.detach().numpy()[3], [0, 0])
    layer(_ids([3, 0, 3])).sum().backward()
    np.testing.assert_array_equal(layer.weight.grad.numpy()[3], [0, 0])
    np.testing.assert_array_equal(layer.weight.grad.numpy()[0], [1, 1])


def test_embedding_large_vocabulary_gradient_sums_by_sorting(monkeypatch):
    weight = mt.randn(50, 3, requires_grad=True)
    ids = _ids(np.random.default_rng(0).integers(0, 50, (6, 7)))
    grad = np.random.default_rng(1).standard_normal((6, 7, 3)).astype(np.float32)
    F.embedding(ids, weight).backward(grad)
    one_hot_result = weight.grad.numpy().copy()
    weight.grad = None
    monkeypatch.setattr(sequence_ops, "ONE_HOT_LIMIT", 0)
    F.embedding(ids, weight, padding_idx=7).backward(grad)
    expected = one_hot_result.copy()
    expected[7] = 0
    np.testing.assert_allclose(weight.grad.numpy(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("bad", [27, 100, -1])
def test_embedding_id_out_of_range_names_id_and_vocabulary(bad):
    layer = nn.Embedding(27, 4)
    with pytest.raises(IndexError, match=rf"embedding id {bad} .* vocabulary of size 27"):
        layer(_ids([[1, bad, 2]]))


def test_embedding_rejects_float_ids_and_bad_sizes():
    layer = nn.Embedding(3, 2)
    with pytest.raises(TypeError, match="integer tensor"):
        layer(mt.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="num_embeddings must be a positive int"):
        nn.Embedding(0, 2)
    with pytest.raises(ValueError, match="padding_idx must be within the 3 embeddings"):
        nn.Embedding(3, 2, padding_idx=3)


def test_embedding_from_pretrained_freezes_by_default():
    table = np.arange(6, dtype=np.float32).reshape(3, 2)
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(_ids([2])).numpy(), [[4, 5]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


def test_embedding_max_norm_scales_looked_up_rows_in_place():
    table = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]], np.float32)
    layer = nn.Embedding.from_pretrained(table, freeze=False, max_norm=1.0)
    out = layer(_ids([0, 1])).detach().numpy()
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), [1.0, 0.5], rtol=1e-6)
    # the rows looked up were renormalised in the weight itself, the others left alone
    np.testing.assert_allclose(layer.weight.detach().numpy()[[1, 2]], table[[1, 2]])
    np.testing.assert_allclose(layer.weight.detach().numpy()[0], [0.6, 0.8], rtol=1e-6)


def test_embedding_scale_grad_by_freq_divides_by_the_count():
    weight = mt.tensor(np.ones((4, 2), np.float32), requires_grad=True)
    F.embedding(_ids([1, 1, 1, 3]), weight, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(weight.grad.numpy(), [[0, 0], [1, 1], [0, 0], [1, 1]])
    # the composite form (create_graph) gives the same gradient
    (grad,) = mt.autograd.grad(F.embedding(_ids([1, 1, 1, 3]), weight,
                                           scale_grad_by_freq=True).sum(),
                               weight, create_graph=True)
    np.testing.assert_allclose(grad.detach().numpy(), weight.grad.numpy())


def test_embedding_initial_weight_and_sparse_gradients():
    table = np.arange(6, dtype=np.float32).reshape(3, 2)
    layer = nn.Embedding(3, 2, _weight=table, _freeze=True)
    assert not layer.weight.requires_grad
    np.testing.assert_array_equal(layer.weight.numpy(), table)
    with pytest.raises(ValueError, match=r"_weight must have shape \(3, 4\)"):
        nn.Embedding(3, 4, _weight=table)
    with pytest.raises(NotImplementedError, match="sparse gradients"):
        nn.Embedding(3, 2, sparse=True)


# ----- LayerNorm, GELU, SiLU ----------------------------------------------------------------


def test_layer_norm_normalises_each_position():
    x = mt.tensor(np.random.default_rng(0).normal(3.0, 5.0, (4, 6, 8)).astype(np.float32))
    out = nn.LayerNorm(8)(x).detach().numpy()
    np.testing.assert_allclose(out.mean(-1), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(-1), 1, atol=1e-3)
    out2 = nn.LayerNorm((6, 8), elementwise_affine=False)(x).numpy()
    np.testing.assert_allclose(out2.reshape(4, -1).mean(-1), 0, atol=1e-5)


def test_layer_norm_parameters_and_errors():
    layer = nn.LayerNorm(8, bias=False)
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert list(nn.LayerNorm(8, elementwise_affine=False).parameters()) == []
    with pytest.raises(ValueError, match=r"expected input of shape \(\*, 8\), got shape \(2, 7\)"):
        nn.LayerNorm(8)(mt.zeros(2, 7))
    with pytest.raises(ValueError, match="eps must be > 0"):
        nn.LayerNorm(8, eps=0)


def test_gelu_forms_and_silu():
    x = mt.tensor([-3.0, -1.0, 0.0, 0.5, 2.0])
    exact, approx = nn.GELU()(x).numpy(), nn.GELU("tanh")(x).numpy()
    np.testing.assert_allclose(exact, approx, atol=2e-3)  # the tanh form is close, not equal
    assert abs(exact[1] - (-0.15865525)) < 1e-6
    np.testing.assert_allclose(nn.SiLU()(x).numpy(), x.numpy() / (1 + np.exp(-x.numpy())),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")


# ----- attention ----------------------------------------------------------------------------


def _qkv(seed=0, shape=(2, 3, 5, 4)):
    rng = np.random.default_rng(seed)
    return [mt.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
            for _ in range(3)]


def test_causal_attention_is_the_lower_triangular_mask():
    q, k, v = _qkv()
    causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    masked = F.scaled_dot_product_attention(q, k, v, attn_mask=np.tril(np.ones((5, 5), bool)))
    np.testing.assert_allclose(causal.detach().numpy(), masked.detach().numpy(), rtol=1e-6)
    # the first query sees only the first key: its output is the first value
    np.testing.assert_allclose(causal.detach().numpy()[..., 0, :], v.detach().numpy()[..., 0, :],
                               rtol=1e-6)


def test_attention_future_keys_get_no_gradient():
    q, k, v = _qkv()
    F.scaled_dot_product_attention(q, k, v, is_causal=True)[..., 1, :].sum().backward()
    assert np.all(k.grad.numpy()[..., 2:, :] == 0) and np.all(v.grad.numpy()[..., 2:, :] == 0)
    assert np.all(q.grad.numpy()[..., [0, 2, 3, 4], :] == 0)


def test_attention_dropout_is_inverted_and_seeded():
    q, k, v = _qkv(shape=(4, 8, 16, 4))
    plain = F.scaled_dot_product_attention(q, k, v).detach().numpy()
    mt.manual_seed(3)
    first = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).detach().numpy()
    mt.manual_seed(3)
    second = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).detach().numpy()
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, plain)
    assert abs(first.mean() - plain.mean()) < 0.1  # kept weights are scaled by 1 / (1 - p)
    zeros = F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).detach().numpy()
    np.testing.assert_array_equal(zeros, 0)


def test_attention_dropout_gradient_matches_finite_differences():
    q, k, v = (t.detach().numpy() for t in _qkv(shape=(1, 3, 2)))

    def attend(q, k, v):
        mt.manual_seed(5)  # the same dropout mask at every evaluation
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.3)

    assert mt.gradcheck(attend, q, k, v)


def test_attention_errors():
    q, k, v = _qkv()
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=np.ones((5, 5), bool), is_causal=True)
    with pytest.raises(ValueError, match="every key masked"):
        mask = np.ones((5, 5), bool)
        mask[2] = False
        F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    with pytest.raises(ValueError, match=r"attn_mask of shape \(4, 5\) does not broadcast"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=np.ones((4, 5), bool))
    with pytest.raises(ValueError, match=r"key \(\.\.\., S, E\)"):
        F.scaled_dot_product_attention(q, k[..., :3], v)
    with pytest.raises(ValueError, match="dropout_p must be in"):
        F.scaled_dot_product_attention(q, k, v, dropout_p=1.5)


# ----- agreement with PyTorch ---------------------------------------------------------------


def test_layers_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 6))
    grad = rng.standard_normal((2, 4, 6))
    pairs = [
        (lambda t: F.gelu(t), lambda t: torch.nn.functional.gelu(t)),
        (lambda t: F.gelu(t, "tanh"), lambda t: torch.nn.functional.gelu(t, approximate="tanh")),
        (F.silu, torch.nn.functional.silu),
        (lambda t: F.layer_norm(t, (6,)), lambda t: torch.nn.functional.layer_norm(t, (6,))),
        (lambda t: F.scaled_dot_product_attention(t, t, t, is_causal=True),
         lambda t: torch.nn.functional.scaled_dot_product_attention(t, t, t, is_causal=True)),
    ]
    for ours, theirs in pairs:
        a, b = mt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ours(a).backward(grad)
        expected = theirs(b)
        expected.backward(torch.tensor(grad))
        np.testing.assert_allclose(ours(a).detach().numpy(), expected.detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)
    ids = rng.integers(0, 5, (3, 4))
    weight = rng.standard_normal((5, 2))
    a, b = mt.tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)
    F.embedding(mt.tensor(ids), a, padding_idx=1).sum().backward()
    torch.nn.functional.embedding(torch.tensor(ids), b, padding_idx=1).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())


# ----- MultiheadAttention -------------------------------------------------------------------


def _torch_twin(torch, ours: nn.MultiheadAttention):
    """A torch.nn.MultiheadAttention holding the same weights as ``ours``."""
    theirs = torch.nn.MultiheadAttention(ours.embed_dim, ours.num_heads,
                                         batch_first=ours.batch_first, dtype=torch.float64)
    state = {name: np.asarray(value, dtype=np.float64)
             for name, value in ours.state_dict().items()}
    if state["out_proj.weight"].shape != tuple(theirs.out_proj.weight.shape) or (
            nn.Linear(2, 3).weight.shape == (2, 3)):  # minitorch's Linear may be (in, out)
        state["out_proj.weight"] = state["out_proj.weight"].T
    theirs.load_state_dict({name: torch.from_numpy(np.ascontiguousarray(value))
                            for name, value in state.items()})
    return theirs


@pytest.mark.parametrize("case", ["self", "cross_masks", "unbatched_causal", "per_head_float"])
def test_multihead_attention_matches_pytorch(case):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    E, H, N, L, S = 8, 2, 3, 4, 5
    batch_first = case == "cross_masks"
    mt.manual_seed(0)
    ours = nn.MultiheadAttention(E, H, batch_first=batch_first, dtype=np.float64)
    theirs = _torch_twin(torch, ours)
    kwargs, their_kwargs = {}, {}
    if case == "self":
        x = rng.standard_normal((L, N, E))
        inputs = [x]
    elif case == "cross_masks":
        inputs = [rng.standard_normal((N, L, E)), rng.standard_normal((N, S, E)),
                  rng.standard_normal((N, S, E))]
        padding = np.zeros((N, S), bool)
        padding[:, -1] = True
        blocked = np.zeros((L, S), bool)
        blocked[0, 1] = True
        kwargs = {"key_padding_mask": padding, "attn_mask": blocked, "need_weights": False}
        their_kwargs = {"key_padding_mask": torch.tensor(padding),
                        "attn_mask": torch.tensor(blocked), "need_weights": False}
    elif case == "unbatched_causal":
        inputs = [rng.standard_normal((L, E))]
        causal = np.triu(np.ones((L, L), bool), 1)
        kwargs = {"is_causal": True}
        their_kwargs = {"attn_mask": torch.tensor(causal), "is_causal": True}
    else:
        inputs = [rng.standard_normal((L, N, E))]
        mask = rng.standard_normal((N * H, L, L))
        kwargs = {"attn_mask": mask, "average_attn_weights": False}
        their_kwargs = {"attn_mask": torch.tensor(mask), "average_attn_weights": False}
    ours_in = [mt.tensor(a, requires_grad=True) for a in inputs]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in inputs]
    qkv = ours_in * 3 if len(ours_in) == 1 else ours_in
    out, weights = ours(*qkv, **kwargs)
    expected, expected_weights = theirs(*(theirs_in * 3 if len(theirs_in) == 1 else theirs_in),
                                        **their_kwargs)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-12)
    if expected_weights is None:
        assert weights is None
    else:
        np.testing.assert_allclose(weights.detach().numpy(), expected_weights.detach().numpy(),
                                   atol=1e-12)
    grad = rng.standard_normal(out.shape)
    out.backward(grad)
    expected.backward(torch.tensor(grad))
    for a, b in zip(ours_in, theirs_in):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.in_proj_weight.grad.numpy(),
                               theirs.in_proj_weight.grad.numpy(), atol=1e-12)


def test_multihead_attention_errors():
    with pytest.raises(ValueError, match=r"embed_dim \(10\) must be divisible by num_heads \(3\)"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(NotImplementedError, match="add_bias_kv"):
        nn.MultiheadAttention(8, 2, add_bias_kv=True)
    layer = nn.MultiheadAttention(8, 2)
    x = mt.randn(4, 2, 8)
    with pytest.raises(ValueError, match=r"key_padding_mask must have shape \(2, 4\)"):
        layer(x, x, x, key_padding_mask=np.zeros((4, 2), bool))
    with pytest.raises(ValueError, match="expected query"):
        layer(mt.randn(4, 2, 6), x, x)
    out, weights = layer(x, x, x)
    assert out.shape == (4, 2, 8) and weights.shape == (2, 4, 4)
    np.testing.assert_allclose(weights.detach().numpy().sum(-1), 1, rtol=1e-5)


# ----- gradients of gradients ---------------------------------------------------------------


def test_create_graph_keeps_padding_and_dropout_as_in_the_first_order_pass():
    from minitorch.autograd import grad

    weight = mt.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    out = F.embedding(_ids([[1, 2], [1, 3]]), weight, padding_idx=1)
    (first,) = grad((out * out).sum(), weight, create_graph=True)
    np.testing.assert_array_equal(first.detach().numpy()[1], 0)
    q, k, v = (mt.tensor(t.detach().numpy().astype(np.float64), requires_grad=True)
               for t in _qkv(shape=(2, 3, 2)))
    mt.manual_seed(1)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    plain = grad(out.sum(), [q, k, v], retain_graph=True)
    recorded = grad(out.sum(), [q, k, v], create_graph=True)
    for a, b in zip(plain, recorded):
        np.testing.assert_allclose(b.detach().numpy(), a.numpy(), rtol=1e-10, atol=1e-12)
