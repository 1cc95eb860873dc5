"""Run the minitorch benchmarks and write benchmarks/results/latest.{md,json}.

    python benchmarks/run.py                 # everything (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick         # one round, smaller runs (about 3 minutes)
    python benchmarks/run.py --only mlp      # sections: mlp, cnn, overhead, deep, memory
    python benchmarks/run.py --check         # fast self-check of the workers, then exit

Every measurement runs in a fresh worker process (so no library warms up or fragments
another's heap) with the same thread settings; this script itself imports no numerical
library. The work is split by job: workers.py runs a worker process, noise.py keeps other
processes' load out of the timings, stats.py has the medians and ratios, targets.py judges
the results and report.py writes them; results.py defines what they pass to each other.
See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import os
import platform
import sys
from collections.abc import Callable, Sequence

from noise import (
    NOISY_RETRIES,
    PROBE_SPREAD_LIMIT,
    UNSTEADY_RETRIES,
    probe_spread,
    run_quiet_worker,
    run_timing_worker,
    undisturbed,
)
from report import markdown_report, write_results
from results import (
    CnnRow,
    CnnSection,
    Environment,
    EpochRun,
    MemoryRun,
    MemorySection,
    MicroRun,
    MlpRatios,
    MlpRow,
    MlpSection,
    Results,
    WorkerRun,
)
from stats import median_or_none, ratio_median, rotated
from targets import evaluate_targets
from workers import progress, run_check

THREADS = 2
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
CNN_IMPLEMENTATIONS = ("minitorch", "torch")
CNN_THREADS = (1, 2)
CNN_SAMPLES, CNN_QUICK_SAMPLES = 8_000, 2_000
SECTIONS = ("mlp", "cnn", "overhead", "deep", "memory")
MICRO_MEASUREMENTS = {
    "overhead": ("small_graph_fwd_bwd_us", "mlp_step_sgd_us", "mlp_step_adam_us"),
    "deep": ("length", "forward_s", "backward_s"),
}

FULL_SAMPLES = 60_000
MEMORY_EPOCHS = 10
MEMORY_QUICK_SAMPLES = 12_800
MEMORY_NET, MEMORY_OPT = "784-256-128-10", "adam"

# Runs one epoch of an implementation in a worker: (implementation, label for the log).
RunEpoch = Callable[[str, str], WorkerRun]


def run_rounds(
    label: str, implementations: Sequence[str], rounds: int, shift: int,
    run_epoch: RunEpoch, errors: dict[str, str],
) -> tuple[dict[str, list[EpochRun]], list[float | None], int]:
    """``rounds`` rounds of one epoch per implementation, in an order rotated each round.

    The ratios compare the implementations within a round, so their runs must see the same
    machine speed: when their speed probes differ by more than PROBE_SPREAD_LIMIT, the round
    is run again (at most UNSTEADY_RETRIES times) and the steadiest attempt is kept. Returns
    each implementation's runs, each round's probe spread and the number of rounds rerun.
    """
    runs: dict[str, list[EpochRun]] = {impl: [] for impl in implementations}
    spreads: list[float | None] = []
    reruns = 0
    for round_index in range(rounds):
        order = rotated(implementations, round_index + shift)
        round_label = f"[{label} {round_index + 1}/{rounds}]"
        attempts = []
        for retry in range(UNSTEADY_RETRIES + 1):
            attempt = {}
            for impl in order:
                if impl in errors:
                    attempt[impl] = EpochRun(error=errors[impl])
                    continue
                run = EpochRun.from_worker(run_epoch(impl, f"{round_label} {impl}"))
                if run.error is not None:
                    errors[impl] = run.error
                    progress(f"{round_label} {impl}: error: {run.error}")
                else:
                    progress(f"{round_label} {impl}: {run.seconds:.3f} s")
                attempt[impl] = run
            spread = probe_spread(attempt.values())
            attempts.append((spread, attempt))
            if spread is None or spread <= PROBE_SPREAD_LIMIT:
                break
            if retry < UNSTEADY_RETRIES:
                reruns += 1
                progress(f"{round_label}: machine speed varied {spread:.2f}x; running it again")
        spread, attempt = min(attempts, key=lambda item: item[0] or 0.0)
        spreads.append(spread)
        for impl in implementations:
            runs[impl].append(attempt[impl])
    return runs, spreads, reruns


def bench_mlp(implementations: Sequence[str], rounds: int, samples: int) -> MlpSection:
    """One epoch per worker process for every network and optimizer, round by round."""
    rows = []
    for row_index, (net, opt) in enumerate((n, o) for n in NETWORKS for o in OPTIMIZERS):
        errors: dict[str, str] = {}

        def run_epoch(impl: str, label: str, net: str = net, opt: str = opt) -> WorkerRun:
            script, *options = MLP_WORKERS[impl]
            args = [*options, "--net", net, "--opt", opt, "--samples", str(samples)]
            return run_timing_worker(script, args, THREADS, label)

        runs, spreads, reruns = run_rounds(f"mlp {net} {opt}", implementations, rounds,
                                           row_index, run_epoch, errors)
        row = MlpRow(net, opt, runs, spreads, reruns, errors)
        # Times from rounds that other processes disturbed (even after the retries) are left
        # out of the medians and ratios, unless that would leave nothing.
        kept = {impl: undisturbed(impl_runs) for impl, impl_runs in runs.items()}
        row.disturbed_runs_left_out = {
            impl: sum(r.seconds is not None for r in runs[impl])
            - sum(v is not None for v in kept[impl])
            for impl in implementations
        }
        row.median_seconds = {impl: median_or_none(values) for impl, values in kept.items()}
        mine, sklearn_times = kept.get("minitorch", []), kept.get("sklearn", [])
        row.ratios = MlpRatios(
            minitorch_over_numpy=ratio_median(mine, kept.get("numpy", [])),
            minitorch_over_torch=ratio_median(mine, kept.get("torch", [])),
            sklearn_over_minitorch=ratio_median(sklearn_times, mine),
            sklearn_f64_over_minitorch=ratio_median(kept.get("sklearn-f64", []), mine),
            # Context for the sklearn target: the most any implementation could beat it by.
            sklearn_over_matmuls=ratio_median(sklearn_times, kept.get("matmuls", [])),
        )
        rows.append(row)
    return MlpSection(rounds, samples, rows)


def bench_cnn(implementations: Sequence[str], rounds: int, samples: int) -> CnnSection:
    """The CNN epoch (bench_cnn.py) with each thread count: time and peak memory."""
    rows = []
    for threads in CNN_THREADS:
        errors: dict[str, str] = {}

        def run_epoch(impl: str, label: str, threads: int = threads) -> WorkerRun:
            args = ["--impl", impl, "--samples", str(samples)]
            return run_timing_worker("bench_cnn.py", args, threads, label)

        runs, _, _ = run_rounds(f"cnn {threads} thread(s)", implementations, rounds, 0,
                                run_epoch, errors)
        row = CnnRow(threads, runs, errors)
        kept = {impl: undisturbed(impl_runs) for impl, impl_runs in runs.items()}
        row.median_seconds = {impl: median_or_none(values) for impl, values in kept.items()}
        row.minitorch_over_torch = ratio_median(kept.get("minitorch", []), kept.get("torch", []))
        row.median_peak_rss_bytes = {
            impl: median_or_none([r.peak_rss_bytes for r in impl_runs])
            for impl, impl_runs in runs.items()
        }
        row.median_training_rss_bytes = {
            impl: median_or_none([r.training_rss_bytes for r in impl_runs])
            for impl, impl_runs in runs.items()
        }
        rows.append(row)
    return CnnSection(rounds, samples, rows)


def bench_micro(task: str, quick: bool) -> dict[str, MicroRun]:
    results = {}
    for impl in ("minitorch", "torch"):
        if impl == "torch" and not importlib.util.find_spec("torch"):
            continue
        args = ["--impl", impl, "--task", task] + (["--quick"] if quick else [])
        run = run_timing_worker("bench_micro.py", args, THREADS, f"[{task}] {impl}")
        results[impl] = MicroRun.from_worker(run, MICRO_MEASUREMENTS[task])
        progress(f"[{task}] {impl}: {results[impl]}")
    return results


def bench_memory(samples: int) -> MemorySection:
    runs = {}
    for impl in ("minitorch", "numpy", "torch"):
        if impl == "torch" and not importlib.util.find_spec("torch"):
            continue
        args = ["--net", MEMORY_NET, "--opt", MEMORY_OPT, "--epochs", str(MEMORY_EPOCHS),
                "--samples", str(samples)]
        runs[impl] = MemoryRun.from_worker(run_quiet_worker(MLP_WORKERS[impl][0], args, THREADS))
        progress(f"[memory] {impl}: {runs[impl].error or runs[impl].peak_rss_bytes}")
    return MemorySection(samples, MEMORY_EPOCHS, MEMORY_NET, MEMORY_OPT, runs)


# ----- environment and command line -------------------------------------------------------


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


def environment() -> Environment:
    return Environment(
        date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        cpu_count=os.cpu_count(),
        cpu_model=cpu_model(),
        platform=platform.platform(),
        python=platform.python_version(),
        versions={name: package_version(name) for name in
                  ("numpy", "scikit-learn", "torch", "minitorch")},
        threads=THREADS,
        load_average_at_start=load_average(),
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="minitorch benchmarks")
    parser.add_argument("--quick", action="store_true",
                        help="1 round, fewer micro repeats, smaller CNN and memory runs")
    parser.add_argument("--rounds", type=int,
                        help="MLP and CNN rounds (default 5 and 3, or 1 with --quick)")
    parser.add_argument("--only", help="comma-separated sections: " + ", ".join(SECTIONS))
    parser.add_argument("--impls", default=",".join(MLP_WORKERS),
                        help="comma-separated MLP implementations (default: all available)")
    parser.add_argument("--samples", type=int, default=FULL_SAMPLES, help="MLP samples per epoch")
    parser.add_argument("--check", action="store_true", help="run the worker self-check and exit")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.check:
        return run_check(THREADS)
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
    has_torch = importlib.util.find_spec("torch") is not None
    if not has_torch:
        progress("torch is not installed: skipping the torch columns")
    implementations = [impl for impl in implementations if impl != "torch" or has_torch]
    cnn_implementations = [impl for impl in CNN_IMPLEMENTATIONS if impl != "torch" or has_torch]
    settings = {"quick": args.quick, "rounds": args.rounds, "sections": sections,
                "noisy_retries": NOISY_RETRIES}

    results = Results(environment(), settings)
    if "mlp" in sections and implementations:
        results.mlp = bench_mlp(implementations, args.rounds or (1 if args.quick else 5),
                                args.samples)
    if "cnn" in sections:
        results.cnn = bench_cnn(cnn_implementations, args.rounds or (1 if args.quick else 3),
                                CNN_QUICK_SAMPLES if args.quick else CNN_SAMPLES)
    if "overhead" in sections:
        results.overhead = bench_micro("overhead", args.quick)
    if "deep" in sections:
        results.deep = bench_micro("deep", args.quick)
    if "memory" in sections:
        results.memory = bench_memory(MEMORY_QUICK_SAMPLES if args.quick else FULL_SAMPLES)
    results.environment.load_average_at_end = load_average()
    results.targets = evaluate_targets(results)

    markdown = markdown_report(results)
    print(markdown)
    write_results(results, markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
