"""Run the minitorch benchmarks and write benchmarks/results/latest.{md,json}.

    python benchmarks/run.py                 # everything (about 8 minutes on 2 cores)
    python benchmarks/run.py --quick         # one round, smaller memory run (about 2 minutes)
    python benchmarks/run.py --only mlp      # one section: mlp, overhead, deep or memory
    python benchmarks/run.py --check         # fast self-check of the workers, then exit

Every measurement runs in a fresh worker process (so no library warms up or fragments
another's heap) with the same thread settings; this script itself imports no numerical
library. See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from cpu_share import OtherCpuMeter

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"

THREADS = 2
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# Implementation name -> worker script and its own arguments.
MLP_WORKERS = {
    "minitorch": ["bench_minitorch.py"],
    "numpy": ["bench_numpy.py"],
    "torch": ["bench_torch.py"],
    "sklearn": ["bench_sklearn.py"],
    "sklearn-f64": ["bench_sklearn.py", "--dtype", "float64"],
    "matmuls": ["bench_matmuls.py"],
}
# Kept here rather than imported from bench_common so this script needs no NumPy.
NETWORKS = ("784-128-10", "784-256-128-10")
OPTIMIZERS = ("sgd", "adam")
SECTIONS = ("mlp", "overhead", "deep", "memory")

FULL_SAMPLES = 60_000
MEMORY_EPOCHS = 10
MEMORY_QUICK_SAMPLES = 12_800
MEMORY_NET, MEMORY_OPT = "784-256-128-10", "adam"
WORKER_TIMEOUT_S = 900
# Before each worker, wait up to QUIET_WAIT_S for other processes to use less than
# QUIET_CPU_SHARE of the machine (probed over QUIET_PROBE_S).
QUIET_WAIT_S = 5.0
QUIET_CPU_SHARE = 0.15
QUIET_PROBE_S = 0.25
# A timing run during which other processes took more than NOISY_CPU_SHARE of the CPUs is
# repeated, up to NOISY_RETRIES times; the share of every kept run is reported.
NOISY_CPU_SHARE = 0.10
NOISY_RETRIES = 2
# A row's round whose runs' machine-speed probes differ by more than this factor is run
# again, up to UNSTEADY_RETRIES times.
PROBE_SPREAD_LIMIT = 1.15
UNSTEADY_RETRIES = 2

TARGET_VS_NUMPY = 1.10
TARGET_VS_TORCH = 0.90
TARGET_SKLEARN_SLOWDOWN = 2.0
TARGET_SMALL_GRAPH_US = 10.0
TARGET_CHAIN_BACKWARD_S = 1.0
TARGET_RSS_GROWTH = 0.05
TARGET_PEAK_VS_NUMPY = 1.3


# ----- running workers ------------------------------------------------------------------------


def worker_env() -> dict[str, str]:
    """The same BLAS/OpenMP thread count for every worker, whatever the caller's shell says."""
    env = dict(os.environ)
    for name in THREAD_ENV_VARS:
        env[name] = str(THREADS)
    return env


def wait_for_quiet_cpus(max_wait_s: float) -> None:
    """Give other processes' bursts (a test run, a build) up to `max_wait_s` to finish.

    With as many BLAS threads as cores, any competing process slows matrix products many
    times over, so starting a worker in a burst would mostly measure the burst.
    """
    deadline = time.monotonic() + max_wait_s
    while time.monotonic() < deadline:
        meter = OtherCpuMeter(resource.RUSAGE_CHILDREN)
        time.sleep(QUIET_PROBE_S)
        share = meter.share()
        if share is None or share < QUIET_CPU_SHARE:
            return


