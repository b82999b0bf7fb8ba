"""Action items across COEs: rows with their COE, filters, totals, groups by team.""" 

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ..model import ActionItem, Coe
from .dates import start_date
from .figures import median

STATUSES = ("open", "in-progress", "done", "wont-do")
NO_TEAM = "(no team)"


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


def open_rows(coes: Iterable[Coe]) -> list[ActionRow]:
    """The open and in-progress items of `coes`."""
    return [row for row in action_rows(coes) if row.item.is_open]


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


def team_actions(coes: Iterable[Coe], today: date) -> list[tuple[str, int, int]]:
    """(team, open items not overdue, overdue items) for each team with open items.

    Most open items first, then most overdue, then by name; items without a team count
    under `NO_TEAM`.
    """
    found: dict[str, list[int]] = {}
    for row in action_rows(coes):
        if row.item.is_open:
            counts = found.setdefault(row.item.team or NO_TEAM, [0, 0])
            counts[1 if row.is_overdue(today) else 0] += 1
    ordered = sorted(found.items(),
                     key=lambda kv: (-sum(kv[1]), -kv[1][1], kv[0].casefold(), kv[0]))
    return [(team, on_time, late) for team, (on_time, late) in ordered]


def row_order(row: ActionRow, today: date) -> tuple:
    """Overdue first, the longest overdue first; then by due date, COE and item."""
    return (-row.days_overdue(today), row.item.due, row.coe.id, row.item.id)


@dataclass(frozen=True)
class OwnerGroup:
    """An owner's items within a team, overdue first."""

    owner: str
    rows: tuple[ActionRow, ...]
    overdue: int


@dataclass(frozen=True)
class TeamGroup:
    """A team's owners, those with the most overdue items first."""

    team: str
    owners: tuple[OwnerGroup, ...]
    open: int
    overdue: int


def group_actions(rows: Iterable[ActionRow], today: date) -> list[TeamGroup]:
    """Rows by team, then owner: teams and owners with the most overdue items first (then
    the most items, then by name); items without a team under `NO_TEAM`."""
    teams: dict[str, dict[str, list[ActionRow]]] = {}
    for row in rows:
        owners = teams.setdefault(row.item.team or NO_TEAM, {})
        owners.setdefault(row.item.owner, []).append(row)
    groups = []
    for team, owners in teams.items():
        found = [OwnerGroup(owner, tuple(sorted(owned, key=lambda row: row_order(row, today))),
                            sum(1 for row in owned if row.is_overdue(today)))
                 for owner, owned in owners.items()]
        ordered = sorted(found, key=lambda g: (-g.overdue, -len(g.rows), g.owner.casefold(),
                                               g.owner))
        groups.append(TeamGroup(team, tuple(ordered), sum(len(g.rows) for g in ordered),
                                sum(g.overdue for g in ordered)))
    return sorted(groups, key=lambda g: (-g.overdue, -g.open, g.team.casefold(), g.team))
