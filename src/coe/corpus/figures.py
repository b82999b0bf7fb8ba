"""Median, percentile, and the spread of the response times over a group of COEs.""" 

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from ..model import Coe
from .dates import quarter_of

DURATIONS = ("time_to_detect", "time_to_engage", "time_to_mitigate", "time_to_resolve")


def median(values: Iterable[float]) -> float:
    """The middle value of the sorted values; for an even count, the mean of the two middle ones.

    median([3, 1, 2]) == 2; median([4, 1, 3, 2]) == 2.5. Raises ValueError when empty.
    """
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        raise ValueError("median of no values")
    middle = n // 2
    if n % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (0 < p <= 100) by the nearest-rank method.

    Sort the n values; the p-th percentile is the value at 1-based rank ceil(p/100 * n):
    the smallest value such that at least p% of the values are at most it. It is always
    one of the values, never an interpolation. percentile([1, 2, 3, 4], 90) == 4 (rank
    ceil(3.6) = 4); percentile([1, 2, 3], 50) == 2. Raises ValueError when empty.
    """
    if not 0 < p <= 100:
        raise ValueError(f"a percentile is over 0 and at most 100, got {p}")
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    exact = Fraction(str(p)) if isinstance(p, float) else Fraction(p)
    rank = math.ceil(exact * len(ordered) / 100)
    return ordered[max(rank, 1) - 1]


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile (nearest rank) of the known values; None when none is known."""

    count: int
    median: float | None
    p90: float | None


def spread(values: Iterable[float | None]) -> Spread:
    """The spread of the values that are not None."""
    known = [v for v in values if v is not None]
    if not known:
        return Spread(0, None, None)
    return Spread(len(known), median(known), percentile(known, 90))


@dataclass(frozen=True)
class DurationSpreads:
    """The spread of each duration (`DURATIONS`, in minutes) over a group of COEs."""

    coes: int
    time_to_detect: Spread
    time_to_engage: Spread
    time_to_mitigate: Spread
    time_to_resolve: Spread


def duration_spreads(coes: Iterable[Coe]) -> DurationSpreads:
    """Median and p90 of time to detect, engage, mitigate and resolve over `coes`."""
    coes = list(coes)
    figures = {name: spread(getattr(c.times, name) for c in coes) for name in DURATIONS}
    return DurationSpreads(len(coes), **figures)


def durations_by_quarter(coes: Iterable[Coe]) -> dict[str, DurationSpreads]:
    """`duration_spreads` per quarter of start (`YYYY-Qn`, UTC), oldest first."""
    quarters: dict[str, list[Coe]] = {}
    for coe in coes:
        quarters.setdefault(quarter_of(coe), []).append(coe)
    return {q: duration_spreads(quarters[q]) for q in sorted(quarters)}
