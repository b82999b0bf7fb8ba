"""Cross-incident reports as text: aligned tables, CSV and JSON.

Pure formatting over the models and the queries of `corpus`: the same input and the
same "today" always give the same text, so the site can publish `export_json` and
`export_csv` as they are (no wall clock, no environment). Every output that depends on
"today" (overdue items) says which day it used: a first line `as of YYYY-MM-DD` in
tables, a `today` key in JSON, a `today` column in CSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from .corpus.actions import ActionRow, action_rows, days_to_close
from .corpus.counts import COUNT_KEYS, Stats
from .corpus.dates import utc
from .corpus.figures import DURATIONS, DurationSpreads, Spread
from .model import Coe
from .words import display_width, plural

# The field order of the format (schema/coe.schema.json): exported COEs list their
# fields in this order whatever order their authors wrote them in.
FIELD_ORDER = (
    "schema_version", "id", "title", "status", "severity", "scope", "authors", "reviewers",
    "services", "regions", "tags", "summary", "times", "detection", "impact", "timeline",
    "communications", "mitigations", "dependencies", "whys", "lessons", "action_items",
    "checklist", "narrative",
)
ACTION_FIELDS = ("coe", "coe_title", "id", "title", "owner", "team", "priority", "due",
                 "status", "closed", "overdue", "days_overdue", "link")
EXPORT_ACTION_FIELDS = (
    "coe", "coe_title", "coe_status", "coe_severity", "coe_start", "id", "title", "owner",
    "team", "priority", "kind", "due", "status", "closed", "days_to_close", "addresses",
    "link", "overdue", "days_overdue", "today",
)
COUNT_TITLES = {
    "severity": "SEVERITY",
    "month": "MONTH",
    "service": "SERVICE",
    "scope": "SCOPE",
    "detection_method": "DETECTION METHOD",
    "root_cause_category": "ROOT-CAUSE CATEGORY",
    "mitigation_kind": "MITIGATION KIND",
}
DURATION_TITLES = {
    "time_to_detect": "DETECT",
    "time_to_engage": "ENGAGE",
    "time_to_mitigate": "MITIGATE",
    "time_to_resolve": "RESOLVE",
}


# --- shared pieces ---------------------------------------------------------------------


def table(headers: Sequence[str], rows: Iterable[Sequence[str]],
          right: Iterable[int] = ()) -> list[str]:
    """Lines of an aligned table, two spaces between columns, by display width.

    Columns whose index is in `right` are aligned right; the last column is not padded,
    so that no line ends in spaces.
    """
    body = [list(headers), *(list(row) for row in rows)]
    widths = [max(display_width(row[i]) for row in body) for i in range(len(headers))]
    right = set(right)
    lines = []
    for row in body:
        cells = []
        for i, cell in enumerate(row):
            gap = " " * (widths[i] - display_width(cell))
            last = i == len(row) - 1
            cells.append(gap + cell if i in right else cell if last else cell + gap)
        lines.append("  ".join(cells).rstrip())
    return lines


def to_json(document: Any, indent: int | None = 2) -> str:
    """JSON as every report writes it: UTF-8 text, indented unless `indent` is None (for
    files only programs read: Python's C encoder only writes unindented JSON, ten times
    faster), with a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=indent) + "\n"


def to_csv(fields: Sequence[str], records: Iterable[dict[str, Any]]) -> str:
    """CSV with a header row; None as an empty cell, booleans as true/false, and text
    that a spreadsheet would run as a formula neutralised (`_csv_cell`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # The writer quotes a cell holding a character of its line ending, not a lone
    # carriage return, which readers take for the end of the row: a row holding one is
    # quoted whole, so that no author text can start a row of its own.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(fields)
    for record in records:
        cells = [_csv_cell(record.get(name)) for name in fields]
        (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return out.getvalue()


# A cell of text starting with one of these is a formula to Excel, Sheets and LibreOffice
# (`=HYPERLINK(...)` sends data away, `@SUM(...)*cmd|...` runs a program through DDE); a
# leading apostrophe makes it text, and is not shown. The apostrophe itself is in the
# list so that text which starts with one keeps it: a reader drops exactly one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)  # a real number, negative or not, stays a number
    text = " ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def minutes(value: float | None) -> int | float | None:
    """Minutes as a JSON number: an integer when whole."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 3)


