"""Times with offsets: what the validator accepts, every later stage can read."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coe.times import date_problem, parse_time, time_problem

OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2999, 12, 31)), OFFSETS)
def test_any_aware_iso_time_reads_back_as_the_same_instant(moment: datetime, tz: timezone) -> None:
    aware = moment.replace(tzinfo=tz)
    text = aware.isoformat()
    assert time_problem(text) is None
    assert parse_time(text) == aware
    assert parse_time(text).utcoffset() == aware.utcoffset()


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2999, 12, 31)))
def test_a_time_without_offset_is_refused(moment: datetime) -> None:
    assert "no offset" in time_problem(moment.isoformat())


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-10-20T06:48:00Z", None),
        ("2025-10-20 06:48Z", None),
        ("2025-10-20T06:48:00.123456789+05:45", None),
        ("2026-02-30T06:48:00Z", "not a date that exists"),
        ("2025-10-20T24:00:00Z", "impossible time of day"),
        ("2025-10-20T06:48:00+25:00", "impossible offset"),
        ("12:30", "must be a date-time with an offset"),
        ("2025-10-20", "must be a date-time with an offset"),
        ("yesterday", "must be a date-time with an offset"),
    ],
)
def test_time_problems(text: str, reason: str | None) -> None:
    problem = time_problem(text)
    assert (problem is None) if reason is None else (reason in problem)


@pytest.mark.parametrize(
    ("text", "ok"),
    [("2024-02-29", True), ("2025-02-29", False), ("2025-13-01", False), ("2025-1-1", False),
     ("20251020", False)],
)
def test_dates(text: str, ok: bool) -> None:
    assert (date_problem(text) is None) == ok
