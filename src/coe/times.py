"""Times and dates as the format writes them: ISO 8601 with an offset, and YYYY-MM-DD.

One strict reading serves the schema's format checks, the cross-checks and the model,
so that a time the validator accepts is a time every later stage can use.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from datetime import date, datetime, timezone

_DATE_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<h>\d{2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?P<frac>\.\d{1,9})?)?"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EXAMPLE_TIME = "2025-10-20T06:48:00Z"


@lru_cache(maxsize=4096)
def time_problem(text: str) -> str | None:
    """Why `text` is not a date-time with an offset, or None when it is one."""
    if _read_time(text) is not None:
        return None  # the common case; the checks below say what is wrong
    match = _DATE_TIME.match(text)
    if not match:
        return f"must be a date-time with an offset, like {EXAMPLE_TIME}"
    problem = date_problem(match["date"])
    if problem:
        return problem
    if not (int(match["h"]) < 24 and int(match["m"]) < 60 and int(match["s"] or 0) < 60):
        return f"has an impossible time of day ({match['h']}:{match['m']}:{match['s'] or '00'})"
    offset = match["offset"]
    if offset is None:
        return "has no offset; add Z for UTC or the local offset, like +08:00"
    if offset != "Z" and (int(offset[1:3]) > 23 or int(offset[-2:]) > 59):
        return f"has an impossible offset {offset}"
    return None


@lru_cache(maxsize=4096)
def date_problem(text: str) -> str | None:
    """Why `text` is not a YYYY-MM-DD date that exists, or None when it is one."""
    if not _DATE.match(text):
        return "must be a date written YYYY-MM-DD, like 2025-10-20"
    try:
        date.fromisoformat(text)
    except ValueError as error:
        return f"is not a date that exists ({error})"
    return None


@lru_cache(maxsize=4096)
def _read_time(text: str) -> datetime | None:
    """The instant a valid time means, else None; read once for the checks and the model.

    The format's shape comes first; then Python's reading of ISO 8601 (in C) checks the
    date, the time of day and an offset under a day, and reads every such string as the
    format means it: Z and +00:00 as UTC, fractions past microseconds cut off
    (tests/test_times.py). It takes +05:60 as six hours: the minutes are checked here.
    """
    match = _DATE_TIME.match(text)
    offset = match["offset"] if match else None
    if offset is None or (offset != "Z" and offset[-2] not in "012345"):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_time(text: str) -> datetime:
    """An aware datetime for a valid time string (check with `time_problem` first)."""
    moment = _read_time(text)
    if moment is None:
        raise ValueError(f"not a date-time with an offset: {text!r}")
    return moment


def parse_date(text: str) -> date:
    """A date for a valid YYYY-MM-DD string."""
    if date_problem(text):
        raise ValueError(f"not a date: {text!r}")
    return date.fromisoformat(text)


def is_time(value: object) -> bool:
    """True for a string that is a valid date-time with an offset."""
    return isinstance(value, str) and time_problem(value) is None


def resolve_today(explicit: date | str | None = None) -> date:
    """The build's "today": the explicit value, else SOURCE_DATE_EPOCH, else the clock.

    SOURCE_DATE_EPOCH is the reproducible-builds convention: a build run twice on the
    same input gives the same site.
    """
    if isinstance(explicit, date):
        return explicit
    if explicit:
        return parse_date(str(explicit))
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return date.today()