def run_worker(script: str, args: Sequence[str]) -> dict:
    """Run one worker process; its last stdout line is a JSON object, or report why not.

    The result also records how much CPU other processes took while the worker ran, unless
    the worker measured that itself over the part it times.
    """
    command = [sys.executable, str(BENCH_DIR / script), *args, "--threads", str(THREADS)]
    wait_for_quiet_cpus(QUIET_WAIT_S)
    meter = OtherCpuMeter(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=worker_env(), timeout=WORKER_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {WORKER_TIMEOUT_S} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        stderr_lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        return {"error": stderr_lines[-1][:300]}
    result = json.loads(lines[-1])
    result.setdefault("other_cpu_share", meter.share())
    return result


def run_timing_worker(script: str, args: Sequence[str], label: str) -> dict:
    """run_worker, repeated (a few times at most) while other processes disturbed the run."""
    result = run_worker(script, args)
    retries = 0
    while retries < NOISY_RETRIES and (result.get("other_cpu_share") or 0) > NOISY_CPU_SHARE:
        share = result["other_cpu_share"]
        progress(f"{label}: other processes used {share:.0%} of the CPUs; running it again")
        result = run_worker(script, args)
        retries += 1
    result["noisy_retries"] = retries
    return result


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rotated(items: Sequence[str], shift: int) -> list[str]:
    shift %= len(items)
    return list(items[shift:]) + list(items[:shift])


def median_or_none(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def ratio_median(
    numerators: Sequence[float | None], denominators: Sequence[float | None]
) -> float | None:
    """Median of per-round ratios: both runs of a round saw the same machine conditions."""
    if not numerators or not denominators:
        return None
    ratios = [
        a / b
        for a, b in zip(numerators, denominators, strict=True)
        if a is not None and b is not None
    ]
    return statistics.median(ratios) if ratios else None


# ----- sections --------------------------------------------------------------------------------


def bench_mlp(implementations: Sequence[str], rounds: int, samples: int) -> dict:
    """One epoch per worker process; each round visits every row in a rotated order.

    The ratios compare the implementations of a row within a round, so those runs must see
    the same machine speed: when their speed probes differ by more than PROBE_SPREAD_LIMIT,
    the row's round is run again (at most UNSTEADY_RETRIES times) and the steadiest attempt
    is kept.
    """
    rows = [
        {"net": net, "opt": opt, "seconds": {}, "other_cpu_share": {}, "errors": {}}
        for net in NETWORKS
        for opt in OPTIMIZERS
    ]
    for row in rows:
        row["probe_spread"], row["unsteady_retries"] = [], 0
        for impl in implementations:
            row["seconds"][impl] = []
            row["other_cpu_share"][impl] = []
    for round_index in range(rounds):
        for row_index, row in enumerate(rows):
            order = rotated(implementations, round_index + row_index)
            label = f"[mlp {round_index + 1}/{rounds}] {row['net']} {row['opt']}"
            attempts = []
            for retry in range(UNSTEADY_RETRIES + 1):
                runs = {impl: run_mlp_worker(row, impl, samples, label) for impl in order}
                attempts.append((probe_spread(runs.values()), runs))
                spread = attempts[-1][0]
                if spread is None or spread <= PROBE_SPREAD_LIMIT:
                    break
                if retry < UNSTEADY_RETRIES:
                    row["unsteady_retries"] += 1
                    progress(f"{label}: machine speed varied {spread:.2f}x; running it again")
            spread, runs = min(attempts, key=lambda attempt: attempt[0] or 0.0)
            row["probe_spread"].append(spread)
            for impl, (seconds, share, _) in runs.items():
                row["seconds"][impl].append(seconds)
                row["other_cpu_share"][impl].append(share)

    for row in rows:
        # Times from rounds that other processes disturbed (even after the retries) are left
        # out of the medians and ratios, unless that would leave nothing.
        kept = {
            impl: undisturbed(row["seconds"][impl], row["other_cpu_share"][impl])
            for impl in implementations
        }
        row["disturbed_runs_left_out"] = {
            impl: sum(v is not None for v in row["seconds"][impl])
            - sum(v is not None for v in kept[impl])
            for impl in implementations
        }
        mine, sklearn_times = kept.get("minitorch", []), kept.get("sklearn", [])
        row["median_seconds"] = {impl: median_or_none(values) for impl, values in kept.items()}
        row["minitorch_over_numpy"] = ratio_median(mine, kept.get("numpy", []))
        row["minitorch_over_torch"] = ratio_median(mine, kept.get("torch", []))
        row["sklearn_over_minitorch"] = ratio_median(sklearn_times, mine)
        row["sklearn_f64_over_minitorch"] = ratio_median(kept.get("sklearn-f64", []), mine)
        # Context for the sklearn target: the most any implementation could beat sklearn by.
        row["sklearn_over_matmuls"] = ratio_median(sklearn_times, kept.get("matmuls", []))
    return {"rounds": rounds, "samples": samples, "rows": rows}


def run_mlp_worker(
    row: dict, impl: str, samples: int, label: str
) -> tuple[float | None, float | None, list[float]]:
    """One epoch of `impl` on the row's network: seconds, other processes' CPU share and
    the speed probes (None, None, [] once the implementation has failed on this row)."""
    if impl in row["errors"]:
        return None, None, []
    script, *options = MLP_WORKERS[impl]
    args = [*options, "--net", row["net"], "--opt", row["opt"], "--samples", str(samples)]
    result = run_timing_worker(script, args, f"{label} {impl}")
    if "error" in result:
        row["errors"][impl] = result["error"]
        progress(f"{label} {impl}: error: {result['error']}")
        return None, None, []
    row["data"] = result["data"]
    seconds = result["epoch_seconds"][0]
    progress(f"{label} {impl}: {seconds:.3f} s")
    return seconds, result["other_cpu_share"], result.get("probe_seconds", [])


def probe_spread(runs: Iterable[tuple[float | None, float | None, list[float]]]) -> float | None:
    """Slowest over fastest speed probe across a set of runs (1.0 = the same speed)."""
    probes = [probe for _, _, run_probes in runs for probe in run_probes]
    return max(probes) / min(probes) if probes and min(probes) > 0 else None


def undisturbed(
    seconds: Sequence[float | None], shares: Sequence[float | None]
) -> list[float | None]:
    """The times whose run other processes left alone (None in place of the others)."""
    kept = [
        value if share is None or share <= NOISY_CPU_SHARE else None
        for value, share in zip(seconds, shares, strict=True)
    ]
    return kept if any(value is not None for value in kept) else list(seconds)


def bench_micro(task: str, quick: bool) -> dict:
    results = {}
    for impl in ("minitorch", "torch"):
        if impl == "torch" and not importlib.util.find_spec("torch"):
            continue
        args = ["--impl", impl, "--task", task] + (["--quick"] if quick else [])
        results[impl] = run_timing_worker("bench_micro.py", args, f"[{task}] {impl}")
        progress(f"[{task}] {impl}: {results[impl]}")
    return results


def bench_memory(samples: int) -> dict:
    results = {}
    for impl in ("minitorch", "numpy"):
        args = [
            "--net",
            MEMORY_NET,
            "--opt",
            MEMORY_OPT,
            "--epochs",
            str(MEMORY_EPOCHS),
            "--samples",
            str(samples),
        ]
        result = run_worker(MLP_WORKERS[impl][0], args)
        if "error" not in result:
            rss = result["rss_after_epoch_bytes"]
            result["rss_epoch2_bytes"], result["rss_epoch10_bytes"] = rss[1], rss[-1]
            result["rss_growth"] = (rss[-1] - rss[1]) / rss[1] if rss[1] else None
        results[impl] = result
        progress(
            f"[memory] {impl}: peak {result.get('peak_rss_bytes')} bytes"
            if "error" not in result
            else f"[memory] {impl}: error: {result['error']}"
        )
    return {
        "samples": samples,
        "epochs": MEMORY_EPOCHS,
        "net": MEMORY_NET,
        "opt": MEMORY_OPT,
        "results": results,
    }


# ----- targets -----------------------------------------------------------------------------------


def number(value: object) -> float | None:
    """A measured number, or None for a missing value or an error entry."""
    return value if isinstance(value, (int, float)) else None


def judge(
    name: str, values: Sequence[float | None], passes: Callable[[float], bool], shown: str
) -> dict:
    """Met only when every value was measured and every one passes."""
    if not values or any(v is None for v in values):
        status = "not measured"
    else:
        status = "met" if all(passes(v) for v in values) else "not met"
    return {"target": name, "status": status, "measured": shown}


def fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "n/a" if value is None else pattern.format(value)


def evaluate_targets(results: dict) -> list[dict]:
    targets = []
    mlp_rows = results.get("mlp", {}).get("rows", [])

    def row_values(key: str) -> list[float | None]:
        return [row[key] for row in mlp_rows]

    for key, name, passes in (
        (
            "minitorch_over_numpy",
            f"minitorch/numpy epoch time <= {TARGET_VS_NUMPY:.2f} on every MLP row",
            lambda v: v <= TARGET_VS_NUMPY,
        ),
        (
            "minitorch_over_torch",
            f"minitorch/torch epoch time <= {TARGET_VS_TORCH:.2f} on every MLP row",
            lambda v: v <= TARGET_VS_TORCH,
        ),
        (
            "sklearn_over_minitorch",
            f"sklearn/minitorch epoch time >= {TARGET_SKLEARN_SLOWDOWN:.1f} on every MLP row, "
            "sklearn given the same float32 data",
            lambda v: v >= TARGET_SKLEARN_SLOWDOWN,
        ),
        (
            "sklearn_f64_over_minitorch",
            f"sklearn/minitorch epoch time >= {TARGET_SKLEARN_SLOWDOWN:.1f} on every MLP row, "
            "sklearn given the data as float64",
            lambda v: v >= TARGET_SKLEARN_SLOWDOWN,
        ),
    ):
        values = row_values(key)
        targets.append(judge(name, values, passes, ", ".join(fmt(v) for v in values) or "n/a"))

    overhead = results.get("overhead", {}).get("minitorch", {})
    small = number(overhead.get("small_graph_fwd_bwd_us"))
    targets.append(
        judge(
            f"(a*b + a).sum() forward+backward <= {TARGET_SMALL_GRAPH_US:.0f} us",
            [small],
            lambda v: v <= TARGET_SMALL_GRAPH_US,
            fmt(small, "{:.1f} us"),
        )
    )

    deep = results.get("deep", {}).get("minitorch", {})
    backward = number(deep.get("backward_s"))
    targets.append(
        judge(
            f"100k-op chain backward < {TARGET_CHAIN_BACKWARD_S:.0f} s",
            [backward],
            lambda v: v < TARGET_CHAIN_BACKWARD_S,
            fmt(backward, "{:.3f} s"),
        )
    )

    memory = results.get("memory", {}).get("results", {})
    mine, numpy_run = memory.get("minitorch", {}), memory.get("numpy", {})
    growth = number(mine.get("rss_growth"))
    targets.append(
        judge(
            f"minitorch RSS after epoch 10 within {TARGET_RSS_GROWTH:.0%} of epoch 2",
            [growth],
            lambda v: v <= TARGET_RSS_GROWTH,
            fmt(growth, "{:+.1%}"),
        )
    )
    mine_peak, numpy_peak = (
        number(mine.get("peak_rss_bytes")),
        number(numpy_run.get("peak_rss_bytes")),
    )
    peak_ratio = mine_peak / numpy_peak if mine_peak and numpy_peak else None
    targets.append(
        judge(
            f"minitorch peak RSS <= {TARGET_PEAK_VS_NUMPY}x numpy's",
            [peak_ratio],
            lambda v: v <= TARGET_PEAK_VS_NUMPY,
            fmt(peak_ratio, "{:.2f}x"),
        )
    )
    return targets


# ----- report ------------------------------------------------------------------------------------


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def environment() -> dict:
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": package_version("numpy"),
        "scikit-learn": package_version("scikit-learn"),
        "torch": package_version("torch"),
        "minitorch": package_version("minitorch"),
        "threads": THREADS,
        "load_average_1min_at_start": load_average(),
    }


def mib(value: object) -> str:
    size = number(value)
    return fmt(None if size is None else size / 2**20, "{:.0f}")


def micro_cell(results: dict, impl: str, key: str, pattern: str) -> str:
    """One micro-benchmark number, or the error that kept it from being measured."""
    worker = results.get(impl, {})
    value = worker.get(key, worker)
    if isinstance(value, dict) and "error" in value:
        return f"error: {value['error']}"
    return fmt(number(value), pattern)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], text_columns: int = 1) -> list[str]:
    """Markdown table; columns after the first `text_columns` are right-aligned numbers."""
    alignment = ["---" if i < text_columns else "---:" for i in range(len(header))]
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(alignment) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


