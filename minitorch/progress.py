"""A progress bar for one pass over the batches of an epoch: batches done, samples per
second, the running (mean) loss and the time left.

    with ProgressBar(len(loader), desc="epoch 1") as bar:
        for images, labels in loader:
            ...
            bar.update(len(labels), loss.item())

It uses tqdm when that is installed (``pip install tqdm``) and otherwise rewrites one plain
line in place. It prints nothing unless its stream is a terminal, so logs, pipes and test
runs stay clean.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

try:
    from tqdm import tqdm
except ImportError:  # the plain line below does the same job
    tqdm = None

# The plain line is redrawn at most this often (seconds): printing is not free.
REDRAW_INTERVAL_S = 0.1


class ProgressBar:
    """Progress over ``total_batches`` batches, written to ``file`` (default: stdout).

    ``enabled`` forces it on or off; by default it is on only when ``file`` is a terminal.
    ``use_tqdm=False`` keeps the plain line even where tqdm is installed.
    """

    def __init__(
        self,
        total_batches: int,
        desc: str = "",
        file: TextIO | None = None,
        enabled: bool | None = None,
        use_tqdm: bool = True,
    ) -> None:
        self.file = sys.stdout if file is None else file
        self.enabled = self.file.isatty() if enabled is None else enabled
        self.total_batches, self.desc = total_batches, desc
        self.batches = self.samples = 0
        self.loss_sum = 0.0
        self.start = self.last_drawn = time.perf_counter()
        self.width = 0  # of the last plain line, to blank it when done
        self.bar: Any = None
        if self.enabled and use_tqdm and tqdm is not None:
            self.bar = tqdm(total=total_batches, desc=desc or None, unit="batch",
                            file=self.file, leave=False, dynamic_ncols=True)

    @property
    def running_loss(self) -> float:
        """Mean loss per sample over the batches so far."""
        return self.loss_sum / self.samples if self.samples else float("nan")

    def update(self, samples: int, loss: float) -> None:
        """One more batch of ``samples`` samples, whose mean loss was ``loss``."""
        self.batches += 1
        self.samples += samples
        self.loss_sum += loss * samples
        if not self.enabled:
            return
        rate = self.samples / max(time.perf_counter() - self.start, 1e-9)
        summary = f"{rate:,.0f} samples/s, loss {self.running_loss:.4f}"
        if self.bar is not None:
            self.bar.set_postfix_str(summary, refresh=False)
            self.bar.update(1)
            return
        now = time.perf_counter()
        if now - self.last_drawn < REDRAW_INTERVAL_S and self.batches < self.total_batches:
            return
        self.last_drawn = now
        left = (self.total_batches - self.batches) * (now - self.start) / self.batches
        prefix = f"{self.desc}: " if self.desc else ""
        line = (f"  {prefix}batch {self.batches}/{self.total_batches}, {summary}, "
                f"{format_seconds(left)} left")
        self.file.write("\r" + line.ljust(self.width))
        self.file.flush()
        self.width = len(line)

    def close(self) -> None:
        """Remove the bar, leaving the cursor at the start of an empty line."""
        if self.bar is not None:
            self.bar.close()
        elif self.enabled and self.width:
            self.file.write("\r" + " " * self.width + "\r")
            self.file.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def format_seconds(seconds: float) -> str:
    """3725.2 -> '1:02:05', 65 -> '1:05'."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
