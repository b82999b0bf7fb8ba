"""All COEs of a repository together, and the queries cross-incident reports need.

`load_corpus` validates the whole folder first and refuses to go on when any COE has
errors: a report that silently left out a broken COE would show fewer incidents, fewer
overdue items and better times than the truth. Everything else here is a plain function
over a list of `Coe` models, so the CLI reports and the site compute each figure the
same way.

Calendar keys (month, quarter, the start date that days-to-close count from) use the
moment impact began **in UTC**, whatever offset the COE was written in, so that a COE
written in UTC+08:00 falls in the same month for every reader.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from fractions import Fraction
from pathlib import Path

from .model import ActionItem, Coe
from .problems import Level, Problem
from .reporters import format_line
from .validate import validate

STATUSES = ("open", "in-progress", "done", "wont-do")
DURATIONS = ("time_to_detect", "time_to_engage", "time_to_mitigate", "time_to_resolve")
SHOWN_PROBLEMS = 10  # how many problems a CorpusError's message lists


class CorpusError(Exception):
    """Some COEs have errors, so no report can be trusted; `problems` holds every error."""

    def __init__(self, problems: Sequence[Problem], coes: int) -> None:
        self.problems = tuple(problems)
        self.coes = coes
        files = len({p.path for p in self.problems})
        lines = [format_line(p) for p in self.problems[:SHOWN_PROBLEMS]]
        more = len(self.problems) - SHOWN_PROBLEMS
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__(
            f"{files} of {coes} COEs have errors; fix them (see `coe validate`) "
            "before reporting across COEs:\n" + "\n".join(lines)
        )


@dataclass(frozen=True)
class Corpus:
    """Every COE of a folder as models, in order of start."""

    folder: Path
    coes: tuple[Coe, ...]


def load_corpus(coes_dir: Path, root: Path | None = None) -> Corpus:
    """Validate every COE under `coes_dir` and keep its model.

    Raises `CorpusError` (with every error, paths relative to `root`, default the current
    folder) when any COE has errors, and `NotADirectoryError` when there is no such folder.
    """
    if not coes_dir.is_dir():
        raise NotADirectoryError(f"no COE folder {coes_dir}")
    # The models validation built for the review rules, kept whole: not built again.
    report = validate([coes_dir], root=root, keep_models=True)
    errors = [p for p in report.problems if p.level is Level.ERROR]
    if errors:
        raise CorpusError(errors, len(report.checked))
    return Corpus(coes_dir, tuple(sort_coes(c.model for c in report.checked if c.model)))


# --- calendar keys ---------------------------------------------------------------------


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


def sort_coes(coes: Iterable[Coe]) -> list[Coe]:
    """COEs in order of start (UTC), then id."""
    return sorted(coes, key=lambda c: (utc(c.times.start), c.id))


def filter_coes(coes: Iterable[Coe], since: date | None = None,
                until: date | None = None) -> list[Coe]:
    """The COEs whose UTC start date is within `since`..`until`, both included."""
    return [
        coe for coe in coes
        if (since is None or start_date(coe) >= since)
        and (until is None or start_date(coe) <= until)
    ]


# --- action items ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    """An action item with the COE it belongs to."""

    coe: Coe
    item: ActionItem

    def is_overdue(self, today: date) -> bool:
        return self.item.is_overdue(today)

    def days_overdue(self, today: date) -> int:
        return self.item.days_overdue(today)


def action_rows(coes: Iterable[Coe]) -> list[ActionRow]:
    """Every action item of `coes`, COE by COE, each COE's items in written order."""
    return [ActionRow(coe, item) for coe in coes for item in coe.action_items]


def filter_actions(rows: Iterable[ActionRow], today: date, *, overdue: bool = False,
                   statuses: Iterable[str] = (), owner: str | None = None,
                   team: str | None = None) -> list[ActionRow]:
    """The rows that pass every filter given.

    `overdue`: only items overdue on `today`; `statuses`: only items with one of these
    statuses (none given: all); `owner`, `team`: exact match, ignoring case.
    """
    wanted = set(statuses)

    def same(value: str | None, expected: str | None) -> bool:
        return expected is None or (value or "").casefold() == expected.casefold()

    return [
        row for row in rows
        if (not overdue or row.is_overdue(today))
        and (not wanted or row.item.status in wanted)
        and same(row.item.owner, owner)
        and same(row.item.team, team)
    ]


def days_to_close(coe: Coe, item: ActionItem) -> int | None:
    """Days from the COE's UTC start date to the item's `closed` date, for done items.

    Counted from the incident rather than from `due`, so that the figure says how long
    fixes take to land, not how well due dates were guessed. None for items not done or
    without a `closed` date.
    """
    if item.status != "done" or item.closed is None:
        return None
    return (item.closed - start_date(coe)).days


def completion_rate(items: Iterable[ActionItem]) -> float | None:
    """done / (all - wont-do): the share of the work still wanted that is done.

    Items closed as wont-do are left out of both sides: dropping a fix on purpose is
    neither finishing it nor leaving it undone. None when no item is left.
    """
    items = list(items)
    wanted = [i for i in items if i.status != "wont-do"]
    if not wanted:
        return None
    return sum(1 for i in wanted if i.status == "done") / len(wanted)


@dataclass(frozen=True)
class ActionTotals:
    """Action items across COEs.

    `open` counts items whose status is open or in-progress; `overdue` those of them due
    before `today`; `completion_rate` is done / (total - wont_do) (see `completion_rate`);
    `median_days_to_close` is over done items with a closed date (see `days_to_close`).
    """

    today: date
    total: int
    open: int
    done: int
    wont_do: int
    overdue: int
    completion_rate: float | None
    median_days_to_close: float | None


def action_totals(coes: Iterable[Coe], today: date) -> ActionTotals:
    """Totals, completion rate and median days to close over every item of `coes`."""
    rows = action_rows(coes)
    items = [row.item for row in rows]
    closing = [d for d in (days_to_close(row.coe, row.item) for row in rows) if d is not None]
    return ActionTotals(
        today=today,
        total=len(items),
        open=sum(1 for i in items if i.is_open),
        done=sum(1 for i in items if i.status == "done"),
        wont_do=sum(1 for i in items if i.status == "wont-do"),
        overdue=sum(1 for i in items if i.is_overdue(today)),
        completion_rate=completion_rate(items),
        median_days_to_close=median(closing) if closing else None,
    )


# --- counts ----------------------------------------------------------------------------


def root_cause_categories(coe: Coe) -> list[str]:
    """The categories of the COE's root-cause nodes, each once, in tree order.

    Root-cause nodes without a category are left out.
    """
    nodes = coe.whys.nodes() if coe.whys else []
    return _distinct(n.category for n in nodes if n.root_cause and n.category)


def dependency_names(coe: Coe) -> list[str]:
    """The names in the COE's dependency analysis, each once."""
    return _distinct(d.name for d in coe.dependencies)


def mitigation_kinds(coe: Coe) -> list[str]:
    """The kinds of the COE's mitigations, each once."""
    return _distinct(m.kind for m in coe.mitigations)


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


# What each COE counts under: a COE with several services (root-cause categories,
# mitigation kinds) counts once under each of them.
COUNT_KEYS: dict[str, Callable[[Coe], list[str]]] = {
    "severity": lambda coe: [str(coe.severity)],
    "month": lambda coe: [month_of(coe)],
    "service": lambda coe: _distinct(coe.services),
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


# --- median and percentile -------------------------------------------------------------


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


# --- recurrence ------------------------------------------------------------------------


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
        for value in _distinct(values(coe)):
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


# --- all the statistics together -------------------------------------------------------


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
