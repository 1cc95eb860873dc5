"""Keeping other processes' work out of the timings.

With as many BLAS threads as cores, one competing process slows matrix products many times
over, and on a virtual machine the host can slow the whole guest for minutes without any trace
in the CPU counters. So: wait for quiet CPUs before a worker starts; run a disturbed run
again; leave runs still disturbed out of the medians; and, from the machine-speed probes each
epoch worker times before and after its epoch, tell whether the runs being compared saw the
same speed.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterable, Sequence

from cpu_share import OtherCpuMeter
from results import EpochRun, WorkerRun
from workers import progress, run_worker

# Before each worker, wait up to QUIET_WAIT_S for other processes to use less than
# QUIET_CPU_SHARE of the machine (probed over QUIET_PROBE_S).
QUIET_WAIT_S = 5.0
QUIET_CPU_SHARE = 0.15
QUIET_PROBE_S = 0.25
# A timing run during which other processes took more than NOISY_CPU_SHARE of the CPUs is
# repeated, up to NOISY_RETRIES times; the share of every kept run is reported.
NOISY_CPU_SHARE = 0.10
NOISY_RETRIES = 2
# A round whose runs' machine-speed probes differ by more than this factor is run again, up
# to UNSTEADY_RETRIES times.
PROBE_SPREAD_LIMIT = 1.15
UNSTEADY_RETRIES = 2


def wait_for_quiet_cpus(max_wait_s: float = QUIET_WAIT_S) -> None:
    """Give other processes' bursts (a test run, a build) up to ``max_wait_s`` to finish."""
    deadline = time.monotonic() + max_wait_s
    while time.monotonic() < deadline:
        meter = OtherCpuMeter(resource.RUSAGE_CHILDREN)
        time.sleep(QUIET_PROBE_S)
        share = meter.share()
        if share is None or share < QUIET_CPU_SHARE:
            return


def run_quiet_worker(script: str, args: Sequence[str], threads: int) -> WorkerRun:
    """run_worker once the CPUs are quiet."""
    wait_for_quiet_cpus()
    return run_worker(script, args, threads)


def run_timing_worker(script: str, args: Sequence[str], threads: int, label: str) -> WorkerRun:
    """run_quiet_worker, repeated (a few times at most) while other processes disturbed it."""
    run = run_quiet_worker(script, args, threads)
    while run.noisy_retries < NOISY_RETRIES and (run.other_cpu_share or 0) > NOISY_CPU_SHARE:
        progress(f"{label}: other processes used {run.other_cpu_share:.0%} of the CPUs; "
                 "running it again")
        retries = run.noisy_retries + 1
        run = run_quiet_worker(script, args, threads)
        run.noisy_retries = retries
    return run


def probe_spread(runs: Iterable[EpochRun]) -> float | None:
    """Slowest over fastest speed probe across a set of runs (1.0 = the same speed)."""
    probes = [probe for run in runs for probe in run.probe_seconds]
    return max(probes) / min(probes) if probes and min(probes) > 0 else None


def undisturbed(runs: Sequence[EpochRun]) -> list[float | None]:
    """Each run's seconds, None for a run other processes disturbed, unless that would
    leave nothing."""
    kept = [
        run.seconds if run.other_cpu_share is None or run.other_cpu_share <= NOISY_CPU_SHARE
        else None
        for run in runs
    ]
    return kept if any(value is not None for value in kept) else [run.seconds for run in runs]
