"""Times with offsets: what the validator accepts, every later stage can read."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
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


FIELDS = ("month", "day", "hour", "minute", "second", "offset hours", "offset minutes")
LIMITS = {"month": (1, 12), "day": (1, 28), "hour": (0, 23), "minute": (0, 59), "second": (0, 59),
          "offset hours": (0, 23), "offset minutes": (0, 59)}
OUT_OF_RANGE = {"month": [0, 13], "day": [0, 29, 30, 31, 32], "hour": [24, 25], "minute": [60, 61],
                "second": [60, 61], "offset hours": [24, 25], "offset minutes": [60, 61, 99]}


@st.composite
def written_times(draw: st.DrawFn) -> tuple[str, datetime | None]:
    """A time in the format's shape, at most one field out of range (days 29-31 may be
    fine), and the instant the format means by it (None when it is no time): worked out
    field by field, as the format says, not by Python's reading of ISO 8601."""
    broken = draw(st.none() | st.sampled_from(FIELDS))
    value = {name: draw(st.sampled_from(OUT_OF_RANGE[name]) if name == broken
                        else st.integers(*LIMITS[name])) for name in FIELDS}
    year = draw(st.integers(1000, 2999))
    with_seconds = broken == "second" or draw(st.booleans())
    fraction = draw(st.none() | st.text("0123456789", min_size=1, max_size=9)) if with_seconds else None
    offset = draw(st.sampled_from(["Z", "+", "-", None])) if not broken or "offset" not in broken else "+"
    text = (f"{year:04d}-{value['month']:02d}-{value['day']:02d}{draw(st.sampled_from('T '))}"
            f"{value['hour']:02d}:{value['minute']:02d}")
    if with_seconds:
        text += f":{value['second']:02d}" + (f".{fraction}" if fraction else "")
    hours, minutes = value["offset hours"], value["offset minutes"]
    zone: timezone | None = None
    if offset == "Z":
        text, zone = text + "Z", timezone.utc
    elif offset is not None:
        text += f"{offset}{hours:02d}{':' if draw(st.booleans()) else ''}{minutes:02d}"
        if hours <= 23 and minutes <= 59:
            zone = timezone((-1 if offset == "-" else 1) * timedelta(hours=hours, minutes=minutes))
    try:
        meant = datetime(year, value["month"], value["day"], value["hour"], value["minute"],
                         value["second"] if with_seconds else 0,
                         int(((fraction or "") + "000000")[:6]), tzinfo=zone)
    except ValueError:
        return text, None
    return text, (meant if zone is not None else None)


@settings(max_examples=500)
@given(written_times())
def test_times_are_read_as_the_format_means_them(written: tuple[str, datetime | None]) -> None:
    text, meant = written
    assert (time_problem(text) is None) == (meant is not None), text
    if meant is not None:
        read = parse_time(text)
        assert read == meant and read.utcoffset() == meant.utcoffset()
        assert read.microsecond == meant.microsecond
