"""What the tool writes, held still: a change of code that is not meant to change output
(a refactoring) must leave these goldens as they are.

The goldens hold what our own code writes, and nothing that depends on another
program's version: the validation report, the exports, and every page and data file the
site plan holds, with each SVG (drawn by Graphviz or matplotlib) replaced by its place.
`scripts/same-output REV` compares whole built sites, SVGs included, on one machine.
Run with UPDATE_GOLDEN=1 to rewrite them, then review the diff before committing.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
from click.testing import CliRunner

from coe.cli import main
from coe.site.plan import plan_site

from .conftest import ROOT, TODAY
from .golden import assert_golden

_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


def coe(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False,
                                env={"SOURCE_DATE_EPOCH": None, "GITHUB_ACTIONS": None})
    return result.output


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("folder", ["coes", "tests/examples/valid", "tests/examples/weak",
                                    "tests/examples/invalid"])
def test_validation_reports(at_root: None, folder: str) -> None:
    output = coe("validate", "--no-cache", "--format", "json", "--today", TODAY, folder)
    assert_golden(f"outputs/validate-{folder.replace('/', '-')}.json", output)


@pytest.mark.parametrize("args", [("export", "--format", "json"), ("export", "--format", "csv"),
                                  ("actions", "--format", "json"), ("stats", "--format", "json")])
def test_exports_and_reports(at_root: None, args: tuple[str, ...]) -> None:
    output = coe(*args, "--today", TODAY, "--coes", "coes")
    assert_golden(f"outputs/{'-'.join(a.strip('-') for a in args)}.txt", output)


def test_every_page_and_file_the_site_plan_holds() -> None:
    """Each page as it goes to mkdocs, with its HTML blocks filled in, each data file,
    and where each published file comes from: one line each, with a digest."""
    plan = plan_site(ROOT / "coes", date.fromisoformat(TODAY), root=ROOT)
    assert not plan.errors
    lines = []
    for uri, page in sorted(plan.pages.items()):
        text = _SVG.sub("<svg/>", plan.fill_placeholders(plan.fill_html(page)))
        lines.append(f"page {uri} {file_digest(text)} {len(text)}")
    for uri, data in sorted(plan.data.items()):
        text = _SVG.sub("<svg/>", data.decode("utf-8"))
        lines.append(f"data {uri} {file_digest(text)} {len(text)}")
    for uri, path in sorted(plan.files.items()):
        lines.append(f"file {uri} {path.relative_to(ROOT.resolve()).as_posix()}")
    lines.append(f"nav {' '.join(sorted(plan.nav_pages))}")
    assert_golden("outputs/site-plan.txt", "\n".join(lines) + "\n")


def file_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
