"""The epoch progress bar: silent off a terminal, a plain line on one (tqdm when present)."""

from __future__ import annotations

import io

import pytest

from minitorch import progress
from minitorch.progress import ProgressBar, format_seconds


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_is_silent_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()
    with ProgressBar(3, file=stream) as bar:
        for loss in (3.0, 1.0, 2.0):
            bar.update(10, loss)
    assert stream.getvalue() == ""
    assert bar.samples == 30 and bar.running_loss == pytest.approx(2.0)


def test_plain_progress_line_shows_batches_rate_loss_and_time_left(monkeypatch):
    monkeypatch.setattr(progress, "REDRAW_INTERVAL_S", 0.0)
    stream = FakeTerminal()
    with ProgressBar(4, desc="epoch 1", file=stream, use_tqdm=False) as bar:
        bar.update(64, 2.0)
        bar.update(32, 0.5)
        shown = stream.getvalue()
    assert "epoch 1: batch 2/4" in shown and "samples/s" in shown and "left" in shown
    assert "loss 1.5000" in shown  # the mean per sample: (64 * 2 + 32 * 0.5) / 96
    assert stream.getvalue().endswith("\r")  # the line is blanked when the epoch ends


def test_format_seconds():
    assert format_seconds(65) == "1:05"
    assert format_seconds(3725.2) == "1:02:05"


def test_tqdm_bar_is_drawn_on_a_terminal_where_installed():
    pytest.importorskip("tqdm")
    stream = FakeTerminal()
    with ProgressBar(4, desc="epoch 1", file=stream) as bar:
        for _ in range(4):
            bar.update(32, 1.0)
    shown = stream.getvalue()
    assert "epoch 1" in shown and "0/4" in shown and "batch" in shown
    assert "\n" not in shown  # one line, left blank at the end (leave=False)
