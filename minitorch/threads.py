"""How many threads the matrix products may use, as ``torch.set_num_threads`` and
``torch.get_num_threads``.

minitorch computes with NumPy: its element-wise work runs in the calling thread, and only the
matrix products (Linear, Conv2d) run in the thread pool of the BLAS library NumPy is built on
(OpenBLAS, MKL or Accelerate). That pool starts with one thread per core. On a machine where
other programs also run, a product split over every core waits for the busiest one, so fewer
threads can be much faster (see "Choosing the thread count" in the README).

The count is set through threadpoolctl, which scikit-learn (a dependency) already installs.
"""

from __future__ import annotations

import warnings

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits


def _blas_pools() -> list[dict]:
    return [pool for pool in threadpool_info() if pool["user_api"] == "blas"]


def set_num_threads(n: int) -> None:
    """Let NumPy's BLAS library use ``n`` threads from now on (in this process)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"set_num_threads expected a positive int, got {n!r}")
    if not _blas_pools():
        warnings.warn(
            "set_num_threads: found no BLAS library that threadpoolctl can control; the "
            "thread count is unchanged",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    # Not used as a context manager: the limit stays until the next call.
    threadpool_limits(limits=int(n), user_api="blas")


def get_num_threads() -> int:
    """The number of threads NumPy's BLAS library may use (1 if it cannot be found)."""
    return max((pool["num_threads"] for pool in _blas_pools()), default=1)