IMPL_NOTES = {
    "sklearn": "MLPClassifier given the same float32 arrays as the others (it then computes "
    "in float32)",
    "sklearn-f64": "MLPClassifier given the data as float64",
    "matmuls": "the network's matrix products alone, a floor under every implementation",
}

RATIO_COLUMNS = {
    "minitorch_over_numpy": "minitorch/numpy",
    "minitorch_over_torch": "minitorch/torch",
    "sklearn_over_minitorch": "sklearn/minitorch",
    "sklearn_f64_over_minitorch": "sklearn-f64/minitorch",
    "sklearn_over_matmuls": "sklearn/matmuls",
}


def mlp_section(mlp: dict) -> list[str]:
    implementations = list(mlp["rows"][0]["seconds"]) if mlp["rows"] else []
    data = ", ".join(sorted({row.get("data") for row in mlp["rows"]} - {None})) or "no"
    rows = []
    for row in mlp["rows"]:
        times = [
            "error" if impl in row["errors"] else fmt(row["median_seconds"][impl], "{:.3f}")
            for impl in implementations
        ]
        ratios = [fmt(row[key]) for key in RATIO_COLUMNS]
        rows.append([row["net"], row["opt"], *times, *ratios])
    lines = [
        f"## MLP training: seconds per epoch ({mlp['samples']} samples of {data} data, "
        f"batch 128, median of {mlp['rounds']} rounds; ratios are medians of per-round ratios)",
        "",
        *table(["network", "optimizer", *implementations, *RATIO_COLUMNS.values()], rows, 2),
    ]
    notes = [f"{impl}: {IMPL_NOTES[impl]}" for impl in implementations if impl in IMPL_NOTES]
    if notes:
        lines += ["", "; ".join(notes) + "."]
    spreads = [spread for row in mlp["rows"] for spread in row["probe_spread"] if spread]
    if spreads:
        retried = sum(row["unsteady_retries"] for row in mlp["rows"])
        lines.append(
            f"\nMachine speed (a fixed matrix-product probe before and after each run) varied "
            f"by at most {max(spreads):.2f}x among the runs of a row's round (median "
            f"{statistics.median(spreads):.2f}x); {retried} row round(s) were run again "
            f"because it varied by more than {PROBE_SPREAD_LIMIT:.2f}x."
        )
    left_out = sum(sum(row["disturbed_runs_left_out"].values()) for row in mlp["rows"])
    if left_out:
        lines.append(
            f"\n{left_out} run(s) during which other processes used more than "
            f"{NOISY_CPU_SHARE:.0%} of the CPUs were left out of the medians and ratios."
        )
    errors = sorted({(impl, error) for row in mlp["rows"] for impl, error in row["errors"].items()})
    lines += [f"\n{impl} did not run: `{error}`" for impl, error in errors]
    return lines


