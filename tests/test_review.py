"""The review rules: each fires on its failing example and is silent on its passing one."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from coe.problems import Level
from coe.review import REVIEW_RULES, SettingsError, settings_from_config
from coe.review.blame import _BLAME, _BLAME_BY_WORD, _FOLDED_ONLY_BY_RE, _Caseless, _may_blame
from coe.review.mitigation import _KEPT, _ROLLBACK
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


# --- the wording matcher ---------------------------------------------------------------


# Every character the expressions given to _Caseless can match: letters, white space, the
# hyphen and the CJK of the Chinese phrases.
_EXPRESSIONS = [pattern for pattern, _ in _BLAME] + [_KEPT.exact.pattern, _ROLLBACK.exact.pattern]
_SYNTAX = set("()?:|[]-+ ")


def _literals() -> set[str]:
    chars = set(" \t\r\n-")
    for expression in _EXPRESSIONS:
        chars |= set(re.sub(r"\\[trn]", "", expression)) - _SYNTAX
    return chars


def test_caseless_expressions_hold_only_what_the_quick_test_allows() -> None:
    for expression in _EXPRESSIONS:
        assert expression == expression.lower()
        assert not re.search(r"\\[bBAZdDwWsS]|\^|\$|\(\?[=!<]|\.", expression), expression


def test_characters_matched_ignoring_case_lower_to_themselves() -> None:
    # The ground _Caseless stands on, checked over all of Unicode: a character that re,
    # ignoring case, takes for one of the expressions' characters is one that str.lower()
    # turns into exactly that character, but for the few _FOLDED_ONLY_BY_RE lists.
    literals = sorted(_literals())
    any_literal = re.compile("[" + re.escape("".join(literals)) + "]", re.IGNORECASE)
    each = {c: re.compile(re.escape(c), re.IGNORECASE) for c in literals}
    for code in range(0x110000):
        char = chr(code)
        if not any_literal.fullmatch(char) or _FOLDED_ONLY_BY_RE.search(char):
            continue
        for literal, expression in each.items():
            if expression.fullmatch(char):
                assert char.lower() == literal, (hex(code), literal)


TRICKY = "ıİſKkKSsEeRrOoHhUuMmAaNnPp \t\n-人为错误操作失误粗心疏忽保留"


@given(st.text(st.sampled_from(TRICKY) | st.characters(max_codepoint=0x2FF), max_size=60),
       st.integers(0, 70), st.integers(0, 70))
def test_caseless_search_is_search_ignoring_case(text: str, start: int, end: int) -> None:
    for caseless in (_KEPT, _ROLLBACK, *[_Caseless.compile(p.replace(" ", r"[ \t\r\n]+"))
                                          for p, _ in _BLAME]):
        assert caseless.search(text, start, end) == \
            (caseless.exact.search(text, start, end) is not None)


def _may_blame_as_written_first(text: str) -> bool:
    """_may_blame before _Caseless: each window searched ignoring case."""
    lowered = text.lower()
    for word, phrases in _BLAME_BY_WORD.items():
        start = lowered.find(word)
        while start != -1:
            if phrases.exact.search(text, max(0, start - 40), start + len(word) + 40):
                return True
            start = lowered.find(word, start + 1)
    return False


@given(st.lists(st.sampled_from(["human", "Human", "HUMAN", "operator", "user", "uſer",
                                 "error", "errors", "ERROR", "careleſs", "careless", "should",
                                 "have", "known", "fault", "of", "blame", "on", "ſloppy", "lazy",
                                 "forgot", "to", "人为", "错误", " ", "\n", "  ", "İ", "x" * 30]),
                max_size=30))
def test_may_blame_is_as_before(words: list[str]) -> None:
    text = "".join(words)
    assert _may_blame(text) == _may_blame_as_written_first(text)
