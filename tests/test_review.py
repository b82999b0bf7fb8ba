"""The review rules: each fires on its failing example and is silent on its passing one."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from coe.problems import Level
from coe.review import REVIEW_RULES, SettingsError, settings_from_config
from coe.validate import validate

from .conftest import MINIMAL_COE, ROOT, write_coe

EXAMPLE = re.compile(r"^(Failing|Passing) example:\n\n((?:    .*\n?|\n)+)", re.MULTILINE)
TODAY = date(2026, 11, 27)


def examples(code: str) -> dict[str, str]:
    found = {kind: "\n".join(line[4:] for line in body.splitlines())
             for kind, body in EXAMPLE.findall(REVIEW_RULES[code].doc + "\n")}
    assert set(found) == {"Failing", "Passing"}, f"{code} needs a failing and a passing example"
    return found


def with_fragment(fragment: str) -> str:
    """The minimal COE with the example's top-level fields put in place of its own."""
    lines = MINIMAL_COE.splitlines(keepends=True)
    replaced = set(yaml.safe_load(fragment))
    kept, skipping = [], False
    for line in lines:
        key = line.split(":", 1)[0] if line[:1] not in (" ", "-") else None
        if key is not None:
            skipping = key in replaced
        if not skipping:
            kept.append(line)
    return "".join(kept) + fragment.rstrip("\n") + "\n"


def warnings(tmp_path: Path, text: str, settings=None) -> list:
    path = write_coe(tmp_path, text)
    report = validate([path], settings=settings or settings_from_config(None, TODAY))
    errors = [p for p in report.problems if p.level is Level.ERROR]
    assert errors == [], errors
    return report.problems


@pytest.mark.parametrize("code", list(REVIEW_RULES))
def test_rule_fires_on_its_failing_example(code: str, tmp_path: Path) -> None:
    found = warnings(tmp_path, with_fragment(examples(code)["Failing"]))
    assert code in [p.rule for p in found]


@pytest.mark.parametrize("code", list(REVIEW_RULES))
def test_rule_is_silent_on_its_passing_example(code: str, tmp_path: Path) -> None:
    found = warnings(tmp_path, with_fragment(examples(code)["Passing"]))
    assert code not in [p.rule for p in found]


def test_the_base_coe_is_clean(tmp_path: Path) -> None:
    assert warnings(tmp_path, MINIMAL_COE) == []


def test_blame_language_points_at_the_words(tmp_path: Path) -> None:
    text = MINIMAL_COE.replace(
        "summary: 3% of checkout calls failed for 45 minutes.\n",
        "summary: |\n  3% of checkout calls failed.\n  It was human error; the operator\n"
        "  should have known better.\n")
    found = [(p.line, p.column, p.message) for p in warnings(tmp_path, text) if p.rule == "COE108"]
    assert [(line, column) for line, column, _ in found] == [(11, 10), (12, 3)]
    assert 'blaming wording "human error"; name the decision' in found[0][2]


def test_blame_language_in_chinese_and_in_narrative_md(tmp_path: Path) -> None:
    text = MINIMAL_COE.replace("    event: Error rate rises", "    event: 人为错误导致配置被推送")
    path = write_coe(tmp_path, text)
    (path.parent / "narrative.md").write_text("# Story\n\nA careless deploy.\n", encoding="utf-8")
    found = [(Path(p.path).name, p.line, p.column) for p in validate([path]).problems if p.rule == "COE108"]
    assert found == [("coe.yaml", 19, 12), ("narrative.md", 3, 3)]


def test_rules_can_be_off_errors_or_tuned(tmp_path: Path) -> None:
    slow = with_fragment(examples("COE105")["Failing"])  # 40 minutes to detect
    assert "COE105" in [p.rule for p in warnings(tmp_path, slow)]
    off = settings_from_config({"COE105": "off"}, TODAY)
    assert "COE105" not in [p.rule for p in warnings(tmp_path, slow, off)]
    relaxed = settings_from_config({"COE105": {"minutes": 60}}, TODAY)
    assert "COE105" not in [p.rule for p in warnings(tmp_path, slow, relaxed)]
    strict = settings_from_config({"COE105": {"level": "error"}}, TODAY)
    report = validate([write_coe(tmp_path, slow)], settings=strict)
    assert [(p.rule, p.level) for p in report.problems] == [("COE105", Level.ERROR)]


@pytest.mark.parametrize("config", [{"COE999": "off"}, {"COE105": "loud"}, {"COE105": {"hours": 1}}, ["COE105"]])
def test_bad_rule_settings_are_refused(config: object) -> None:
    with pytest.raises(SettingsError):
        settings_from_config(config, TODAY)


def test_overdue_depends_on_today(tmp_path: Path) -> None:
    text = MINIMAL_COE + (
        "action_items:\n  - {id: AI-1, title: t, owner: o, priority: low, due: 2026-11-20,"
        " status: open, link: 'https://t.example.com/1'}\n")
    before = settings_from_config(None, date(2026, 11, 20))
    after = settings_from_config(None, date(2026, 11, 27))
    assert [p.rule for p in warnings(tmp_path, text, before)] == []
    late = [p for p in warnings(tmp_path, text, after) if p.rule == "COE110"]
    assert "7 days overdue" in late[0].message and "as of 2026-11-27" in late[0].message


def test_published_examples_raise_only_warnings_their_text_explains() -> None:
    """Overdue items depend on the day; any other warning must be named in the COE's text."""
    report = validate([ROOT / "coes"], settings=settings_from_config(None, TODAY), keep_data=True)
    for checked in report.checked:
        if checked.source.data["status"] != "published":
            continue
        text = checked.path.read_text(encoding="utf-8")
        for problem in checked.problems:
            assert problem.rule == "COE110" or problem.rule in text, problem


def test_a_weak_coe_raises_the_reviewers_questions() -> None:
    weak = ROOT / "tests/examples/weak/2026-11-20-weak-analysis"
    report = validate([weak], settings=settings_from_config(None, TODAY))
    assert all(p.level is Level.WARNING for p in report.problems)
    assert [(p.line, p.rule) for p in report.problems] == [
        (7, "COE111"), (11, "COE108"), (14, "COE105"), (15, "COE106"), (20, "COE104"),
        (28, "COE115"), (28, "COE113"), (30, "COE101"), (32, "COE107"), (36, "COE103"),
        (36, "COE112"), (37, "COE108"), (41, "COE109"), (41, "COE110"),
    ]
