"""A real build of the example COEs, and the guarantees around it."""

from __future__ import annotations

import os
from datetime import date
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coe.cli import main

from .conftest import MINIMAL_COE, ROOT, TODAY, coe_in, write_coe
from .golden import assert_golden

def test_build_says_what_it_built(built: Path) -> None:
    output = (built / "build-output.txt").read_text(encoding="utf-8").splitlines()
    assert output[-1].startswith("12 COEs, 21 reports -> site/ in ")
    assert output[-1].endswith(" s")


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
    result = coe_in(built, "build", "--today", TODAY, "--site-dir", str(tmp_path / "again"))
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
    write_coe(in_tmp / "coes", MINIMAL_COE.replace("severity: 3", "severity: high"))
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


def small_repo(root: Path, drafts: str = "show") -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "drafts: show", f"drafts: {drafts}")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "docs").mkdir()
    write_coe(root / "coes", MINIMAL_COE.replace("status: draft", "status: in-review"), "2025-10-20-review")
    write_coe(root / "coes", MINIMAL_COE.replace("COE-1", "COE-2"), "2025-10-20-draft")


def test_drafts_can_be_left_out(in_tmp: Path) -> None:
    small_repo(in_tmp, drafts="hide")
    result = CliRunner().invoke(main, ["build", "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 COEs, 8 reports")
    assert not (in_tmp / "site/coes/2025-10-20-draft").exists()
    index = (in_tmp / "site/coes/index.html").read_text(encoding="utf-8")
    assert "1 drafts not shown" in index
    review = (in_tmp / "site/coes/2025-10-20-review/index.html").read_text(encoding="utf-8")
    assert "<strong>In review</strong>" in review


def test_drafts_are_shown_marked(in_tmp: Path) -> None:
    small_repo(in_tmp)
    assert CliRunner().invoke(main, ["build", "--today", TODAY]).exit_code == 0
    page = (in_tmp / "site/coes/2025-10-20-draft/index.html").read_text(encoding="utf-8")
    assert "<strong>Draft</strong>: this COE is still being written" in page


def test_missing_dot_is_one_line_saying_how_to_install(in_tmp: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    small_repo(in_tmp)
    (in_tmp / "coes/2025-10-20-review/coe.yaml").write_text(
        (ROOT / "tests/examples/valid/2026-03-02-chinese-published/coe.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    monkeypatch.setenv("PATH", str(in_tmp / "no-such-bin"))
    result = CliRunner().invoke(main, ["build", "--today", TODAY])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "Graphviz's dot was not found; install it: apt-get install graphviz" in lines[0]
    assert not (in_tmp / "site").exists()


def test_plain_mkdocs_build_uses_the_plugin(in_tmp: Path) -> None:
    import subprocess
    import sys

    small_repo(in_tmp)
    mkdocs = Path(sys.executable).parent / "mkdocs"
    done = subprocess.run([str(mkdocs), "build", "-q"], capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1764201600"})
    assert done.returncode == 0, done.stderr
    assert (in_tmp / "site/coes/2025-10-20-review/index.html").is_file()
    assert "as of 2025-11-27" in (in_tmp / "site/coes/index.html").read_text(encoding="utf-8")


def test_plain_mkdocs_build_refuses_bad_coes_with_validate_lines(in_tmp: Path) -> None:
    import subprocess
    import sys

    small_repo(in_tmp)
    write_coe(in_tmp / "coes", MINIMAL_COE.replace("severity: 3", "severity: 9"), "2025-10-20-draft")
    mkdocs = Path(sys.executable).parent / "mkdocs"
    done = subprocess.run([str(mkdocs), "build"], capture_output=True, text=True)
    assert done.returncode == 1
    assert ("coes/2025-10-20-draft/coe.yaml:5:11: error COE013 "
            "severity must be an integer from 1 to 5, got the number 9") in done.stderr


def site_snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}


def leftovers(root: Path) -> list[str]:
    """Temporary folders or files a build left beside the site or in the cache."""
    found = [p.name for p in root.iterdir() if p.name.startswith(".site")]
    found += [p.name for p in (root / ".cache").rglob(".tmp-*")] if (root / ".cache").exists() else []
    return found


def test_a_dot_crash_names_the_coe_and_keeps_the_old_site(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from coe.render import diagrams

    small_repo(in_tmp)
    (in_tmp / "coes/2025-10-20-review/coe.yaml").write_text(
        (ROOT / "tests/examples/valid/2026-03-02-chinese-published/coe.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    assert CliRunner().invoke(main, ["build", "--today", TODAY]).exit_code == 0
    before = site_snapshot(in_tmp)
    shutil.rmtree(in_tmp / ".cache")

    def crash(command, data, timeout):
        return subprocess.CompletedProcess(command, 139, b"", b"Segmentation fault in dot\n")

    monkeypatch.setattr(diagrams, "_run_dot", crash)
    result = CliRunner().invoke(main, ["build", "--today", TODAY])
    assert result.exit_code == 1
    assert "coes/2025-10-20-review" in result.stderr and "Segmentation fault" in result.stderr
    assert site_snapshot(in_tmp) == before
    assert leftovers(in_tmp) == []


def test_an_interrupted_build_keeps_the_old_site_and_leaves_nothing(in_tmp: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs.commands import build as mkdocs_build

    small_repo(in_tmp)
    assert CliRunner().invoke(main, ["build", "--today", TODAY]).exit_code == 0
    before = site_snapshot(in_tmp)
    real = mkdocs_build._build_page
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # half-way through writing pages
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(mkdocs_build, "_build_page", interrupted)
    result = CliRunner().invoke(main, ["build", "--today", TODAY])
    assert result.exit_code != 0
    assert site_snapshot(in_tmp) == before
    assert leftovers(in_tmp) == []


def test_a_truncated_cache_entry_is_rebuilt(in_tmp: Path) -> None:
    small_repo(in_tmp)
    (in_tmp / "coes/2025-10-20-review/coe.yaml").write_text(
        (ROOT / "tests/examples/valid/2026-03-02-chinese-published/coe.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    assert CliRunner().invoke(main, ["build", "--today", TODAY]).exit_code == 0
    page = in_tmp / "site/coes/2025-10-20-review/index.html"
    good = page.read_text(encoding="utf-8")
    for entry in (in_tmp / ".cache/diagrams").glob("*.svg"):
        entry.write_text(entry.read_text(encoding="utf-8")[:200], encoding="utf-8")
    assert CliRunner().invoke(main, ["build", "--today", TODAY]).exit_code == 0
    assert page.read_text(encoding="utf-8") == good


def test_every_section_heading_of_the_template_is_marked() -> None:
    """The site hands a COE page's HTML past Markdown between its marked headings."""
    from coe.render.pages import SECTION_MARK, SECTION_TITLES

    lines = (ROOT / "templates/site/coe.md.jinja").read_text(encoding="utf-8").splitlines()
    headings = [line[3:] for line in lines if line.startswith("## ")]
    assert tuple(headings) == SECTION_TITLES
    assert all(lines[i - 1] == SECTION_MARK for i, line in enumerate(lines) if line.startswith("## "))


def test_a_heading_inside_a_code_block_stays_in_it() -> None:
    from coe.site.page_store import markup_key, split_sections

    # A Markdown field's code block can hold a line that looks like a section heading;
    # only the template's headings (after the section mark) split the page.
    page = ("---\ntitle: x\n---\n\n<!--coe-section-->\n## Impact\n\n<pre><code>x\n"
            "## Timeline\n# comment\n</code></pre>\n")
    markdown, blocks = split_sections("p", page)
    assert markdown.count("<!--coe-html:") == 1
    assert "\n## Impact\n" in markdown and "## Timeline" not in markdown
    assert blocks[markup_key("p", 0)] == "<pre><code>x\n## Timeline\n# comment\n</code></pre>"


def test_a_page_is_put_together_by_keys_no_name_can_break(tmp_path: Path) -> None:
    """Even a COE whose folder name validation would refuse cannot write markup: the
    blocks and pictures of its page travel under hashed keys, never under its name."""
    import dataclasses
    import re

    import markdown as python_markdown

    from coe.site.plan import Plan, _plan_coe_pages
    from coe.validate import validate

    hostile = "2026-03-03-a--><img src=x onerror=alert(document.domain)><!--"
    text = MINIMAL_COE + ("whys:\n  problem: p\n  causes:\n    - {id: W1, because: b, "
                          "root_cause: true, category: other}\n")
    model = validate([write_coe(tmp_path, text)], keep_models=True).checked[0].model
    coe = dataclasses.replace(model, slug=hostile)
    plan = Plan()
    _plan_coe_pages(plan, [coe], {}, date.fromisoformat(TODAY), None, None)
    [(uri, page)] = plan.pages.items()
    keys = re.findall(r"<!--coe-(?:html|svg):([^>]*)-->", page)
    assert keys and all(re.fullmatch(r"[0-9a-f]{20}-[0-9a-z-]+", key) for key in keys)
    html = python_markdown.markdown(page.split("\n---\n", 1)[1])
    finished = plan.fill_placeholders(plan.fill_html(plan.searchable_html(html)))
    assert "onerror" not in finished and "<img" not in finished
    assert "coe-html" not in finished and "coe-svg" not in finished  # every block filled
    assert finished.count("<svg") == 1  # the why-tree
