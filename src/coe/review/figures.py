"""Rules on the incident's figures: a quantified impact, detection and engagement in time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..model import Coe
from .registry import Finding, rule


def has_detect_action(coe: Coe) -> bool:
    return any(item.kind == "detect" for item in coe.action_items)


_NUMBER = re.compile(r"\d")


@rule("COE104", "impact-unquantified")
def impact_unquantified(coe: Coe, **_: Any) -> Iterator[Finding]:
    """The impact has no number: no metrics, no customers affected, no figure in the
    summary or the customer experience.

    Put numbers on the impact: how many customers, what error rate, for how long.

    Failing example:

        summary: Some checkout calls failed.
        impact: {customer_experience: Checkout failed.}

    Passing example:

        summary: 3% of checkout calls failed for 45 minutes.
        impact: {customer_experience: Checkout failed.}
    """
    impact = coe.impact
    if impact.metrics or impact.customers_affected is not None:
        return
    if _NUMBER.search(coe.summary) or _NUMBER.search(impact.customer_experience):
        return
    yield coe.places.of(coe.impact.json_path), ("the impact has no numbers; add metrics, customers_affected, or figures "
                        "in the summary (how many, how much, how long)")


def in_minutes(value: float) -> str:
    return f"{value:.0f} minutes"


@rule("COE105", "slow-detection", minutes=10)
def slow_detection(coe: Coe, minutes: float = 10, **_: Any) -> Iterator[Finding]:
    """Detection took longer than the threshold (default 10 minutes) and no action item of
    kind `detect` makes it faster next time.

    Failing example:

        times: {start: "2025-10-20T06:00:00Z", detected: "2025-10-20T06:40:00Z"}

    Passing example:

        times: {start: "2025-10-20T06:00:00Z", detected: "2025-10-20T06:40:00Z"}
        action_items:
          - {id: AI-1, title: Alarm on checkout errors, owner: ana, priority: high, kind: detect,
             due: 2099-01-01, status: open, link: "https://tickets.example.com/1"}
    """
    taken = coe.times.time_to_detect
    if taken is not None and taken > minutes and not has_detect_action(coe):
        yield coe.places.of(coe.times.json_path + ("detected",)), (
            f"detection took {in_minutes(taken)} (over {minutes:g}) and no action item of kind "
            "detect shortens it; how would the same pattern be caught sooner next time?")


@rule("COE106", "late-engagement", minutes=15)
def late_engagement(coe: Coe, minutes: float = 15, **_: Any) -> Iterator[Finding]:
    """Engagement came more than the threshold (default 15 minutes) after detection and
    no action item of kind `detect` addresses it.

    Failing example:

        times: {start: "2025-10-20T06:00:00Z", detected: "2025-10-20T06:01:00Z",
                engaged: "2025-10-20T06:31:00Z"}

    Passing example:

        times: {start: "2025-10-20T06:00:00Z", detected: "2025-10-20T06:01:00Z",
                engaged: "2025-10-20T06:05:00Z"}
    """
    taken = coe.times.time_to_engage
    if taken is not None and taken > minutes and not has_detect_action(coe):
        yield coe.places.of(coe.times.json_path + ("engaged",)), (
            f"the first engineer engaged {in_minutes(taken)} after detection (over {minutes:g}) "
            "and no action item of kind detect addresses the paging or escalation")
