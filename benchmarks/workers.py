"""Running one benchmark worker: a fresh process of a script beside this file, with the same
BLAS/OpenMP thread count whatever the caller's shell says, whose last stdout line is a JSON
object. This module imports no numerical library."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from cpu_share import OtherCpuMeter
from results import WorkerRun

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# The malloc settings minitorch applies when imported (minitorch/memory.py), given to every
# worker: with glibc's defaults, whether a worker faults its arrays in again every step
# depends on chance details of its heap, which changed epoch times up to 2x between runs.
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}
WORKER_TIMEOUT_S = 900


def worker_env(threads: int) -> dict[str, str]:
    """The caller's environment with the thread count and the malloc settings set, and this
    checkout first on the import path: the minitorch measured is the one beside the
    benchmarks, even where another copy is installed (an editable install of another
    checkout, say)."""
    env = dict(os.environ) | MALLOC_ENV
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    for name in THREAD_ENV_VARS:
        env[name] = str(threads)
    return env


def run_worker(script: str, args: Sequence[str], threads: int) -> WorkerRun:
    """Run ``script`` with ``args`` and ``--threads``; what it reported, or why it did not.

    Unless the worker measured it itself over the part it times, the share of the CPUs other
    processes used is measured over the whole run.
    """
    command = [sys.executable, str(BENCH_DIR / script), *args, "--threads", str(threads)]
    meter = OtherCpuMeter(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=worker_env(threads),
                              timeout=WORKER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return WorkerRun(error=f"timed out after {WORKER_TIMEOUT_S} s")
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        stderr_lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        return WorkerRun(error=stderr_lines[-1][:300])
    reported = json.loads(lines[-1])
    share = reported.get("other_cpu_share")
    return WorkerRun(reported, other_cpu_share=meter.share() if share is None else share)


def run_check(threads: int) -> int:
    """The workers' self-check (check.py); its exit status."""
    return subprocess.run([sys.executable, str(BENCH_DIR / "check.py")],
                          env=worker_env(threads)).returncode


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
