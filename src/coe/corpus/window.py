"""The dashboard's figures: the window of recent quarters it looks back over, and the
headline of this quarter against the previous one.

The window is `QUARTERS` quarters (the current one included), counted from "today":
COEs that started from the first day of that window to today (UTC dates).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ..model import Coe
from .actions import open_rows
from .dates import filter_coes, month_of, quarter_key, quarter_of, quarter_start, start_date
from .figures import DurationSpreads, duration_spreads

QUARTERS = 6  # the window: this quarter and the five before it, 16 to 18 months


def window_start(today: date) -> date:
    """The first day the dashboard counts COEs from: `QUARTERS` quarters up to today's."""
    return quarter_start(today, QUARTERS - 1)


def window_quarters(today: date) -> list[str]:
    """The quarters of the window, oldest first: ["2025-Q3", ..., "2026-Q4"]."""
    return [quarter_key(quarter_start(today, back)) for back in range(QUARTERS - 1, -1, -1)]


def window_months(today: date) -> list[str]:
    """The months of the window, oldest first, as `YYYY-MM`, today's month last."""
    first = window_start(today)
    count = (today.year - first.year) * 12 + today.month - first.month + 1
    return [f"{first.year + (first.month - 1 + i) // 12}-{(first.month - 1 + i) % 12 + 1:02d}"
            for i in range(count)]


def window_coes(coes: Iterable[Coe], today: date) -> list[Coe]:
    """The COEs that started within the window (UTC dates, today included)."""
    return filter_coes(coes, since=window_start(today), until=today)


@dataclass(frozen=True)
class MonthlyCounts:
    """The COEs of the window per month (`months`, oldest first), by severity."""

    months: tuple[str, ...]
    by_severity: tuple[tuple[int, tuple[int, ...]], ...]  # severities found, 1 first
    coes: int


def monthly_counts(coes: Iterable[Coe], today: date) -> MonthlyCounts:
    """COEs per month of the window and severity; months without COEs count 0."""
    months = window_months(today)
    chosen = window_coes(coes, today)
    counts = Counter((month_of(c), c.severity) for c in chosen)
    return MonthlyCounts(
        tuple(months),
        tuple((sev, tuple(counts.get((m, sev), 0) for m in months))
              for sev in sorted({c.severity for c in chosen})),
        len(chosen))


def quarterly_spreads(coes: Iterable[Coe], today: date) -> dict[str, DurationSpreads]:
    """`duration_spreads` of the COEs of each quarter of the window, oldest first,
    quarters without COEs included."""
    by_quarter: dict[str, list[Coe]] = {q: [] for q in window_quarters(today)}
    for coe in window_coes(coes, today):
        by_quarter[quarter_of(coe)].append(coe)
    return {q: duration_spreads(found) for q, found in by_quarter.items()}


@dataclass(frozen=True)
class Headline:
    """The dashboard's headline figures."""

    quarter: str
    previous: str
    by_severity: tuple[tuple[int, int], ...]  # (severity, COEs this quarter)
    coes: int
    detect: float | None
    detect_before: float | None
    mitigate: float | None
    mitigate_before: float | None
    open: int
    overdue: int


def headline(coes: list[Coe], today: date) -> Headline:
    """COEs this quarter by severity, median times against the previous quarter, items."""
    quarter = quarter_key(today)
    previous = quarter_key(quarter_start(today, 1))
    # A COE dated after today has not happened yet as far as the figures go.
    now = [c for c in coes if quarter_of(c) == quarter and start_date(c) <= today]
    before = [c for c in coes if quarter_of(c) == previous]
    severities: dict[int, int] = {}
    for coe in now:
        severities[coe.severity] = severities.get(coe.severity, 0) + 1
    this, last = duration_spreads(now), duration_spreads(before)
    rows = open_rows(coes)
    return Headline(
        quarter, previous, tuple(sorted(severities.items())), len(now),
        this.time_to_detect.median, last.time_to_detect.median,
        this.time_to_mitigate.median, last.time_to_mitigate.median,
        len(rows), sum(1 for row in rows if row.is_overdue(today)),
    )
