"""A real build of the example COEs, and the guarantees around it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coe.cli import main

from .conftest import MINIMAL_COE, ROOT, TODAY, write_coe
from .golden import assert_golden

def test_build_says_what_it_built(built: Path) -> None:
    output = (built / "build-output.txt").read_text(encoding="utf-8")
    assert output.startswith("12 COEs, 2 reports -> site/ in ")
    assert output.endswith(" s\n") and output.count("\n") == 1


def test_every_coe_has_a_page_with_its_title_as_h1(built: Path) -> None:
    for folder in sorted((built / "coes").iterdir()):
        page = built / "site/coes" / folder.name / "index.html"
        assert page.is_file(), folder.name
        html = page.read_text(encoding="utf-8")
        assert html.count("<h1") == 1


def test_pages_are_out_of_the_nav_and_the_index_is_in_it(built: Path) -> None:
    home = (built / "site/index.html").read_text(encoding="utf-8")
    assert 'href="coes/"' in home
    assert "2025-08-05-auth-key-rotation-stale-jwks" not in home.split('<div class="md-content"')[0]


def test_files_linked_from_a_coe_are_published(built: Path) -> None:
    folder = built / "site/coes/2026-01-14-object-storage-fd-exhaustion"
    assert (folder / "dashboard.png").is_file()
    assert (folder / "coe.yaml").is_file()
    assert (built / "site/coes/2025-08-05-auth-key-rotation-stale-jwks/error-rate.csv").is_file()


def test_build_writes_nothing_into_docs_or_coes(built: Path) -> None:
    assert sorted(p.name for p in (built / "docs").iterdir()) == sorted(
        p.name for p in (ROOT / "docs").iterdir())
    assert not list((built / "coes").rglob("*.md.tmp"))


def test_same_input_gives_the_same_site(built: Path, tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(built)
    try:
        result = CliRunner().invoke(main, ["build", "--today", TODAY, "--site-dir", str(tmp_path / "again")])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    first = {p.relative_to(built / "site"): p.read_bytes() for p in (built / "site").rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    different = [str(k) for k in first if first[k] != second[k] and k.name != "sitemap.xml.gz"]
    assert different == []


def test_a_bad_coe_stops_the_build_and_keeps_the_old_site(in_tmp: Path) -> None:
    shutil.copy(ROOT / "mkdocs.yml", in_tmp / "mkdocs.yml")
    (in_tmp / "docs").mkdir()
    write_coe(in_tmp / "coes")
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--today", TODAY]).exit_code == 0
    before = {p: p.read_bytes() for p in (in_tmp / "site").rglob("*") if p.is_file()}
    write_coe(in_tmp / "coes", MINIMAL_COE.replace("severity: 2", "severity: high"))
    result = runner.invoke(main, ["build", "--today", TODAY])
    assert result.exit_code == 1
    assert ("coes/2025-10-20-checkout/coe.yaml:5:11: error COE012 "
            'severity must be an integer from 1 to 5, got "high"') in result.stderr
    assert "previous site was left as it was" in result.stderr
    after = {p: p.read_bytes() for p in (in_tmp / "site").rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in in_tmp.iterdir() if p.name.startswith(".site")) == []


def test_generated_markdown_of_a_coe_page(built: Path) -> None:
    from coe.model import build_coe
    from coe.render import pages
    from coe.validate import validate
    from datetime import date

    checked = validate([ROOT / "coes/2026-03-03-webhooks-url-escaping"], keep_data=True).checked[0]
    coe = build_coe(checked.source)
    markdown = pages.coe_page(coe, date.fromisoformat(TODAY), "<svg>diagram</svg>", ())
    assert_golden("page-coe-1006.md", markdown)