def utc_text(moment: datetime) -> str:
    """An ISO 8601 time in UTC with a Z: 2025-11-10T16:03:00Z."""
    return utc(moment).isoformat().replace("+00:00", "Z")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- coe actions -----------------------------------------------------------------------


def action_record(row: ActionRow, today: date) -> dict[str, Any]:
    """One action item as the actions report shows it, keys in `ACTION_FIELDS` order."""
    item = row.item
    return {
        "coe": row.coe.id,
        "coe_title": row.coe.title,
        "id": item.id,
        "title": item.title,
        "owner": item.owner,
        "team": item.team,
        "priority": item.priority,
        "due": item.due.isoformat(),
        "status": item.status,
        "closed": _iso(item.closed),
        "overdue": row.is_overdue(today),
        "days_overdue": row.days_overdue(today),
        "link": item.link,
    }


def actions_table(rows: Sequence[ActionRow], today: date) -> str:
    """An aligned table of the items, after an `as of` line, with a count at the end."""
    lines = [f"as of {today.isoformat()}"]
    if not rows:
        return "\n".join(lines + ["no action items match"]) + "\n"
    body = [
        [
            row.coe.id, row.item.id, row.item.due.isoformat(), row.item.status,
            plural(row.days_overdue(today), "day") if row.is_overdue(today) else "",
            row.item.priority, row.item.owner, row.item.team or "", row.item.title,
        ]
        for row in rows
    ]
    headers = ["COE", "ITEM", "DUE", "STATUS", "OVERDUE", "PRIORITY", "OWNER", "TEAM", "TITLE"]
    lines += table(headers, body, right={4})
    overdue = sum(1 for row in rows if row.is_overdue(today))
    lines.append(f"{plural(len(rows), 'action item')}, {overdue} overdue")
    return "\n".join(lines) + "\n"


def actions_json(rows: Sequence[ActionRow], today: date) -> str:
    """`{"today": ..., "action_items": [{coe, coe_title, id, ...}, ...]}`."""
    return to_json({
        "today": today.isoformat(),
        "action_items": [action_record(row, today) for row in rows],
    })


def actions_csv(rows: Sequence[ActionRow], today: date) -> str:
    """One row per item: the `ACTION_FIELDS` columns, then `today`."""
    records = ({**action_record(row, today), "today": today.isoformat()} for row in rows)
    return to_csv((*ACTION_FIELDS, "today"), records)


# --- coe stats -------------------------------------------------------------------------


def _spread_record(figure: Spread) -> dict[str, Any]:
    return {"count": figure.count, "median": minutes(figure.median), "p90": minutes(figure.p90)}


def _durations_record(spreads: DurationSpreads) -> dict[str, Any]:
    return {"coes": spreads.coes,
            **{name: _spread_record(getattr(spreads, name)) for name in DURATIONS}}


def stats_record(stats: Stats) -> dict[str, Any]:
    """The statistics as JSON data, keys in a fixed order."""
    actions = stats.actions
    rate = actions.completion_rate
    return {
        "today": stats.today.isoformat(),
        "since": _iso(stats.since),
        "until": _iso(stats.until),
        "coes": stats.coes,
        "coes_by": {key: dict(stats.coes_by[key]) for key in COUNT_KEYS},
        "times": {
            "unit": "minutes",
            "median": "middle value; mean of the two middle values for an even count",
            "p90": "nearest rank: the value at rank ceil(0.9 * n) of the sorted values",
            "by_quarter": {q: _durations_record(s) for q, s in stats.durations_by_quarter.items()},
            "all": _durations_record(stats.durations),
        },
        "action_items": {
            "total": actions.total,
            "open": actions.open,
            "done": actions.done,
            "wont_do": actions.wont_do,
            "overdue": actions.overdue,
            "completion_rate": None if rate is None else round(rate, 4),
            "median_days_to_close": minutes(actions.median_days_to_close),
        },
    }


def stats_json(stats: Stats) -> str:
    """The statistics as JSON (see `stats_record`)."""
    return to_json(stats_record(stats))


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _spread_cell(figure: Spread, coes: int) -> str:
    """`median / p90`, with `(n=k)` when only k of the COEs have this time."""
    if figure.count == 0:
        return "-"
    known = f" (n={figure.count})" if figure.count < coes else ""
    return f"{_figure(figure.median)} / {_figure(figure.p90)}{known}"


