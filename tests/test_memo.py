"""The memo that spares `mkdocs serve` re-reading unchanged COEs: it must never change a result."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from coe import validate as validation
from coe.review import ReviewSettings, RuleSetting, settings_from_config
from coe.memo import Memo, memo_path
from coe.results import Report
from coe.validate import validate

from .conftest import EXAMPLES, MINIMAL_COE, ROOT, write_coe

TODAY = date(2026, 11, 27)
SETTINGS = settings_from_config(None, TODAY)
GRAPH = MINIMAL_COE.replace(
    "  customer_experience: Checkout failed with HTTP 500.\n",
    "  customer_experience: Checkout failed with HTTP 500.\n"
    "  graphs:\n    - {title: 5xx rate, data: rate.csv, unit: '%', threshold: 1}\n",
)
GOOD_CSV = "time,value\n2025-10-20T06:40:00Z,0.1\n"
OPEN_ITEM = MINIMAL_COE + (
    "action_items:\n"
    "  - {id: AI-1, title: Fix it, owner: ana, priority: high, due: 2026-12-01, status: open,\n"
    "     link: 'https://tickets.example.com/1'}\n"
)


def coe_text(number: int) -> str:
    return MINIMAL_COE.replace("id: COE-1\n", f"id: COE-{number}\n")


def repository(tmp_path: Path, count: int = 3) -> Path:
    for number in range(1, count + 1):
        write_coe(tmp_path / "coes", coe_text(number), f"2025-10-20-incident-{number}")
    return tmp_path / "coes"


def shown(report: Report) -> list[tuple]:
    """Everything a report says, file by file, for comparing two reports."""
    return [(c.path, c.display, c.valid, c.readable, c.identity, sorted(c.problems),
             c.model, c.source is not None) for c in report.checked]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose YAML validation reads, in the order it reads them."""
    read: list[str] = []
    real = validation.parse_text

    def counting(text: str, path: Path, shown: str):  # type: ignore[no-untyped-def]
        read.append(shown)
        return real(text, path, shown)

    def counting_ids(text: str, shown: str):  # type: ignore[no-untyped-def]
        read.append(shown)  # a file of the repository read only for its id
        return real_ids(text, shown)

    real_ids = validation._identity_in
    monkeypatch.setattr(validation, "parse_text", counting)
    monkeypatch.setattr(validation, "_identity_in", counting_ids)
    return read


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, parses: list[str]) -> None:
    coes, memo = repository(tmp_path), Memo()
    first = validate([coes], settings=SETTINGS, root=tmp_path, memo=memo)
    assert len(parses) == 3 and (memo.hits, memo.misses) == (0, 3)
    parses.clear()
    second = validate([coes], settings=SETTINGS, root=tmp_path, memo=memo)
    assert parses == [] and (memo.hits, memo.misses) == (3, 0)
    assert shown(second) == shown(first)


def test_a_changed_file_is_read_again_and_only_it(tmp_path: Path, parses: list[str]) -> None:
    coes, memo = repository(tmp_path), Memo()
    validate([coes], settings=SETTINGS, root=tmp_path, memo=memo)
    changed = coes / "2025-10-20-incident-2" / "coe.yaml"
    changed.write_text(coe_text(2).replace("severity: 3", "severity: 9"), encoding="utf-8")
    parses.clear()
    report = validate([coes], settings=SETTINGS, root=tmp_path, memo=memo)
    assert parses == ["coes/2025-10-20-incident-2/coe.yaml"]
    assert [p.rule for p in report.problems] == ["COE013"]
    assert shown(report) == shown(validate([coes], settings=SETTINGS, root=tmp_path))


def test_cross_coe_checks_still_see_unchanged_files(tmp_path: Path, parses: list[str]) -> None:
    coes, memo = repository(tmp_path), Memo()
    validate([coes], settings=SETTINGS, root=tmp_path, memo=memo)
    # COE 3 takes the id of COE 1, which is not read again
    (coes / "2025-10-20-incident-3" / "coe.yaml").write_text(coe_text(1), encoding="utf-8")
    parses.clear()
    report = validate([coes], settings=SETTINGS, root=tmp_path, memo=memo)
    assert parses == ["coes/2025-10-20-incident-3/coe.yaml"]
    assert [(Path(p.path).parent.name, p.rule) for p in report.problems] == [
        ("2025-10-20-incident-1", "COE022"), ("2025-10-20-incident-3", "COE022")]
    # and the memo kept no cross-COE problem: the clash gone, it is gone
    (coes / "2025-10-20-incident-3" / "coe.yaml").write_text(coe_text(3), encoding="utf-8")
    assert validate([coes], settings=SETTINGS, root=tmp_path, memo=memo).problems == []
    assert memo.hits == 2


