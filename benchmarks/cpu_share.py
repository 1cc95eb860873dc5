"""How much of the machine other processes used during a measurement (Linux; stdlib only).

The benchmarks run as many BLAS threads as there are cores, so a competing process slows
matrix products many times over; measuring its CPU use lets a run be flagged and repeated.
"""

from __future__ import annotations

import os
import resource
import time


def busy_cpu_seconds() -> float | None:
    """CPU seconds all processes have spent busy since boot, from /proc/stat; None elsewhere."""
    try:
        with open("/proc/stat") as f:
            fields = [int(value) for value in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class OtherCpuMeter:
    """Share of all CPUs used by other processes since start().

    `who` says whose CPU time is ours: resource.RUSAGE_SELF inside a worker (all its
    threads), resource.RUSAGE_CHILDREN in the orchestrator (its finished workers).
    """

    def __init__(self, who: int = resource.RUSAGE_SELF) -> None:
        self.who = who
        self.start()

    def start(self) -> None:
        self.busy_at_start = busy_cpu_seconds()
        self.own_at_start = own_cpu_seconds(self.who)
        self.time_at_start = time.monotonic()

    def share(self) -> float | None:
        busy = busy_cpu_seconds()
        wall = time.monotonic() - self.time_at_start
        if busy is None or self.busy_at_start is None or wall <= 0:
            return None
        others = (busy - self.busy_at_start) - (own_cpu_seconds(self.who) - self.own_at_start)
        return round(max(0.0, others) / (wall * (os.cpu_count() or 1)), 3)
