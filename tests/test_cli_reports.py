"""`coe actions`, `coe stats` and `coe export` on the command line.

Expected figures on the example COEs (coes/, COE-1001..COE-1012) were worked out by hand
from their YAML and are written here as literals; the working is in the comments.
"Today" is 2026-11-27 throughout.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from coe.cli import main
from coe.words import display_width

from .conftest import MINIMAL_COE, ROOT, write_coe

COES = str(ROOT / "coes")
BROKEN = re.sub(r"(?m)^severity: \d$", "severity: high", MINIMAL_COE)
BROKEN_LINE = ('coes/2025-10-20-checkout/coe.yaml:5:11: error COE012 '
               'severity must be an integer from 1 to 5, got "high"')


def run(*args: str, env: dict[str, str | None] | None = None):
    env = {"SOURCE_DATE_EPOCH": None, **(env or {})}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


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
