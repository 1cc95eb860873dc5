"""End-to-end runs of examples/mnist_example.py (and its shared module common.py) on the
bundled 8x8 digits, and of examples/quickstart.py."""

import runpy
from pathlib import Path

import numpy as np
import pytest

import minitorch
import minitorch.progress

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def example(monkeypatch):
    # As when run as a script: the examples folder is on the import path, for common.py.
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import mnist_example

    return mnist_example


def test_quickstart_trains_and_reports_accuracy(capsys):
    runpy.run_path(str(EXAMPLES / "quickstart.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert out.count("mean training loss") == 10
    accuracy = float(out.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.9
    assert len((EXAMPLES / "quickstart.py").read_text().splitlines()) < 50


def test_trains_digits_to_high_accuracy(example, capsys):
    result = example.main(["--dataset", "digits", "--epochs", "10", "--seed", "0"])
    assert result["test_accuracy"] >= 0.90
    out = capsys.readouterr().out
    epoch_lines = [line for line in out.splitlines() if line.startswith("epoch")]
    assert len(epoch_lines) == 10
    assert all(word in epoch_lines[0] for word in ("loss", "train acc", "test acc", "s"))
    assert f"final test accuracy: {result['test_accuracy']:.4f}" in out
    assert "\r" not in out  # the progress counter is for terminals only
    history = result["history"]
    assert history.loss[-1] < history.loss[0]
    assert len(history.test_accuracy) == len(history.seconds) == 10


def test_progress_bar_rewrites_one_line(example, capsys, monkeypatch):
    monkeypatch.setattr(minitorch.progress, "tqdm", None)  # the plain line, tqdm or not
    minitorch.manual_seed(0)
    x = np.random.default_rng(0).random((40, 8), dtype=np.float32)
    loader = example.DataLoader(example.TensorDataset(x, np.arange(40) % 3), batch_size=2)
    model = example.build_model(8, 3, hidden=(4,))
    optimizer = example.make_optimizer("sgd", model.parameters(), 0.1)
    loss, accuracy, seconds = example.train_epoch(model, loader, optimizer, show_progress=True)
    out = capsys.readouterr().out
    # The last batch is always drawn.
    assert "20/20" in out and "\n" not in out
    assert np.isfinite(loss) and 0 <= accuracy <= 1 and seconds > 0


def test_same_seed_same_result(example):
    args = ["--dataset", "digits", "--epochs", "2", "--hidden", "32", "--seed", "3"]
    first = example.main(args)["history"]
    assert example.main(args)["history"].loss == first.loss


def test_sgd_and_no_hidden_layer(example):
    result = example.main(
        [
            "--dataset",
            "digits",
            "--epochs",
            "5",
            "--optimizer",
            "sgd",
            "--hidden",
            "",
            "--schedule",
            "constant",
            "--dropout",
            "0",
        ]
    )
    assert len(result["model"]) == 1  # a single Linear layer
    assert result["test_accuracy"] >= 0.85


def test_save_writes_a_loadable_checkpoint(example, tmp_path):
    path = tmp_path / "checkpoint.npz"
    result = example.main(
        ["--dataset", "digits", "--epochs", "1", "--hidden", "16", "--save", str(path)]
    )
    checkpoint = minitorch.load(path)
    assert set(checkpoint) == {"model", "optimizer", "epochs", "args"}
    model = example.build_model(64, 10, hidden=(16,))
    model.load_state_dict(checkpoint["model"])
    x = minitorch.Tensor(np.random.default_rng(0).random((3, 64), dtype=np.float32))
    trained = result["model"].eval()
    np.testing.assert_array_equal(model.eval()(x).detach().numpy(), trained(x).detach().numpy())
    assert checkpoint["optimizer"]["state"]


def test_plot_is_optional_and_a_missing_matplotlib_is_said_before_training(
    example, tmp_path, capsys, monkeypatch
):
    path = tmp_path / "curves.png"
    argv = ["--dataset", "digits", "--epochs", "1", "--hidden", "16", "--plot", str(path)]
    example.main(argv)
    out = capsys.readouterr().out
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert out.startswith("matplotlib is not installed") and not path.exists()
    else:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"saved the training curves to {path}" in out
        path.unlink()
        monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
        example.main(argv)
        out = capsys.readouterr().out
        assert out.startswith("matplotlib is not installed, so no plot will be drawn")
        assert "saved" not in out and not path.exists()


def test_idx_data_dir(example):
    data_dir = SHARED_DATA / "mnist-10k"
    if not data_dir.is_dir():
        pytest.skip("shared MNIST data not present")
    result = example.main(["--data-dir", str(data_dir), "--epochs", "1", "--hidden", "64"])
    assert result["test_accuracy"] > 0.8


@pytest.mark.parametrize(
    "argv",
    [
        ["--data-dir", "somewhere", "--dataset", "digits"],
        ["--hidden", "256,abc"],
        ["--hidden", "0"],
        ["--epochs", "0"],
        ["--dropout", "1"],
        ["--model", "transformer"],
    ],
)
def test_bad_arguments_exit_with_a_usage_error(example, argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        example.main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_build_model_rejects_unknown_models(example):
    with pytest.raises(ValueError, match="model must be one of"):
        example.build_model(64, 10, model="cnn3d")
    model = example.build_model(64, 10, hidden=(8, 4), dropout=0.0)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]


def test_diagnostics_table_each_epoch(example, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    example.main(["--dataset", "digits", "--epochs", "2", "--hidden", "32", "--diagnostics"])
    out = capsys.readouterr().out
    assert out.count("grad norm") == 2
    assert "0 Linear" in out and "1 ReLU" in out and "%" in out
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert out.startswith("matplotlib is not installed")
        return
    assert (tmp_path / "gradient-flow.png").exists()
    example.main(["--dataset", "digits", "--epochs", "1", "--diagnostics", "--plot", "c.png"])
    assert (tmp_path / "c-gradient-flow.png").exists()
