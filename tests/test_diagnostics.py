"""The training monitor must make vanishing gradients and dead ReLUs visible."""

import math

import numpy as np

import minitorch as mt
from minitorch import nn, optim
from minitorch.diagnostics import TrainingMonitor
from minitorch.nn.functional import cross_entropy_loss


def _train(model, monitor, steps=5, features=16, seed=0):
    _steps(model, steps, features, seed)
    return monitor.end_epoch()


def _steps(model, steps, features, seed):
    rng = np.random.default_rng(seed)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        x = mt.Tensor(rng.normal(size=(32, features)))
        y = mt.Tensor(rng.integers(0, 4, size=32), dtype=np.int64)
        loss = cross_entropy_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_deep_sigmoid_network_shows_vanishing_gradients():
    mt.manual_seed(0)
    layers = []
    for i in range(10):
        layer = nn.Linear(16, 16 if i < 9 else 4)
        nn.init.normal_(layer.weight, std=0.1)  # far too small: every layer shrinks the signal
        layers += [layer, nn.Sigmoid()]
    model = nn.Sequential(*layers[:-1])
    monitor = TrainingMonitor(model)
    rows = _train(model, monitor)
    norms = [row.grad_norm for row in rows if not math.isnan(row.grad_norm)]
    assert len(norms) == 10
    assert norms[0] < norms[-1] * 1e-4  # the first layer gets almost nothing
    assert all(a < b for a, b in zip(norms, norms[1:]))  # shrinking layer by layer
    table = monitor.format_table(rows)
    assert "0 Linear" in table and "grad norm" in table


def test_dead_relus_are_counted():
    mt.manual_seed(0)
    first = nn.Linear(16, 8)
    nn.init.normal_(first.weight, std=0.01)
    first.bias.data[:4] = -10.0  # these four units can never fire
    first.bias.data[4:] = 1.0
    model = nn.Sequential(first, nn.ReLU(), nn.Linear(8, 4))
    monitor = TrainingMonitor(model)
    rows = _train(model, monitor)
    relu = next(row for row in rows if row.layer == "1 ReLU")
    assert relu.dead_fraction == 0.5
    assert math.isnan(next(r for r in rows if r.layer == "0 Linear").dead_fraction)
    assert relu.activation_mean > 0 and relu.activation_std > 0


def test_report_prints_the_epoch_table_in_one_call(capsys):
    mt.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 4))
    monitor = TrainingMonitor(model)
    for epoch in range(2):
        _steps(model, steps=2, features=16, seed=epoch)
        rows = monitor.report()
        assert capsys.readouterr().out == monitor.format_table(rows) + "\n"
    assert len(monitor.history) == 2 and monitor.history[-1] is rows
    assert [row.layer for row in rows] == ["0 Linear", "1 ReLU", "2 Linear"]


def test_monitor_ignores_eval_mode_and_can_be_removed():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
    monitor = TrainingMonitor(model)
    model.eval()
    model(mt.randn(5, 4))
    assert all(math.isnan(row.activation_mean) for row in monitor.end_epoch())
    monitor.close()
    model.train()
    model(mt.randn(5, 4))
    assert all(math.isnan(row.activation_mean) for row in monitor.end_epoch())
    assert len(monitor.history) == 2


def test_gradient_flow_plot_is_optional(tmp_path, monkeypatch):
    from minitorch.diagnostics import plot_gradient_flow

    model = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 4))
    monitor = TrainingMonitor(model)
    _train(model, monitor, steps=2)
    path = tmp_path / "flow.png"
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert plot_gradient_flow(monitor.history, str(path)) is False
        assert not path.exists()
    else:
        assert plot_gradient_flow(monitor.history, str(path)) is True
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
        assert plot_gradient_flow(monitor.history, str(tmp_path / "none.png")) is False