def overhead_section(overhead: dict) -> list[str]:
    implementations = list(overhead)
    measurements = {
        "small_graph_fwd_bwd_us": "(a*b + a).sum() forward+backward, 10x10 float32",
        "mlp_step_sgd_us": "training step, 64-32-10 MLP, batch 32, SGD",
        "mlp_step_adam_us": "training step, 64-32-10 MLP, batch 32, Adam",
    }
    rows = [
        [label, *(micro_cell(overhead, impl, key, "{:.1f}") for impl in implementations)]
        for key, label in measurements.items()
    ]
    return [
        "## Per-operation overhead (median microseconds)",
        "",
        *table(["measurement", *implementations], rows),
    ]


def deep_section(deep: dict) -> list[str]:
    implementations = list(deep)
    length = next((r["length"] for r in deep.values() if "length" in r), "?")
    rows = [
        [phase, *(micro_cell(deep, impl, f"{phase}_s", "{:.3f}") for impl in implementations)]
        for phase in ("forward", "backward")
    ]
    return [
        f"## Deep graph: a chain of {length} `x * 1.0001` ops on a 1-element tensor (seconds)",
        "",
        *table(["phase", *implementations], rows),
    ]


def memory_section(memory: dict) -> list[str]:
    rows = []
    for impl, result in memory["results"].items():
        if "error" in result:
            rows.append([impl, f"error: {result['error']}", "", "", ""])
            continue
        rows.append(
            [
                impl,
                mib(result["peak_rss_bytes"]),
                mib(result["rss_epoch2_bytes"]),
                mib(result["rss_epoch10_bytes"]),
                fmt(number(result["rss_growth"]), "{:+.1%}"),
            ]
        )
    header = ["implementation", "peak RSS", "RSS after epoch 2", "RSS after epoch 10", "growth"]
    return [
        f"## Memory: {memory['epochs']} epochs of {memory['net']} {memory['opt']} on "
        f"{memory['samples']} samples (MiB)",
        "",
        *table(header, rows),
    ]


