"""The benchmark results as typed records: what the runner fills in, the targets judge and the
report prints, and what ``latest.json`` holds (``dataclasses.asdict``).

A worker's JSON line is read in one place (the ``from_worker`` constructors); everything after
that uses these fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class WorkerRun:
    """One worker process: the JSON object it printed last, or why there is none, and the
    share of the CPUs other processes took while it ran."""

    reported: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    other_cpu_share: float | None = None
    noisy_retries: int = 0


@dataclass
class EpochRun:
    """One timed epoch of one implementation in one round (None where it failed)."""

    seconds: float | None = None
    other_cpu_share: float | None = None
    probe_seconds: list[float] = field(default_factory=list)
    peak_rss_bytes: int | None = None
    rss_before_training_bytes: int | None = None
    data: str | None = None
    error: str | None = None

    @classmethod
    def from_worker(cls, run: WorkerRun) -> EpochRun:
        if run.error is not None:
            return cls(error=run.error)
        reported = run.reported
        return cls(
            seconds=reported["epoch_seconds"][0],
            other_cpu_share=run.other_cpu_share,
            probe_seconds=reported.get("probe_seconds", []),
            peak_rss_bytes=reported.get("peak_rss_bytes"),
            rss_before_training_bytes=reported.get("rss_before_training_bytes"),
            data=reported.get("data"),
        )

    @property
    def training_rss_bytes(self) -> int | None:
        """How far the peak rose above the memory held before training began."""
        if self.peak_rss_bytes is None or self.rss_before_training_bytes is None:
            return None
        return self.peak_rss_bytes - self.rss_before_training_bytes


@dataclass
class MlpRatios:
    """Medians of per-round ratios of epoch times on one MLP row."""

    minitorch_over_numpy: float | None = None
    minitorch_over_torch: float | None = None
    sklearn_over_minitorch: float | None = None
    sklearn_f64_over_minitorch: float | None = None
    sklearn_over_matmuls: float | None = None


@dataclass
class MlpRow:
    """One network and optimizer: every implementation's epochs, round by round."""

    net: str
    opt: str
    runs: dict[str, list[EpochRun]]
    probe_spread: list[float | None] = field(default_factory=list)
    unsteady_retries: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    median_seconds: dict[str, float | None] = field(default_factory=dict)
    disturbed_runs_left_out: dict[str, int] = field(default_factory=dict)
    ratios: MlpRatios = field(default_factory=MlpRatios)


@dataclass
class MlpSection:
    rounds: int
    samples: int
    rows: list[MlpRow]


@dataclass
class CnnRow:
    """The CNN epoch at one thread count: minitorch and PyTorch, round by round."""

    threads: int
    runs: dict[str, list[EpochRun]]
    errors: dict[str, str] = field(default_factory=dict)
    median_seconds: dict[str, float | None] = field(default_factory=dict)
    median_peak_rss_bytes: dict[str, float | None] = field(default_factory=dict)
    median_training_rss_bytes: dict[str, float | None] = field(default_factory=dict)
    minitorch_over_torch: float | None = None


@dataclass
class CnnSection:
    rounds: int
    samples: int
    rows: list[CnnRow]


@dataclass
class MicroRun:
    """One micro-benchmark worker (overhead or deep graph): each measurement's number, or
    the error that kept it from being measured."""

    values: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    other_cpu_share: float | None = None

    @classmethod
    def from_worker(cls, run: WorkerRun, measurements: tuple[str, ...]) -> MicroRun:
        result = cls(other_cpu_share=run.other_cpu_share)
        for name in measurements:
            value = run.reported.get(name)
            if run.error is not None:
                result.errors[name] = run.error
            elif isinstance(value, (int, float)):
                result.values[name] = value
            else:
                result.errors[name] = (value or {}).get("error", "not reported")
        return result


@dataclass
class MemoryRun:
    """Several epochs in one process: the peak resident memory, the memory after each epoch
    and each epoch's seconds."""

    peak_rss_bytes: int | None = None
    rss_after_epoch_bytes: list[int] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    other_cpu_share: float | None = None
    error: str | None = None

    @classmethod
    def from_worker(cls, run: WorkerRun) -> MemoryRun:
        if run.error is not None:
            return cls(error=run.error)
        return cls(run.reported["peak_rss_bytes"], run.reported["rss_after_epoch_bytes"],
                   run.reported["epoch_seconds"], run.other_cpu_share)

    @property
    def growth(self) -> float | None:
        """Relative change of the memory from after epoch 2 to after the last epoch."""
        rss = self.rss_after_epoch_bytes
        return (rss[-1] - rss[1]) / rss[1] if len(rss) > 1 and rss[1] else None

    @property
    def slowdown(self) -> float | None:
        """The last epoch's time over the second's (the first one starts from fresh state)."""
        seconds = self.epoch_seconds
        return seconds[-1] / seconds[1] if len(seconds) > 1 and seconds[1] else None


@dataclass
class MemorySection:
    samples: int
    epochs: int
    net: str
    opt: str
    runs: dict[str, MemoryRun]


@dataclass
class Target:
    name: str
    measured: str
    status: str  # "met", "not met" or "not measured"


@dataclass
class Environment:
    date: str
    cpu_count: int | None
    cpu_model: str
    platform: str
    python: str
    versions: dict[str, str]
    threads: int
    load_average_at_start: float | None
    load_average_at_end: float | None = None


@dataclass
class Results:
    environment: Environment
    settings: dict[str, Any]
    mlp: MlpSection | None = None
    cnn: CnnSection | None = None
    overhead: dict[str, MicroRun] | None = None
    deep: dict[str, MicroRun] | None = None
    memory: MemorySection | None = None
    targets: list[Target] = field(default_factory=list)

    def other_cpu_shares(self) -> list[float]:
        """The share of the CPUs other processes took during every worker run."""
        shares: list[float | None] = []
        for section in (self.mlp, self.cnn):
            for row in section.rows if section else []:
                shares += [run.other_cpu_share for runs in row.runs.values() for run in runs]
        for micro in (self.overhead, self.deep):
            shares += [run.other_cpu_share for run in (micro or {}).values()]
        if self.memory:
            shares += [run.other_cpu_share for run in self.memory.runs.values()]
        return [share for share in shares if share is not None]
