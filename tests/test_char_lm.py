"""Tiny runs of examples/char_lm.py (the full-size figures are in the README), its data
pipeline, its errors, and the PyTorch twin in benchmarks/ where torch is installed."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import minitorch
from minitorch.text import load_words

ROOT = Path(__file__).resolve().parents[1]
MLP_ARGS = ["--model", "mlp", "--steps", "300", "--eval-every", "100", "--hidden", "32",
            "--samples", "5"]
TRANSFORMER_ARGS = ["--model", "transformer", "--steps", "40", "--eval-every", "20",
                    "--layers", "1", "--heads", "2", "--embedding-dim", "16", "--samples", "5"]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example():
    yield _load("char_lm", ROOT / "examples" / "char_lm.py")
    del sys.modules["char_lm"]


@pytest.fixture(scope="module")
def names(tmp_path_factory):
    """500 of the bundled names: enough to learn from in a few hundred steps."""
    path = tmp_path_factory.mktemp("data") / "names.txt"
    path.write_text("\n".join(load_words()[:500]) + "\n")
    return path


def test_mlp_learns_and_samples(example, names, capsys):
    result = example.main([*MLP_ARGS, "--data", str(names)])
    out = capsys.readouterr().out
    assert [line.split("|")[0].strip() for line in out.splitlines() if line.startswith("step")] \
        == ["step    100/300", "step    200/300", "step    300/300"]
    history = result["history"]
    assert history["dev"][-1] < history["dev"][0] < np.log(27)
    assert set(result["losses"]) == {"train", "dev", "test"}
    assert "s per 1,000 steps" in out and "final loss: train" in out
    assert len(result["samples"]) == 5 and all("." not in name for name in result["samples"])


def test_transformer_learns_and_saves(example, names, tmp_path, capsys):
    path = tmp_path / "lm.npz"
    result = example.main([*TRANSFORMER_ARGS, "--data", str(names), "--save", str(path)])
    assert result["history"]["dev"][-1] < np.log(27)
    checkpoint = minitorch.load(path)
    vocab = example.Vocabulary(load_words(names))
    assert checkpoint["chars"] == vocab.chars
    args = example.parse_args(TRANSFORMER_ARGS)
    model = example.build_model("transformer", len(vocab), args)
    model.load_state_dict(checkpoint["model"])
    rows = [minitorch.tensor(a) for a in example.padded_sequences(["anna", "bob"], vocab, 16)]
    assert example.evaluate(model, *rows) == pytest.approx(
        example.evaluate(result["model"], *rows), rel=1e-6)


def test_same_seed_same_run(example, names):
    args = [*MLP_ARGS, "--steps", "50", "--data", str(names)]
    assert example.main(args)["history"] == example.main(args)["history"]


def test_windows_and_padded_sequences(example):
    vocab = example.Vocabulary(["ab", "c"])
    assert vocab.chars == [".", "a", "b", "c"]
    inputs, targets = example.context_windows(["ab"], vocab, 2)
    np.testing.assert_array_equal(inputs, [[0, 0], [0, 1], [1, 2]])
    np.testing.assert_array_equal(targets, [1, 2, 0])
    inputs, targets = example.padded_sequences(["ab"], vocab, 4)
    np.testing.assert_array_equal(inputs, [[0, 1, 2, 0]])
    np.testing.assert_array_equal(targets, [[1, 2, 0, -1]])


def test_padding_is_left_out_of_the_loss(example):
    logits = minitorch.randn(2, 3, 4, requires_grad=True)
    targets = minitorch.tensor([[1, 2, -1], [3, -1, -1]])
    loss = example.next_char_loss(logits, targets)
    log_probs = logits.detach().log_softmax(-1).numpy()
    expected = -(log_probs[0, 0, 1] + log_probs[0, 1, 2] + log_probs[1, 0, 3]) / 3
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    loss.backward()
    assert np.all(logits.grad.numpy()[0, 2] == 0) and np.all(logits.grad.numpy()[1, 1:] == 0)


def test_context_longer_than_block_size_raises(example):
    model = example.Transformer(5, block_size=4, embed_dim=8, num_layers=1, num_heads=2)
    model(minitorch.zeros(2, 4, dtype=minitorch.int64))
    with pytest.raises(ValueError, match="context of 5 characters is longer than the model's "
                                         "block size of 4"):
        model(minitorch.zeros(2, 5, dtype=minitorch.int64))
    with pytest.raises(ValueError, match=r"windows of exactly 3 characters \(B, 3\), got "
                                         r"shape \(2, 5\)"):
        example.MLP(5)(minitorch.zeros(2, 5, dtype=minitorch.int64))
    vocab = example.Vocabulary(["abcd"])
    with pytest.raises(ValueError, match="'abcd' has 4 characters, but a block size of 4"):
        example.padded_sequences(["abcd"], vocab, 4)


def test_sampling_never_feeds_more_than_the_block(example):
    vocab = example.Vocabulary(["ab"])
    model = example.Transformer(len(vocab), block_size=3, embed_dim=8, num_layers=1,
                                num_heads=2)
    assert len(example.sample(model, vocab, 4, max_length=10)) == 4
    assert len(example.sample(model, vocab, 4, max_length=10, top_k=1)) == 4
    with pytest.raises(ValueError, match="temperature must be > 0"):
        example.sample(model, vocab, 4, max_length=10, temperature=0)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "holds no words"),
    (b"\x00\x01\x02", "not a text file"),
    (b"a.b\n", "contains '.'"),
])
def test_bad_names_file_raises(example, tmp_path, content, message):
    path = tmp_path / "words.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        example.main(["--data", str(path), "--steps", "1"])


def test_bad_arguments_exit_with_a_usage_error(example, capsys):
    for argv in (["--model", "rnn"], ["--steps", "0"], ["--block-size", "-1"]):
        with pytest.raises(SystemExit) as exit_info:
            example.main(argv)
        assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize("args", [MLP_ARGS, TRANSFORMER_ARGS], ids=["mlp", "transformer"])
def test_pytorch_twin_trains_to_the_same_losses(example, names, args):
    """Same data, batches and initial weights: only rounding differs."""
    pytest.importorskip("torch")
    twin = _load("char_lm_torch", ROOT / "benchmarks" / "char_lm_torch.py")
    ours = example.main([*args, "--data", str(names)])["losses"]
    theirs = twin.main([*args, "--data", str(names)])["losses"]
    for split in ours:
        assert ours[split] == pytest.approx(theirs[split], abs=1e-3)


def test_plot_is_optional(example, names, tmp_path, capsys):
    path = tmp_path / "loss.png"
    example.main([*MLP_ARGS, "--steps", "20", "--eval-every", "10", "--data", str(names),
                  "--plot", str(path)])
    out = capsys.readouterr().out
    if importlib.util.find_spec("matplotlib") is None:
        assert out.index(example.NO_MATPLOTLIB) < out.index("step") and not path.exists()
    else:
        assert path.stat().st_size > 0
