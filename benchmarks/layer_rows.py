"""The driver that layer benchmarks share (``bench_conv.py``, ``bench_recurrent.py``): every
implementation of a row times its forward + backward step in its own fresh process, with the
BLAS/OpenMP thread count of its column, and reports the median of ``--repeats`` steps after
warm-up. A round runs every implementation of a row once, in an order rotated from round to
round; the ratios are medians of the per-round ratios (runs of one round saw the same machine
conditions). PyTorch is optional: without it its columns are left out.

A benchmark script defines its rows and, for each implementation, a function that builds a
row's step, and calls :func:`main` with them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

from workers import worker_env

WARMUP = 3

# A step runs forward and backward once.
Step = Callable[[], object]


def run_worker(build: Callable[[str], Step], row: str, repeats: int) -> None:
    """Time ``repeats`` steps after warm-up and print their median as one JSON line."""
    step = build(row)
    for _ in range(WARMUP):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(json.dumps({"seconds": statistics.median(times)}))


def measure(script: str, implementation: str, row: str, repeats: int,
            threads: int) -> float | None:
    env = worker_env(threads)  # this checkout's minitorch, the thread count, the malloc settings
    command = [sys.executable, script, "--worker", implementation, "--row", row,
               "--repeats", str(repeats)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        print(f"{implementation} on {row} failed:\n{done.stderr}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def median_ratio(rounds: list[dict[str, float | None]], top: str, bottom: str) -> float:
    ratios = [r[top] / r[bottom] for r in rounds if r.get(top) and r.get(bottom)]
    return statistics.median(ratios) if ratios else float("nan")


def main(script: str, doc: str, rows: Sequence[str], steps: dict[str, Callable[[str], Step]],
         setting: str, default_repeats: int = 10) -> None:
    """The command line of a layer benchmark: ``--rounds``, ``--repeats``, ``--threads``,
    ``--only``; ``setting`` says what every row shares (batch, dtype) in the table's title.
    The first implementation of ``steps`` is minitorch, the one every ratio is of."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=default_repeats,
                        help="timed steps per process")
    parser.add_argument("--threads", default="1,2",
                        help="comma-separated BLAS/OpenMP thread counts (default 1,2)")
    parser.add_argument("--only", help="run the rows whose name contains this text")
    parser.add_argument("--worker", choices=list(steps), help=argparse.SUPPRESS)
    parser.add_argument("--row", choices=list(rows), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(steps[args.worker], args.row, args.repeats)
        return

    has_torch = importlib.util.find_spec("torch") is not None
    implementations = [i for i in steps if i != "torch" or has_torch]
    ours = implementations[0]
    thread_counts = [int(t) for t in args.threads.split(",")]
    chosen = [name for name in rows if not args.only or args.only in name]
    print(
        f"Forward + backward, {setting}; medians in ms over {args.rounds} rounds of "
        f"{args.repeats} steps; ratios are medians of per-round ratios; load average "
        f"{os.getloadavg()[0]:.1f}\n"
    )
    header = ["layer"]
    for threads in thread_counts:
        header += [f"{i} ms ({threads}t)" for i in implementations]
        header += [f"{ours}/{i} ({threads}t)" for i in implementations[1:]]
    print("| " + " | ".join(header) + " |")
    print("|---|" + "---:|" * (len(header) - 1))
    for row_name in chosen:
        row = [row_name]
        for threads in thread_counts:
            rounds = []
            for round_index in range(args.rounds):
                shift = round_index % len(implementations)
                order = implementations[shift:] + implementations[:shift]
                rounds.append({i: measure(script, i, row_name, args.repeats, threads)
                               for i in order})
            for i in implementations:
                times = [r[i] for r in rounds if r[i] is not None]
                row.append(f"{statistics.median(times) * 1e3:.1f}" if times else "error")
            row += [f"{median_ratio(rounds, ours, i):.2f}" for i in implementations[1:]]
        print("| " + " | ".join(row) + " |", flush=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