def other_cpu_shares(results: dict) -> list[float | None]:
    """The other-process CPU share recorded for every worker run in the results."""
    shares = []
    for row in results.get("mlp", {}).get("rows", []):
        for values in row["other_cpu_share"].values():
            shares += values
    for section in ("overhead", "deep"):
        shares += [r.get("other_cpu_share") for r in results.get(section, {}).values()]
    shares += [
        r.get("other_cpu_share") for r in results.get("memory", {}).get("results", {}).values()
    ]
    return shares


def markdown_report(results: dict) -> str:
    env = results["environment"]
    lines = [
        "# minitorch benchmarks",
        "",
        f"- {env['date']}; {env['cpu_count']} CPUs ({env['cpu_model']}); "
        f"{env['threads']} BLAS/OpenMP threads per worker.",
        f"- Python {env['python']}, NumPy {env['numpy']}, scikit-learn {env['scikit-learn']}, "
        f"torch {env['torch']}, minitorch {env['minitorch']}.",
        f"- 1-minute load average {env['load_average_1min_at_start']} at start, "
        f"{env['load_average_1min_at_end']} at end.",
    ]
    shares = [share for share in other_cpu_shares(results) if share is not None]
    if shares:
        lines.append(
            f"- Other processes used {statistics.median(shares):.0%} of the CPUs (median over "
            f"worker runs; worst run {max(shares):.0%}) while the workers ran."
        )
        if max(shares) > NOISY_CPU_SHARE:
            lines += [
                "",
                "**Other processes competed for the CPUs during some runs. Such runs were "
                "repeated, and MLP runs still disturbed were left out of the medians, but "
                "absolute times may still be inflated: the ratios are the steadier numbers.**",
            ]
    sections = (
        ("mlp", mlp_section),
        ("overhead", overhead_section),
        ("deep", deep_section),
        ("memory", memory_section),
    )
    for key, section in sections:
        if key in results:
            lines += ["", *section(results[key])]
    target_rows = [[t["target"], t["measured"], t["status"]] for t in results["targets"]]
    lines += ["", "## Targets", "", *table(["target", "measured", "status"], target_rows, 3)]
    return "\n".join(lines) + "\n"


