"""Rules on what customers were told, and how soon."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import Coe
from .figures import in_minutes
from .registry import Finding, rule


@rule("COE111", "silent-high-severity")
def silent_high_severity(coe: Coe, **_: Any) -> Iterator[Finding]:
    """Severity 1 or 2 and no `communications`: what were customers told, and when?

    Failing example:

        severity: 1

    Passing example:

        severity: 1
        communications:
          - {at: "2025-10-20T07:00:00Z", channel: status-page, message: We are investigating checkout errors.}
    """
    if coe.severity <= 2 and not coe.communications:
        yield coe.places.of(("severity",)), (f"severity {coe.severity} with no communications; record what "
                              "customers were told, and when")


@rule("COE114", "slow-first-communication", minutes=30)
def slow_first_communication(coe: Coe, minutes: float = 30, **_: Any) -> Iterator[Finding]:
    """Severity 1 or 2, and the first message to customers came more than the threshold
    (default 30 minutes) after detection. Speed comes first in customer communication:
    a short, generic first notice, with depth added in later updates.

    Failing example:

        severity: 2
        communications:
          - {at: "2025-10-20T08:00:00Z", channel: status-page, message: We are investigating.}

    Passing example:

        severity: 2
        communications:
          - {at: "2025-10-20T07:00:00Z", channel: status-page, message: We are investigating.}
    """
    if coe.severity > 2 or not coe.communications:
        return
    first = min(coe.communications, key=lambda communication: communication.at)
    waited = (first.at - coe.times.detected).total_seconds() / 60
    if waited > minutes:
        yield coe.places.of(first.json_path + ("at",)), (
            f"the first communication came {in_minutes(waited)} after detection (over "
            f"{minutes:g}); a short first notice early, then details, serves customers better")
