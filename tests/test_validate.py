"""The validation pipeline's own shortcuts: each must give what the plain way gives."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coe import validate as validation
from coe.model import build_coe
from coe.problems import Level, Problem
from coe.repository import display_path
from coe.review.blame import _BLAME, _BLAME_BY_WORD, _FOLDED_ONLY_BY_RE, _Caseless, _may_blame
from coe.review.mitigation import _KEPT, _ROLLBACK
from coe.sources import read_source
from coe.repository import display_resolved, resolve
from coe.results import Checked, Report
from coe.validate import validate

from .conftest import EXAMPLES


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Folders with the symlinks a repository may hold: to folders, files, upwards, nowhere."""
    (tmp_path / "real/a/b").mkdir(parents=True)
    (tmp_path / "real/a/b/coe.yaml").write_text("x")
    (tmp_path / "link").symlink_to("real")
    (tmp_path / "real/a/l2").symlink_to("b")
    (tmp_path / "real/a/b/f").symlink_to("coe.yaml")
    (tmp_path / "real/up").symlink_to("../real/a")
    (tmp_path / "real/a/dangling").symlink_to("nowhere/x")
    (tmp_path / "real/a/abs").symlink_to(tmp_path / "link/a")
    monkeypatch.chdir(tmp_path / "real")
    return tmp_path


PATHS = ["a/b/coe.yaml", "../link/a/b/coe.yaml", "a/l2/coe.yaml", "a/b/f", "up/b/coe.yaml",
         "up/../a/b/coe.yaml", "a/dangling", "a/dangling/y", "missing/x", ".", "..", "a/./b",
         "a/b/../b/coe.yaml", "/", "a//b/coe.yaml", "a/abs/b/coe.yaml", "a/abs/../up/b",
         "coe.yaml"]


@pytest.mark.skipif(os.name != "posix", reason="the shortcut is taken on POSIX only")
def test_resolving_with_known_folders_is_pathresolve(tree: Path) -> None:
    known: dict[str, str] = {}
    names = PATHS + [str(tree / "link/a/b/coe.yaml")]
    for name in names + names[::-1]:
        assert resolve(Path(name), known) == str(Path(name).resolve()), name
        assert resolve(Path(name), {}) == str(Path(name).resolve()), name


@pytest.mark.skipif(os.name != "posix", reason="the shortcut is taken on POSIX only")
def test_display_is_display_path(tree: Path) -> None:
    for name in PATHS:
        path = Path(name)
        for root in (None, Path("."), Path("a"), Path("/"), tree, tree / "link", tree / "real/a/b"):
            base = (root or Path.cwd()).resolve()
            assert display_resolved(path, resolve(path, {}), base) == display_path(path, root), (name, root)


def test_report_sorts_problems_as_problems_sort() -> None:
    rng = random.Random(5)
    problems = [Problem(rng.choice(["a.yaml", "b.yaml", "a/b.yaml"]), rng.randint(1, 3),
                        rng.randint(1, 3), rng.choice(["COE010", "COE101", "COE022"]),
                        rng.choice(["x", "y", "é"]), rng.choice(list(Level)))
                for _ in range(400)]
    checked = [Checked(Path("x"), "x", problems[i:i + 40]) for i in range(0, 400, 40)]
    report = Report(checked)
    assert report.problems == sorted(problems)
    for level in Level:
        assert report.count(level) == sum(1 for p in report.problems if p.level is level)


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


@pytest.mark.parametrize("parallel_from", [2, 1000])
def test_kept_models_have_the_fields_as_their_files_have_them(
        monkeypatch: pytest.MonkeyPatch, parallel_from: int) -> None:
    # Models come back from worker processes with their fields as JSON text; the
    # export must still see every field, in the file's order, Chinese and all.
    monkeypatch.setattr(validation, "VALIDATE_IN_WORKERS_FROM", parallel_from)
    report = validate([EXAMPLES / "valid"], keep_models=True)
    assert len(report.checked) == 4 and all(c.model for c in report.checked)
    for checked in report.checked:
        assert checked.model is not None
        written = checked.model.fields_as_written()
        data = read_source(checked.path, checked.display).data
        assert written == data and list(written) == list(data)
    assert any("支付网关" in json.dumps(c.model.fields_as_written(), ensure_ascii=False)
               for c in report.checked if c.model)


def test_a_model_built_for_the_review_alone_says_so() -> None:
    source = read_source(EXAMPLES / "valid/2025-10-20-minimal-draft/coe.yaml", "coe.yaml")
    assert build_coe(source).fields_as_written() == source.data
    with pytest.raises(ValueError, match="without its fields as written"):
        build_coe(source, written=False).fields_as_written()
