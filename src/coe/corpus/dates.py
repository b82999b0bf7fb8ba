"""Calendar keys of COEs, all taken from the moment impact began **in UTC**.""" 

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone

from ..model import Coe


def utc(moment: datetime) -> datetime:
    """`moment` in UTC."""
    return moment.astimezone(timezone.utc)


def start_date(coe: Coe) -> date:
    """The UTC date impact began."""
    return utc(coe.times.start).date()


def month_of(coe: Coe) -> str:
    """`YYYY-MM` of the start, in UTC."""
    return utc(coe.times.start).strftime("%Y-%m")


def quarter_of(coe: Coe) -> str:
    """`YYYY-Qn` of the start, in UTC."""
    start = utc(coe.times.start)
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def quarter_key(day: date) -> str:
    """`YYYY-Qn` of a date."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_start(day: date, back: int = 0) -> date:
    """The first day of the quarter `back` quarters before the one `day` is in."""
    index = day.year * 4 + (day.month - 1) // 3 - back
    return date(index // 4, index % 4 * 3 + 1, 1)


def sort_coes(coes: Iterable[Coe]) -> list[Coe]:
    """COEs in order of start (UTC), then id."""
    return sorted(coes, key=lambda c: (utc(c.times.start), c.id))


def newest_first(coes: Iterable[Coe]) -> list[Coe]:
    """COEs by start, newest first."""
    return list(reversed(sort_coes(coes)))


def filter_coes(coes: Iterable[Coe], since: date | None = None,
                until: date | None = None) -> list[Coe]:
    """The COEs whose UTC start date is within `since`..`until`, both included."""
    return [
        coe for coe in coes
        if (since is None or start_date(coe) >= since)
        and (until is None or start_date(coe) <= until)
    ]
