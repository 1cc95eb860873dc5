"""Denormal numbers flushed to zero: ``set_flush_denormal`` as in PyTorch, and the scope in
which every optimizer step runs.

A float32 below 1.18e-38 in magnitude (float64: 2.2e-308) is *denormal*. x86 processors
compute with denormals through a microcode assist: on the 2-core Intel machine of the
benchmarks, multiplying 100,000 float32 numbers that are all denormal takes 490 us instead of
11 us, and with 3% of them denormal, 104 us.

Training makes denormals on its own. An optimizer's running averages shrink by a constant
factor every step where a gradient is zero (Adam's ``exp_avg *= 0.9``), and a weight that
sees an input which is almost always zero (the border pixels of MNIST-like images) gets a
zero gradient in almost every batch: a few hundred steps later its average is denormal, and
stays so. On Fashion-MNIST, 784-128-10 with Adam, 2,300-3,200 of the first layer's 100,352
averages were denormal from the second epoch on; the update took 2.4 times as long, and the
five epochs 0.53, 0.51, 0.59, 0.62 and 0.66 s (1 thread). With the step flushing them:
0.48 s each, to the same loss.

Flushing them costs nothing: the processor's floating-point control register (MXCSR on
x86-64) has two flags for it, FTZ (a denormal result becomes zero) and DAZ (a denormal
input is read as zero). The register belongs to the thread; the C library reads and writes
it as the last 32-bit word of its ``fenv_t`` (``fegetenv``/``fesetenv`` of fenv.h), which is
how this module reaches it from Python. Elsewhere than Linux on x86-64, the mode is left as
it is, and :func:`set_flush_denormal` returns False, as PyTorch does where it cannot set it.

Every ``Optimizer.step`` runs with denormals flushed (:class:`denormals_flushed`) and gives
the thread its own mode back afterwards. What that changes is below float32's smallest
normal number: an average that would have been denormal is zero instead, and the update it
leads to (lr * m / (sqrt(v) + eps), under 1e-29) is anyway far below the rounding of any
weight.
"""

from __future__ import annotations

import ctypes
import functools
import platform
import sys
from typing import Any

import numpy as np

_MXCSR = 7  # x86-64 fenv_t (glibc and musl alike): 28 bytes of x87 state, then MXCSR
_FENV_WORDS = 16  # room to spare: fegetenv writes its whole fenv_t (32 bytes on x86-64)
_FLUSH_BITS = (1 << 15) | (1 << 6)  # FTZ | DAZ

_FenvT = ctypes.c_uint32 * _FENV_WORDS


@functools.cache
def _calls() -> tuple[Any, Any] | None:
    """The C library's (fegetenv, fesetenv), or None where this module cannot use them."""
    if not sys.platform.startswith("linux") or platform.machine() not in ("x86_64", "AMD64"):
        return None
    for library in (None, "libm.so.6"):  # None: what the process has loaded (Python links libm)
        try:
            lib = ctypes.CDLL(library)
            calls = (lib.fegetenv, lib.fesetenv)
        except (OSError, AttributeError):
            continue
        return calls if _flags_flush(*calls) else None
    return None


def _flags_flush(fegetenv: Any, fesetenv: Any) -> bool:
    """Whether the flags, set in word ``_MXCSR`` of the environment, do flush a denormal:
    tried once, so that a C library whose ``fenv_t`` is laid out otherwise is left alone."""
    original, flushing = _FenvT(), _FenvT()
    if fegetenv(original) != 0 or fegetenv(flushing) != 0:
        return False
    flushing[_MXCSR] |= _FLUSH_BITS
    smallest = np.array([1], np.uint32).view(np.float32)  # 1.4e-45, the smallest denormal
    try:
        return fesetenv(flushing) == 0 and (smallest * np.float32(1))[0] == 0
    finally:
        fesetenv(original)


def _read_mxcsr() -> tuple[Any, int] | None:
    """The calling thread's floating-point environment and its MXCSR word, or None."""
    calls = _calls()
    if calls is None:
        return None
    env = _FenvT()
    if calls[0](env) != 0:
        return None
    return env, env[_MXCSR]


def _write_mxcsr(env: Any, mxcsr: int) -> bool:
    """Set the thread's environment to ``env`` with MXCSR ``mxcsr``; False if refused."""
    env[_MXCSR] = mxcsr
    return _calls()[1](env) == 0  # type: ignore[index]


def set_flush_denormal(mode: bool) -> bool:
    """Flush denormal numbers to zero (``mode`` True) in the calling thread's arithmetic, or
    compute with them again (False), as ``torch.set_flush_denormal``. Returns True where the
    mode could be set (Linux on x86-64), else False and nothing changes.

    With it on, a result below float32's 1.18e-38 (float64's 2.2e-308) in magnitude is zero,
    and so is such an input: ``minitorch.tensor([1e-39]) * 1`` is 0.
    """
    if not isinstance(mode, bool):
        raise TypeError(f"set_flush_denormal expected a bool, got {type(mode).__name__}")
    state = _read_mxcsr()
    if state is None:
        return False
    env, mxcsr = state
    # _calls has checked once that these flags do flush.
    return _write_mxcsr(env, mxcsr | _FLUSH_BITS if mode else mxcsr & ~_FLUSH_BITS)


class denormals_flushed:  # noqa: N801 (a context manager, named like no_grad)
    """``with denormals_flushed():`` runs its block with denormals flushed to zero, then
    restores the calling thread's own mode. Where the mode cannot be set, it changes nothing.
    """

    __slots__ = ("_restore",)

    def __enter__(self) -> None:
        self._restore = None
        state = _read_mxcsr()
        if state is None:
            return
        env, mxcsr = state
        if mxcsr & _FLUSH_BITS != _FLUSH_BITS and _write_mxcsr(env, mxcsr | _FLUSH_BITS):
            self._restore = (env, mxcsr)

    def __exit__(self, *exc_info: object) -> None:
        if self._restore is not None:
            env, mxcsr = self._restore
            _write_mxcsr(env, mxcsr)