def write_results(results: dict, markdown: str) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "latest.md").write_text(markdown)
    # Write-then-rename so a reader never sees half a JSON file.
    temporary = RESULTS_DIR / "latest.json.tmp"
    temporary.write_text(json.dumps(results, indent=2) + "\n")
    os.replace(temporary, RESULTS_DIR / "latest.json")


# ----- command line -----------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="minitorch benchmarks")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1 round, fewer micro repeats, memory run on 12,800 samples",
    )
    parser.add_argument("--rounds", type=int, help="MLP rounds (default 5, or 1 with --quick)")
    parser.add_argument("--only", help="comma-separated sections: " + ", ".join(SECTIONS))
    parser.add_argument(
        "--impls",
        default=",".join(MLP_WORKERS),
        help="comma-separated MLP implementations (default: all available)",
    )
    parser.add_argument("--samples", type=int, default=FULL_SAMPLES, help="MLP samples per epoch")
    parser.add_argument("--check", action="store_true", help="run the worker self-check and exit")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.check:
        return subprocess.run(
            [sys.executable, str(BENCH_DIR / "check.py")], env=worker_env()
        ).returncode

    sections = args.only.split(",") if args.only else list(SECTIONS)
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        sys.exit(f"unknown section(s) {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    implementations = [impl for impl in args.impls.split(",") if impl]
    unknown = set(implementations) - set(MLP_WORKERS)
    if unknown:
        sys.exit(
            f"unknown implementation(s) {sorted(unknown)}; choose from {', '.join(MLP_WORKERS)}"
        )
    if "torch" in implementations and not importlib.util.find_spec("torch"):
        progress("torch is not installed: skipping the torch rows")
        implementations.remove("torch")
    rounds = args.rounds or (1 if args.quick else 5)

    results: dict = {
        "environment": environment(),
        "settings": {"quick": args.quick, "rounds": rounds, "sections": sections},
    }
    if "mlp" in sections and implementations:
        results["mlp"] = bench_mlp(implementations, rounds, args.samples)
    if "overhead" in sections:
        results["overhead"] = bench_micro("overhead", args.quick)
    if "deep" in sections:
        results["deep"] = bench_micro("deep", args.quick)
    if "memory" in sections:
        results["memory"] = bench_memory(MEMORY_QUICK_SAMPLES if args.quick else FULL_SAMPLES)
    results["environment"]["load_average_1min_at_end"] = load_average()
    results["targets"] = evaluate_targets(results)

    markdown = markdown_report(results)
    print(markdown)
    write_results(results, markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
