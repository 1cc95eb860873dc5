"""minitorch.set_num_threads / get_num_threads, as in PyTorch."""

from __future__ import annotations

import pytest

import minitorch as mt


def test_set_num_threads_changes_the_blas_thread_count_and_checks_its_argument():
    before = mt.get_num_threads()
    try:
        mt.set_num_threads(1)
        assert mt.get_num_threads() == 1
    finally:
        mt.set_num_threads(before)
    assert mt.get_num_threads() == before
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="set_num_threads expected a positive int"):
            mt.set_num_threads(bad)