def _period(stats: Stats) -> str:
    if stats.since and stats.until:
        return f" started {stats.since.isoformat()} to {stats.until.isoformat()}"
    if stats.since:
        return f" started on or after {stats.since.isoformat()}"
    if stats.until:
        return f" started on or before {stats.until.isoformat()}"
    return ""


def stats_table(stats: Stats) -> str:
    """The statistics as aligned tables, after an `as of` line."""
    lines = [f"as of {stats.today.isoformat()}", f"{plural(stats.coes, 'COE')}{_period(stats)}"]
    for key in COUNT_KEYS:
        lines.append("")
        lines += table([COUNT_TITLES[key], "COEs"],
                       [[value, str(count)] for value, count in stats.coes_by[key]], right={1})
    lines += ["", "Times in minutes, median / p90 (nearest rank), by quarter of the start (UTC);",
              "(n=k): only k of the COEs have that time"]
    rows = [
        [quarter, str(s.coes), *(_spread_cell(getattr(s, name), s.coes) for name in DURATIONS)]
        for quarter, s in [*stats.durations_by_quarter.items(), ("all", stats.durations)]
    ]
    lines += table(["QUARTER", "COEs", *DURATION_TITLES.values()], rows, right={1})
    actions = stats.actions
    rate = actions.completion_rate
    lines += ["", "Action items"]
    lines += table(["", "", ""], [
        ["total", str(actions.total), ""],
        ["open", str(actions.open), "open or in progress"],
        ["done", str(actions.done), ""],
        ["won't do", str(actions.wont_do), ""],
        ["overdue", str(actions.overdue), f"open, due before {stats.today.isoformat()}"],
        ["completion rate", "-" if rate is None else f"{rate:.1%}", "done / (total - won't do)"],
        ["median days to close", _figure(actions.median_days_to_close),
         "from the incident's start (UTC date) to closed, done items"],
    ], right={1})[1:]
    return "\n".join(lines) + "\n"


# --- coe export ------------------------------------------------------------------------


def coe_record(coe: Coe, today: date) -> dict[str, Any]:
    """A COE's fields as written, then `times_utc` and the `derived` figures."""
    fields = coe.fields_as_written()
    written = {name: fields[name] for name in FIELD_ORDER if name in fields}
    written.update({k: v for k, v in fields.items() if k not in written})
    times = coe.times
    moments = {"start": times.start, "detected": times.detected, "engaged": times.engaged,
               "mitigated": times.mitigated, "resolved": times.resolved}
    return {
        "slug": coe.slug,
        **written,
        "times_utc": {name: utc_text(m) for name, m in moments.items() if m is not None},
        "derived": {
            **{name: minutes(getattr(times, name)) for name in DURATIONS},
            "open_action_items": len(coe.open_action_items()),
            "overdue_action_items": len(coe.overdue_action_items(today)),
        },
    }


def export_json(coes: Iterable[Coe], today: date, generated: str | None = None,
                indent: int | None = 2) -> str:
    """`{"generated": ..., "today": ..., "coes": [...]}` for other tools (the site's coes.json).

    `generated` defaults to `today` as an ISO date, never the wall clock, so that the
    same COEs and the same today give the same file.
    """
    return to_json({
        "generated": generated or today.isoformat(),
        "today": today.isoformat(),
        "coes": [coe_record(coe, today) for coe in coes],
    }, indent)


def export_action_record(row: ActionRow, today: date) -> dict[str, Any]:
    """One action item with its COE, as `export_csv` writes it (`EXPORT_ACTION_FIELDS`)."""
    coe, item = row.coe, row.item
    return {
        "coe": coe.id,
        "coe_title": coe.title,
        "coe_status": coe.status,
        "coe_severity": coe.severity,
        "coe_start": utc_text(coe.times.start),
        "id": item.id,
        "title": item.title,
        "owner": item.owner,
        "team": item.team,
        "priority": item.priority,
        "kind": item.kind,
        "due": item.due.isoformat(),
        "status": item.status,
        "closed": _iso(item.closed),
        "days_to_close": days_to_close(coe, item),
        "addresses": list(item.addresses),
        "link": item.link,
        "overdue": row.is_overdue(today),
        "days_overdue": row.days_overdue(today),
        "today": today.isoformat(),
    }


def export_csv(coes: Iterable[Coe], today: date) -> str:
    """One row per action item of every COE (the site's action-items.csv)."""
    return to_csv(EXPORT_ACTION_FIELDS,
                  (export_action_record(row, today) for row in action_rows(coes)))
