"""The Markdown report of a run, and writing it with the raw numbers to benchmarks/results/."""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
from collections.abc import Sequence
from pathlib import Path

from noise import NOISY_CPU_SHARE, PROBE_SPREAD_LIMIT
from results import CnnSection, MemorySection, MicroRun, MlpRatios, MlpSection, Results
from targets import fmt

RESULTS_DIR = Path(__file__).resolve().parent / "results"

IMPL_NOTES = {
    "sklearn": "MLPClassifier given the same float32 arrays as the others (it then computes "
    "in float32)",
    "sklearn-f64": "MLPClassifier given the data as float64",
    "matmuls": "the network's matrix products alone, a floor under every implementation",
}
RATIO_HEADERS = {
    "minitorch_over_numpy": "minitorch/numpy",
    "minitorch_over_torch": "minitorch/torch",
    "sklearn_over_minitorch": "sklearn/minitorch",
    "sklearn_f64_over_minitorch": "sklearn-f64/minitorch",
    "sklearn_over_matmuls": "sklearn/matmuls",
}
assert list(RATIO_HEADERS) == [f.name for f in dataclasses.fields(MlpRatios)]
OVERHEAD_LABELS = {
    "small_graph_fwd_bwd_us": "(a*b + a).sum() forward+backward, 10x10 float32",
    "mlp_step_sgd_us": "training step, 64-32-10 MLP, batch 32, SGD",
    "mlp_step_adam_us": "training step, 64-32-10 MLP, batch 32, Adam",
}


def table(header: Sequence[str], rows: Sequence[Sequence[str]], text_columns: int = 1) -> list[str]:
    """Markdown table; columns after the first ``text_columns`` are right-aligned numbers."""
    alignment = ["---" if i < text_columns else "---:" for i in range(len(header))]
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(alignment) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def mib(size: float | None) -> str:
    return fmt(None if size is None else size / 2**20, "{:.0f}")


def mlp_section(mlp: MlpSection) -> list[str]:
    implementations = list(mlp.rows[0].runs) if mlp.rows else []
    data = ", ".join(sorted({run.data for row in mlp.rows for runs in row.runs.values()
                             for run in runs} - {None})) or "no"
    rows = []
    for row in mlp.rows:
        times = ["error" if impl in row.errors else fmt(row.median_seconds[impl], "{:.3f}")
                 for impl in implementations]
        ratios = [fmt(getattr(row.ratios, name)) for name in RATIO_HEADERS]
        rows.append([row.net, row.opt, *times, *ratios])
    lines = [
        f"## MLP training: seconds per epoch ({mlp.samples} samples of {data} data, "
        f"batch 128, median of {mlp.rounds} rounds; ratios are medians of per-round ratios)",
        "",
        *table(["network", "optimizer", *implementations, *RATIO_HEADERS.values()], rows, 2),
    ]
    notes = [f"{impl}: {IMPL_NOTES[impl]}" for impl in implementations if impl in IMPL_NOTES]
    if notes:
        lines += ["", "; ".join(notes) + "."]
    spreads = [spread for row in mlp.rows for spread in row.probe_spread if spread]
    if spreads:
        retried = sum(row.unsteady_retries for row in mlp.rows)
        lines.append(
            f"\nMachine speed (a fixed matrix-product probe before and after each run) varied "
            f"by at most {max(spreads):.2f}x among the runs of a row's round (median "
            f"{statistics.median(spreads):.2f}x); {retried} row round(s) were run again "
            f"because it varied by more than {PROBE_SPREAD_LIMIT:.2f}x."
        )
    left_out = sum(sum(row.disturbed_runs_left_out.values()) for row in mlp.rows)
    if left_out:
        lines.append(
            f"\n{left_out} run(s) during which other processes used more than "
            f"{NOISY_CPU_SHARE:.0%} of the CPUs were left out of the medians and ratios."
        )
    errors = sorted({(impl, error) for row in mlp.rows for impl, error in row.errors.items()})
    lines += [f"\n{impl} did not run: `{error}`" for impl, error in errors]
    return lines


def cnn_section(cnn: CnnSection) -> list[str]:
    implementations = list(cnn.rows[0].runs) if cnn.rows else []
    data = ", ".join(sorted({run.data for row in cnn.rows for runs in row.runs.values()
                             for run in runs} - {None})) or "no"
    rows = []
    for row in cnn.rows:
        cells = [str(row.threads)]
        cells += ["error" if impl in row.errors else fmt(row.median_seconds[impl], "{:.2f}")
                  for impl in implementations]
        cells.append(fmt(row.minitorch_over_torch))
        cells += [f"{mib(row.median_peak_rss_bytes.get(impl))} "
                  f"({mib(row.median_training_rss_bytes.get(impl))})" for impl in implementations]
        rows.append(cells)
    header = ["threads", *(f"{impl} s" for impl in implementations), "minitorch/torch",
              *(f"{impl} peak MiB (training)" for impl in implementations)]
    errors = sorted({(impl, error) for row in cnn.rows for impl, error in row.errors.items()})
    return [
        f"## CNN training: seconds per epoch (conv16-pool-conv32-pool-fc128-fc10, batch 64, "
        f"Adam, {cnn.samples} samples of {data} data, median of {cnn.rounds} rounds)",
        "",
        *table(header, rows),
        "",
        "Peak MiB is the worker's peak resident memory; in brackets, how far it rose above "
        "the memory held once the library was loaded and the model built (what training "
        "itself used).",
        *(f"\n{impl} did not run: `{error}`" for impl, error in errors),
    ]


