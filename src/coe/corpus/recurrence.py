"""Services, dependencies and root-cause categories that come back in several COEs.""" 

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from ..model import Coe
from .actions import open_rows
from .counts import dependency_names, distinct, root_cause_categories
from .dates import sort_coes


@dataclass(frozen=True)
class Recurrence:
    """A service, dependency or root-cause category and the COEs it appears in."""

    name: str
    coes: tuple[Coe, ...]


def recurring(coes: Iterable[Coe], values: Callable[[Coe], Iterable[str]]) -> list[Recurrence]:
    """The values that appear in more than one COE, with those COEs (in order of start).

    Most COEs first, ties by name.
    """
    seen: dict[str, list[Coe]] = {}
    for coe in sort_coes(coes):
        for value in distinct(values(coe)):
            seen.setdefault(value, []).append(coe)
    found = [Recurrence(name, tuple(found)) for name, found in seen.items() if len(found) > 1]
    return sorted(found, key=lambda r: (-len(r.coes), r.name.casefold(), r.name))


def recurring_services(coes: Iterable[Coe]) -> list[Recurrence]:
    """Services affected in more than one COE."""
    return recurring(coes, lambda coe: coe.services)


def recurring_dependencies(coes: Iterable[Coe]) -> list[Recurrence]:
    """Dependencies (`dependencies[].name`) analysed in more than one COE."""
    return recurring(coes, dependency_names)


def recurring_root_causes(coes: Iterable[Coe]) -> list[Recurrence]:
    """Root-cause categories found in more than one COE."""
    return recurring(coes, root_cause_categories)


@dataclass(frozen=True)
class RecurrenceRow:
    """A recurring service, dependency or root-cause category, with what it touches."""

    name: str
    coes: tuple[Coe, ...]
    services: tuple[str, ...]  # the other services the COEs affected, most COEs first
    open: int
    overdue: int


def recurrence_rows(found: list[Recurrence], today: date) -> list[RecurrenceRow]:
    """Each recurrence with the services its COEs affected and their open action items."""
    result = []
    for recurrence in found:
        counts: dict[str, int] = {}
        for coe in recurrence.coes:
            for service in dict.fromkeys(coe.services):
                counts[service] = counts.get(service, 0) + 1
        counts.pop(recurrence.name, None)  # the others: what else it touches
        services = sorted(counts, key=lambda s: (-counts[s], s.casefold(), s))
        rows = open_rows(recurrence.coes)
        result.append(RecurrenceRow(
            recurrence.name, recurrence.coes, tuple(services), len(rows),
            sum(1 for row in rows if row.is_overdue(today))))
    return result