def test_a_changed_graph_csv_is_honoured(tmp_path: Path, parses: list[str]) -> None:
    path = write_coe(tmp_path, GRAPH)
    csv = path.parent / "rate.csv"
    csv.write_text(GOOD_CSV, encoding="utf-8")
    memo = Memo()
    assert validate([path], settings=SETTINGS, memo=memo, keep_models=True).problems == []
    csv.write_text("time,value\n2025-10-20T06:40:00Z,high\n", encoding="utf-8")
    report = validate([path], settings=SETTINGS, memo=memo, keep_models=True)
    assert [(Path(p.path).name, p.rule) for p in report.problems] == [("rate.csv", "COE024")]
    csv.write_text(GOOD_CSV.replace("0.1", "0.7"), encoding="utf-8")
    report = validate([path], settings=SETTINGS, memo=memo, keep_models=True)
    assert report.checked[0].model.impact.graphs[0].points[0][1] == 0.7
    csv.unlink()
    report = validate([path], settings=SETTINGS, memo=memo, keep_models=True)
    assert [p.rule for p in report.problems] == ["COE024"]
    assert len(parses) == 4  # every run read the COE again: its CSV had changed


def test_a_changed_narrative_and_linked_file_are_honoured(tmp_path: Path) -> None:
    text = MINIMAL_COE.replace("Error rate rises", "Error rate rises, see ![graph](graph.png)")
    path = write_coe(tmp_path, text)
    memo = Memo()
    assert [p.rule for p in validate([path], settings=SETTINGS, memo=memo).problems] == ["COE027"]
    (path.parent / "graph.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert validate([path], settings=SETTINGS, memo=memo).problems == []
    (path.parent / "narrative.md").write_text("It was human error.\n", encoding="utf-8")
    assert [p.rule for p in validate([path], settings=SETTINGS, memo=memo).problems] == ["COE108"]
    (path.parent / "narrative.md").write_text("See [x](missing.txt).\n", encoding="utf-8")
    assert [p.rule for p in validate([path], settings=SETTINGS, memo=memo).problems] == ["COE027"]
    (path.parent / "missing.txt").write_text("here now\n", encoding="utf-8")
    assert validate([path], settings=SETTINGS, memo=memo).problems == []


def test_a_changed_today_or_setting_is_honoured(tmp_path: Path, parses: list[str]) -> None:
    path = write_coe(tmp_path, OPEN_ITEM)
    memo = Memo()
    before = settings_from_config(None, date(2026, 11, 27))
    after = settings_from_config(None, date(2026, 12, 5))
    assert validate([path], settings=before, memo=memo).problems == []
    assert [p.rule for p in validate([path], settings=after, memo=memo).problems] == ["COE110"]
    assert validate([path], settings=before, memo=memo).problems == []
    off = settings_from_config({"COE110": "off"}, date(2026, 12, 5))
    assert validate([path], settings=off, memo=memo).problems == []
    raised = ReviewSettings((("COE110", RuleSetting(validation.Level.ERROR)),), date(2026, 12, 5))
    assert [p.level for p in validate([path], settings=raised, memo=memo).problems] == [
        validation.Level.ERROR]
    assert len(parses) == 5


def test_without_a_today_the_memo_keys_on_the_clock(tmp_path: Path, parses: list[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_coe(tmp_path, OPEN_ITEM)
    memo = Memo()
    clock = type("Clock", (date,), {"today": classmethod(lambda cls: date(2026, 11, 27))})
    monkeypatch.setattr(validation, "date", clock)
    monkeypatch.setattr("coe.review.date", clock)
    assert validate([path], memo=memo).problems == []
    clock.today = classmethod(lambda cls: date(2026, 12, 5))  # type: ignore[method-assign]
    assert [p.rule for p in validate([path], memo=memo).problems] == ["COE110"]
    assert len(parses) == 2


def test_models_and_data_are_those_asked_for(tmp_path: Path) -> None:
    coes, memo = repository(tmp_path, 2), Memo()
    write_coe(coes, "title: [unclosed\n", "2025-10-20-broken")
    for keep_models, keep_data in [(False, False), (True, False), (False, True), (True, True),
                                   (True, True), (False, False)]:
        with_memo = validate([coes], settings=SETTINGS, root=tmp_path, memo=memo,
                             keep_models=keep_models, keep_data=keep_data)
        without = validate([coes], settings=SETTINGS, root=tmp_path,
                           keep_models=keep_models, keep_data=keep_data)
        assert shown(with_memo) == shown(without)
        assert [c.source is not None for c in with_memo.checked] == [False] + [keep_data] * 2
    assert memo.hits == 3  # what the runs kept serves the last, which asks for less


def test_the_memo_keeps_only_the_last_runs_files(tmp_path: Path) -> None:
    coes, memo = repository(tmp_path), Memo()
    validate([coes], settings=SETTINGS, root=tmp_path, memo=memo)
    assert len(memo.entries) == 3
    shutil.rmtree(coes / "2025-10-20-incident-3")
    validate([coes], settings=SETTINGS, root=tmp_path, memo=memo)
    assert len(memo.entries) == 2 and memo.hits == 2


def test_unreadable_and_broken_files_give_the_same_problems(tmp_path: Path) -> None:
    coes = repository(tmp_path, 1)
    broken = write_coe(coes, "title: [unclosed\n", "2025-10-20-broken")
    empty = write_coe(coes, "", "2025-10-20-empty")
    memo = Memo()
    for _ in range(2):
        assert shown(validate([coes], settings=SETTINGS, root=tmp_path, memo=memo)) == \
            shown(validate([coes], settings=SETTINGS, root=tmp_path))
    assert memo.hits == 3
    broken.write_text(coe_text(9), encoding="utf-8")
    empty.write_text(coe_text(9), encoding="utf-8")
    report = validate([coes], settings=SETTINGS, root=tmp_path, memo=memo)
    assert [p.rule for p in report.problems] == ["COE022", "COE022"]
    assert memo.misses == 2


def test_every_example_gives_the_same_report_with_and_without_a_memo(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    shutil.copytree(ROOT / "coes", tmp_path / "coes")
    monkeypatch.chdir(tmp_path)
    paths, context = [Path("examples"), Path("coes")], [Path("coes")]
    memo = Memo()
    without = shown(validate(paths, context, SETTINGS))
    assert shown(validate(paths, context, SETTINGS, memo=memo)) == without
    assert shown(validate(paths, context, SETTINGS, memo=memo)) == without
    assert memo.hits == len(without)


def test_in_worker_processes_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "VALIDATE_IN_WORKERS_FROM", 2)
    coes, memo = repository(tmp_path, 4), Memo()
    for keep_models in (False, True, True):
        assert shown(validate([coes], settings=SETTINGS, root=tmp_path, memo=memo,
                              keep_models=keep_models)) == \
            shown(validate([coes], settings=SETTINGS, root=tmp_path, keep_models=keep_models))
    assert (memo.hits, memo.misses) == (4, 0)
    (coes / "2025-10-20-incident-4" / "coe.yaml").write_text(coe_text(1), encoding="utf-8")
    report = validate([coes], settings=SETTINGS, root=tmp_path, memo=memo, keep_models=True)
    assert (memo.hits, memo.misses) == (3, 1)
    assert [p.rule for p in report.problems] == ["COE022", "COE022"]


def test_ids_of_the_rest_of_the_repository_are_remembered(tmp_path: Path,
                                                           parses: list[str]) -> None:
    coes, memo = repository(tmp_path), Memo()
    target = coes / "2025-10-20-incident-1"
    validate([target], [coes], SETTINGS, root=tmp_path, memo=memo)
    assert len(parses) == 3
    parses.clear()
    assert validate([target], [coes], SETTINGS, root=tmp_path, memo=memo).problems == []
    assert parses == []
    (coes / "2025-10-20-incident-2" / "coe.yaml").write_text(coe_text(1), encoding="utf-8")
    report = validate([target], [coes], SETTINGS, root=tmp_path, memo=memo)
    assert parses == ["coes/2025-10-20-incident-2/coe.yaml"]
    assert [(p.path, p.rule) for p in report.problems] == [
        ("coes/2025-10-20-incident-1/coe.yaml", "COE022")]


def test_a_site_memo_spares_serve_reading_unchanged_coes(tmp_path: Path, parses: list[str]) -> None:
    from coe.runtime import unpack
    from coe.site.plan import ServeMemo, plan_site

    coes, memo = repository(tmp_path), ServeMemo()
    first = plan_site(coes, TODAY, root=tmp_path, settings=SETTINGS, memo=memo)
    assert len(parses) == 3 and not first.errors
    second = plan_site(coes, TODAY, root=tmp_path, settings=SETTINGS, memo=memo)
    assert len(parses) == 3 and second.pages == first.pages
    assert {k: unpack(v) for k, v in second.html.items()} == \
        {k: unpack(v) for k, v in first.html.items()}
    path = coes / "2025-10-20-incident-2" / "coe.yaml"
    path.write_text(coe_text(2).replace("Checkout API returned errors", "Checkout API timed out"),
                    encoding="utf-8")
    third = plan_site(coes, TODAY, root=tmp_path, settings=SETTINGS, memo=memo)
    assert parses[3:] == ["coes/2025-10-20-incident-2/coe.yaml"]
    assert (memo.validation.hits, memo.validation.misses) == (2, 1)
    assert "Checkout API timed out" in third.pages["coes/2025-10-20-incident-2/index.md"]


# --- the memo `coe validate` keeps between runs -------------------------------------------


def validate_here(*args: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from coe.cli import main

    return CliRunner().invoke(main, ["validate", "--today", "2026-11-27", *args])


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository of three COEs as the current folder, with a user cache of its own."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    repository(tmp_path)
    write_coe(tmp_path / "coes", OPEN_ITEM.replace("id: COE-1\n", "id: COE-9\n"),
              "2025-10-20-with-an-item")
    return tmp_path


def test_a_second_run_reads_only_what_changed(here: Path, parses: list[str]) -> None:
    first = validate_here()
    assert len(parses) == 4 and memo_path(here).is_file()
    again = validate_here()
    assert len(parses) == 4 and again.output == first.output and again.exit_code == first.exit_code
    path = here / "coes/2025-10-20-incident-3/coe.yaml"
    path.write_text(coe_text(1), encoding="utf-8")  # now a second COE-1
    changed = validate_here()
    assert parses[4:] == ["coes/2025-10-20-incident-3/coe.yaml"]
    assert changed.exit_code == 1 and changed.output.count("COE022") == 2
    assert validate_here("--no-cache").output == changed.output and len(parses) == 9


def test_a_subset_run_keeps_the_rest_and_remembers_their_ids(here: Path, parses: list[str]) -> None:
    validate_here()
    one = validate_here("coes/2025-10-20-incident-1")
    assert len(parses) == 4 and one.exit_code == 0
    validate_here()
    assert len(parses) == 4


def test_other_settings_or_today_read_everything_again(here: Path, parses: list[str]) -> None:
    validate_here()
    (here / "mkdocs.yml").write_text(
        "site_name: x\nplugins:\n  - coe:\n      rules:\n        COE110: error\n", encoding="utf-8")
    assert validate_here().exit_code == 0 and len(parses) == 8
    from click.testing import CliRunner

    from coe.cli import main

    later = CliRunner().invoke(main, ["validate", "--today", "2026-12-05"])
    assert len(parses) == 12 and later.exit_code == 1 and "COE110" in later.output


@pytest.mark.parametrize("damage", [
    "{", "[]", '{"version": 1}', "\udcff",
    # a memo of the right shape whose values are of the wrong kinds
    None,
])
def test_a_damaged_memo_is_ignored(here: Path, parses: list[str], damage: str | None) -> None:
    first = validate_here()
    path = memo_path(here)
    if damage is None:
        text = path.read_text(encoding="utf-8").replace('"problems": []', '"problems": [[1, 2]]')
        text = text.replace('"identity": [', '"identity": [7, ')
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(damage.encode("utf-8", "surrogateescape"))
    again = validate_here()
    assert again.output == first.output and len(parses) == 8


def test_the_memo_is_not_in_the_repository(here: Path) -> None:
    validate_here()
    assert memo_path(here).is_relative_to(here / "user-cache")
    assert not [p for p in (here / "coes").rglob("*") if "cache" in p.name or p.suffix == ".json"]


def test_a_user_without_a_home_validates_without_a_memo(here: Path, parses: list[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # A container's uid with no passwd entry and no HOME: Path.home() cannot answer.
    def no_home(cls: type) -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(Path, "home", classmethod(no_home))
    first, second = validate_here(), validate_here()
    assert first.exit_code == second.exit_code == 0 and first.output == second.output
    assert "Traceback" not in first.output and len(parses) == 8