def micro_cell(run: MicroRun | None, measurement: str, pattern: str) -> str:
    if run is None:
        return "n/a"
    if measurement in run.errors:
        return f"error: {run.errors[measurement]}"
    return fmt(run.values.get(measurement), pattern)


def overhead_section(overhead: dict[str, MicroRun]) -> list[str]:
    rows = [[label, *(micro_cell(run, key, "{:.1f}") for run in overhead.values())]
            for key, label in OVERHEAD_LABELS.items()]
    return ["## Per-operation overhead (median microseconds)", "",
            *table(["measurement", *overhead], rows)]


def deep_section(deep: dict[str, MicroRun]) -> list[str]:
    length = next((int(run.values["length"]) for run in deep.values() if "length" in run.values),
                  "?")
    rows = [[phase, *(micro_cell(run, f"{phase}_s", "{:.3f}") for run in deep.values())]
            for phase in ("forward", "backward")]
    return [
        f"## Deep graph: a chain of {length} `x * 1.0001` ops on a 1-element tensor (seconds)",
        "",
        *table(["phase", *deep], rows),
    ]


def memory_section(memory: MemorySection) -> list[str]:
    rows = []
    for impl, run in memory.runs.items():
        if run.error is not None:
            rows.append([impl, f"error: {run.error}", "", "", "", "", "", ""])
            continue
        rss, seconds = run.rss_after_epoch_bytes, run.epoch_seconds
        rows.append([impl, mib(run.peak_rss_bytes), mib(rss[1] if len(rss) > 1 else None),
                     mib(rss[-1] if rss else None), fmt(run.growth, "{:+.1%}"),
                     fmt(seconds[1] if len(seconds) > 1 else None, "{:.3f}"),
                     fmt(seconds[-1] if seconds else None, "{:.3f}"), fmt(run.slowdown)])
    header = ["implementation", "peak RSS", "RSS after epoch 2", "RSS after the last epoch",
              "growth", "epoch 2 s", "last epoch s", "last/epoch 2"]
    return [
        f"## Long training: {memory.epochs} epochs of {memory.net} {memory.opt} on "
        f"{memory.samples} samples (memory in MiB, time in seconds)",
        "",
        *table(header, rows),
        "",
        "Each implementation trains in one process; the time of a later epoch shows what "
        "training state that builds up (such as denormal numbers, see "
        "minitorch/denormals.py) costs.",
    ]


def markdown_report(results: Results) -> str:
    env = results.environment
    versions = ", ".join(f"{name} {version}" for name, version in env.versions.items())
    lines = [
        "# minitorch benchmarks",
        "",
        f"- {env.date}; {env.cpu_count} CPUs ({env.cpu_model}); {env.threads} BLAS/OpenMP "
        "threads per worker unless a table says otherwise.",
        f"- Python {env.python}, {versions}.",
        f"- 1-minute load average {env.load_average_at_start} at start, "
        f"{env.load_average_at_end} at end.",
    ]
    shares = results.other_cpu_shares()
    if shares:
        lines.append(
            f"- Other processes used {statistics.median(shares):.0%} of the CPUs (median over "
            f"worker runs; worst run {max(shares):.0%}) while the workers ran."
        )
        if max(shares) > NOISY_CPU_SHARE:
            lines += [
                "",
                "**Other processes competed for the CPUs during some runs. Such runs were "
                "repeated, and epoch runs still disturbed were left out of the medians, but "
                "absolute times may still be inflated: the ratios are the steadier numbers.**",
            ]
    if results.mlp:
        lines += ["", *mlp_section(results.mlp)]
    if results.cnn:
        lines += ["", *cnn_section(results.cnn)]
    if results.overhead:
        lines += ["", *overhead_section(results.overhead)]
    if results.deep:
        lines += ["", *deep_section(results.deep)]
    if results.memory:
        lines += ["", *memory_section(results.memory)]
    target_rows = [[t.name, t.measured, t.status] for t in results.targets]
    lines += ["", "## Targets", "", *table(["target", "measured", "status"], target_rows, 3)]
    return "\n".join(lines) + "\n"


def write_results(results: Results, markdown: str) -> None:
    """latest.md, and latest.json with every raw number."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "latest.md").write_text(markdown)
    # Write-then-rename so a reader never sees half a JSON file.
    temporary = RESULTS_DIR / "latest.json.tmp"
    temporary.write_text(json.dumps(dataclasses.asdict(results), indent=2) + "\n")
    os.replace(temporary, RESULTS_DIR / "latest.json")
