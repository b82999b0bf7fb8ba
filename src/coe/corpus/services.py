"""Each affected service with its COEs and figures, for the services pages.""" 

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ..model import Coe
from .actions import open_rows
from .counts import root_cause_categories
from .dates import newest_first, quarter_key, quarter_of, quarter_start, start_date
from .figures import duration_spreads

SEVERE = 2  # SEV1 and SEV2 count as severe on the services pages


@dataclass(frozen=True)
class QuarterRow:
    quarter: str
    coes: int
    severe: int
    median_detect: float | None
    median_mitigate: float | None


@dataclass(frozen=True)
class ServiceSummary:
    """A service and its COEs, newest first, with the figures its pages show."""

    name: str
    slug: str
    coes: tuple[Coe, ...]
    severe: int
    median_detect: float | None
    median_mitigate: float | None
    open: int
    overdue: int

    @property
    def last(self) -> date:
        return start_date(self.coes[0])


def services(coes: list[Coe], today: date, slugs: dict[str, str]) -> list[ServiceSummary]:
    """Every affected service: the most COEs first, then the most recent, then by name."""
    by_service: dict[str, list[Coe]] = {}
    for coe in coes:
        for service in dict.fromkeys(coe.services):
            by_service.setdefault(service, []).append(coe)
    result = []
    for name, found in by_service.items():
        spreads = duration_spreads(found)
        rows = open_rows(found)
        result.append(ServiceSummary(
            name, slugs[name], tuple(newest_first(found)),
            sum(1 for c in found if c.severity <= SEVERE),
            spreads.time_to_detect.median, spreads.time_to_mitigate.median, len(rows),
            sum(1 for row in rows if row.is_overdue(today))))
    return sorted(result, key=lambda s: (-len(s.coes), -s.last.toordinal(),
                                         s.name.casefold(), s.name))


def quarter_rows(coes: Iterable[Coe], today: date) -> list[QuarterRow]:
    """Every quarter from the first COE's to today's (later ones if a COE is dated later),
    newest first, quarters without COEs included."""
    coes = list(coes)
    by_quarter: dict[str, list[Coe]] = {}
    for coe in coes:
        by_quarter.setdefault(quarter_of(coe), []).append(coe)
    first = min(start_date(c) for c in coes)
    last = max([today, *(start_date(c) for c in coes)])
    quarters = []
    back = 0
    while True:
        start = quarter_start(last, back)
        quarters.append(quarter_key(start))
        if start <= first:
            break
        back += 1
    result = []
    for quarter in quarters:
        found = by_quarter.get(quarter, [])
        spreads = duration_spreads(found)
        result.append(QuarterRow(quarter, len(found),
                                 sum(1 for c in found if c.severity <= SEVERE),
                                 spreads.time_to_detect.median,
                                 spreads.time_to_mitigate.median))
    return result


def category_counts(coes: Iterable[Coe]) -> list[tuple[str, int]]:
    """How many of `coes` have each root-cause category, the most first, then by name."""
    categories: dict[str, int] = {}
    for coe in coes:
        for category in root_cause_categories(coe):
            categories[category] = categories.get(category, 0) + 1
    return sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
