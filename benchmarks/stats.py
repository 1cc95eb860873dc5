"""The statistics of the report: medians, and medians of per-round ratios."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def median_or_none(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def ratio_median(
    numerators: Sequence[float | None], denominators: Sequence[float | None]
) -> float | None:
    """Median of per-round ratios: both runs of a round saw the same machine conditions."""
    if not numerators or not denominators:
        return None
    ratios = [
        a / b
        for a, b in zip(numerators, denominators, strict=True)
        if a is not None and b is not None
    ]
    return statistics.median(ratios) if ratios else None


def rotated(items: Sequence[str], shift: int) -> list[str]:
    """``items`` starting at position ``shift``: each round runs them in another order."""
    shift %= len(items)
    return list(items[shift:]) + list(items[:shift])
