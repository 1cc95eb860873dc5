"""Running scripts in child processes for the tests of the tutorials and of the README: all
of them started together, as many at a time as there are cores, each on one BLAS thread."""

import os
import subprocess
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

# The tutorials' fast mode; pictures drawn to files; one BLAS thread per process, so that
# processes side by side do not crowd each other's cores.
ENV = {"TUTORIAL_FAST": "1", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
       "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def start_all(commands: Mapping[str, tuple[list[str], Path]]) -> dict[str, Future]:
    """Start every ``name: (argv, working folder)``; each future gives a CompletedProcess
    with the text of stdout and stderr."""
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
    futures = {
        name: pool.submit(subprocess.run, argv, cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **ENV})
        for name, (argv, cwd) in commands.items()
    }
    pool.shutdown(wait=False)  # the started runs finish; the pool takes no more
    return futures
