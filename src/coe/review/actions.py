"""Rules on the action items: tracked in a ticket, finished in time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from ..model import Coe
from .registry import Finding, rule


@rule("COE109", "action-without-ticket")
def action_without_ticket(coe: Coe, **_: Any) -> Iterator[Finding]:
    """An open or in-progress action item has no `link` to its ticket.

    Action items are tracked to completion in the team's ticket system; the link is
    how a reader follows one.

    Failing example:

        action_items:
          - {id: AI-1, title: Fix the health check, owner: ana, priority: high, due: 2099-01-01, status: open}

    Passing example:

        action_items:
          - {id: AI-1, title: Fix the health check, owner: ana, priority: high, due: 2099-01-01, status: open,
             link: "https://tickets.example.com/OPS-1"}
    """
    for item in coe.action_items:
        if item.is_open and not item.link:
            yield coe.places.of(item.json_path + ("id",)), f"action item {item.id} is {item.status} and has no link to its ticket"


@rule("COE110", "action-overdue")
def action_overdue(coe: Coe, today: date, **_: Any) -> Iterator[Finding]:
    """An open or in-progress action item is past its due date on "today" (set with
    `--today`, else SOURCE_DATE_EPOCH, else the clock).

    Failing example:

        action_items:
          - {id: AI-1, title: Fix the health check, owner: ana, priority: high, due: 2000-01-01, status: open,
             link: "https://tickets.example.com/OPS-1"}

    Passing example:

        action_items:
          - {id: AI-1, title: Fix the health check, owner: ana, priority: high, due: 2000-01-01, status: done,
             closed: 2000-01-01}
    """
    for item in coe.action_items:
        late = item.days_overdue(today)
        if late:
            yield coe.places.of(item.json_path + ("due",)), (
                f"action item {item.id} is {late} days overdue (due {item.due.isoformat()}, "
                f"{item.status}, as of {today.isoformat()}); finish it or agree a new date")
