"""Keep the memory of freed arrays in the process, for the next training step to reuse.

Every step allocates the same large arrays again (activations, gradients, the columns of a
convolution) and frees them when it ends. By default glibc's malloc hands arrays above a
threshold to the system with ``munmap`` and gives back free memory at the top of its heap,
so the next step has to fault every page of those arrays in again: in the CNN benchmark that
was 270,000 page faults and half of the epoch's time. Serving arrays of up to 32 MiB from
the heap (the largest mmap threshold glibc accepts) and giving memory back only beyond 1 GiB
of free heap makes that memory reused instead; the peak memory stays the same.

:func:`keep_freed_memory` runs once when minitorch is imported. It changes nothing where the
C library is not glibc, or where the process was started with glibc's own ``MALLOC_*``
settings, which then stand.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def keep_freed_memory(mmap_threshold: int = 32 << 20, trim_threshold: int = 1 << 30) -> bool:
    """Have malloc serve allocations of up to ``mmap_threshold`` bytes from its heap and keep
    up to ``trim_threshold`` bytes of it free for reuse. Returns whether the settings were
    applied (False off glibc, or where the environment sets them)."""
    if not sys.platform.startswith("linux") or any(name in os.environ for name in USER_SETTINGS):
        return False
    try:
        if os.confstr("CS_GNU_LIBC_VERSION") is None:  # musl and others: mallopt is a stub
            return False
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already uses
    except (OSError, ValueError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, mmap_threshold)) and bool(
        mallopt(M_TRIM_THRESHOLD, trim_threshold)
    )
