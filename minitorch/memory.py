"""Where arrays' memory comes from: freed arrays kept for the next training step to reuse,
and parameters placed on cache-line boundaries.

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

Parameters start on a 64-byte cache-line boundary (:func:`cache_aligned`); malloc only
promises 16 bytes. With two BLAS threads, a weight that both cores have just read in a
matrix product is then written by the optimizer line by line instead of with vector stores
that straddle two lines, each of which the other core still holds: ``W -= update`` on the
128x784 weight of an MLP took 53 us instead of 128-146 us after the step's products (1 thread:
about 18 us either way).
"""

from __future__ import annotations

import ctypes
import os
import sys

import numpy as np

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
CACHE_LINE = 64  # bytes, on every x86-64 and most ARM cores


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


def aligned_empty_like(array: np.ndarray, dtype: np.dtype | None = None) -> np.ndarray:
    """An uninitialised array of ``array``'s shape, of its dtype (or ``dtype``) and in its
    memory order (Fortran order stays so, anything else is C order), whose data starts on a
    cache-line boundary."""
    dtype = array.dtype if dtype is None else np.dtype(dtype)
    order = "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"
    nbytes = array.size * dtype.itemsize
    raw = np.empty(nbytes + CACHE_LINE, dtype=np.uint8)
    start = -raw.ctypes.data % CACHE_LINE
    return raw[start : start + nbytes].view(dtype).reshape(array.shape, order=order)


def cache_aligned(array: np.ndarray, dtype: np.dtype | None = None) -> np.ndarray:
    """``array`` itself when it is contiguous, of ``dtype`` (if given) and starts on a
    cache-line boundary, else a copy that is (same shape and memory order)."""
    contiguous = array.flags.c_contiguous or array.flags.f_contiguous
    converted = dtype is not None and np.dtype(dtype) != array.dtype
    if contiguous and not converted and array.ctypes.data % CACHE_LINE == 0:
        return array
    out = aligned_empty_like(array, dtype)
    out[...] = array
    return out


def copy_like(layout: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A copy of ``values`` laid out in memory like ``layout`` (same shape), e.g. (C, N, H, W)
    under an NCHW view."""
    out = np.empty_like(layout, dtype=values.dtype)
    np.copyto(out, values)
    return out
