"""What each COE counts under (severity, month, service, ...), and `coe stats` whole.""" 

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from ..model import Coe
from .actions import ActionTotals, action_totals
from .dates import filter_coes, month_of, sort_coes
from .figures import DurationSpreads, duration_spreads, durations_by_quarter


def root_cause_categories(coe: Coe) -> list[str]:
    """The categories of the COE's root-cause nodes, each once, in tree order.

    Root-cause nodes without a category are left out.
    """
    nodes = coe.whys.nodes() if coe.whys else []
    return distinct(n.category for n in nodes if n.root_cause and n.category)


def dependency_names(coe: Coe) -> list[str]:
    """The names in the COE's dependency analysis, each once."""
    return distinct(d.name for d in coe.dependencies)


def mitigation_kinds(coe: Coe) -> list[str]:
    """The kinds of the COE's mitigations, each once."""
    return distinct(m.kind for m in coe.mitigations)


def distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


# What each COE counts under: a COE with several services (root-cause categories,
# mitigation kinds) counts once under each of them.
COUNT_KEYS: dict[str, Callable[[Coe], list[str]]] = {
    "severity": lambda coe: [str(coe.severity)],
    "month": lambda coe: [month_of(coe)],
    "service": lambda coe: distinct(coe.services),
    "scope": lambda coe: [coe.scope],
    "detection_method": lambda coe: [coe.detection.method],
    "root_cause_category": root_cause_categories,
    "mitigation_kind": mitigation_kinds,
}


_IN_KEY_ORDER = {"severity", "month"}  # listed by value; the other keys by count


def count_by(coes: Iterable[Coe], key: str) -> list[tuple[str, int]]:
    """How many COEs have each value of `key` (a name of `COUNT_KEYS`).

    Severity and month are listed in their own order (1 to 5, oldest month first); the
    others from the most COEs to the fewest, ties by name. Values no COE has are left out.
    """
    values = COUNT_KEYS[key]
    counts: dict[str, int] = {}
    for coe in coes:
        for value in values(coe):
            counts[value] = counts.get(value, 0) + 1
    if key in _IN_KEY_ORDER:
        return sorted(counts.items())
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold(), kv[0]))


@dataclass(frozen=True)
class Stats:
    """What `coe stats` shows: counts, durations per quarter and overall, action items.

    `coes_by` maps each name of `COUNT_KEYS` to its (value, COEs) pairs (see `count_by`).
    """

    today: date
    since: date | None
    until: date | None
    coes: int
    coes_by: dict[str, list[tuple[str, int]]]
    durations_by_quarter: dict[str, DurationSpreads]
    durations: DurationSpreads
    actions: ActionTotals


def compute_stats(coes: Iterable[Coe], today: date, since: date | None = None,
                  until: date | None = None) -> Stats:
    """The statistics of the COEs that started within `since`..`until` (UTC dates, inclusive)."""
    chosen = filter_coes(sort_coes(coes), since, until)
    return Stats(
        today=today,
        since=since,
        until=until,
        coes=len(chosen),
        coes_by={key: count_by(chosen, key) for key in COUNT_KEYS},
        durations_by_quarter=durations_by_quarter(chosen),
        durations=duration_spreads(chosen),
        actions=action_totals(chosen, today),
    )
