"""The `search` option of the coe plugin: material's search (lunr) or Pagefind's."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coe.site import search
from coe.cli import main
from coe.plugin import CoeConfig

from .conftest import MINIMAL_COE, ROOT, TODAY, write_coe

ARTICLE = '<article class="md-content__inner md-typeset">'
PAGE = ('<html lang="en"><body><header class="md-header"><nav class="md-header__inner">'
        '<a href="..">home</a></nav></header><main>' + ARTICLE + "<h1>T</h1></article></main>"
        "<footer><nav>footer</nav></footer></body></html>")


def config_errors(options: dict) -> list[str]:
    config = CoeConfig()
    config.load_dict(options)
    failed, _warnings = config.validate()
    return [f"{name}: {error}" for name, error in failed]


def test_search_defaults_to_material_and_accepts_pagefind() -> None:
    config = CoeConfig()
    config.load_dict({})
    assert config.validate() == ([], [])
    assert config.search == "material"
    assert config_errors({"search": "pagefind"}) == []


def test_an_unknown_search_is_a_config_error_naming_the_choices() -> None:
    [error] = config_errors({"search": "lunr"})
    assert error.startswith("search: ")
    assert "'material'" in error and "'pagefind'" in error


def test_only_coe_pages_and_reports_that_are_no_lists_are_indexed() -> None:
    generated = {"coes/2025-10-20-a/index.md", "coes/index.md", "index.md", "recurrence.md",
                 "review-rules.md", "actions/index.md", "actions/overdue.md",
                 "services/index.md", "services/checkout/index.md"}
    chosen = {uri for uri in generated | {"coe-format.md", "search.md"}
              if search.indexed(uri, generated)}
    assert chosen == {"coes/2025-10-20-a/index.md", "index.md", "review-rules.md",
                      "services/index.md"}


def test_prepare_page_marks_the_article_and_adds_a_header_box() -> None:
    html = search.prepare_page(PAGE, index=True, search_url="../search/")
    assert f'{ARTICLE[:-1]} data-pagefind-body>' in html
    header = html.split("</header>")[0]
    assert header.endswith('autocomplete="off" autocapitalize="off" spellcheck="false" required>'
                           "</form></nav>")
    assert 'action="../search/" method="get"' in header
    assert html.count("coe-search-box") == 1  # in the header's nav, not the footer's


def test_prepare_page_leaves_unindexed_pages_and_material_search_alone() -> None:
    assert search.prepare_page(PAGE, index=False, search_url=None) == PAGE


def test_chinese_characters_are_split_in_text_only() -> None:
    html = '<h2 id="解析器">DNS 解析器过载</h2><a title="支付">支付失败 ok</a>'
    split = search.split_han(html)
    hair = search.HAIR_SPACE
    assert split == (f'<h2 id="解析器">DNS 解{hair}析{hair}器{hair}过{hair}载</h2>'
                     f'<a title="支付">支{hair}付{hair}失{hair}败 ok</a>')
    assert search.split_han("<p>no Chinese here</p>") == "<p>no Chinese here</p>"


def test_the_index_copy_keeps_the_words_of_adjacent_cells_apart() -> None:
    html = "<dl><dt>ID</dt><dd>COE-1</dd></dl><tr><td>ana</td><td>high</td>\n</tr>"
    assert search.index_copy(html) == ("<dl><dt>ID</dt> <dd>COE-1</dd> </dl>"
                                       "<tr><td>ana</td> <td>high</td>\n</tr>")


def test_the_search_page_is_a_box_for_pagefinds_ui() -> None:
    page = search.search_page()
    assert page.startswith("---\ntitle: Search\n")
    assert '<div id="coe-search" class="coe-search"></div>' in page


def fake_pagefind(folder: Path, script: str) -> Path:
    path = folder / "fake-pagefind"
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def marked_site(folder: Path) -> Path:
    site = folder / "site"
    (site / "coes/a").mkdir(parents=True)
    (site / "coes/a/index.html").write_text(PAGE.replace(ARTICLE, ARTICLE[:-1] + " data-pagefind-body>")
                                            .replace("<h1>T</h1>", "<h1>T</h1><p>解析器 rotation</p>"),
                                            encoding="utf-8")
    (site / "coe-format").mkdir()
    (site / "coe-format/index.html").write_text(PAGE, encoding="utf-8")
    return site


def test_pagefind_indexes_the_marked_pages_and_leaves_nothing_beside_the_site(tmp_path: Path) -> None:
    site = marked_site(tmp_path)
    search.run_pagefind(site)
    assert (site / "pagefind/pagefind.js").is_file()
    assert (site / "pagefind/pagefind-ui.js").is_file()
    assert len(list((site / "pagefind/fragment").iterdir())) == 1  # the marked page only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (site / "coes/a/index.html").read_text(encoding="utf-8").count(search.HAIR_SPACE) == 0


def test_a_failed_pagefind_run_is_one_line_with_its_last_words(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    site = marked_site(tmp_path)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(
        tmp_path, "echo 'Running Pagefind'\necho 'Error: no space left on device' >&2\nexit 3\n")))
    with pytest.raises(search.SearchError) as raised:
        search.run_pagefind(site)
    assert str(raised.value) == ("search: pagefind failed (exit status 3): "
                                 "Error: no space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-pagefind", "site"]


def test_a_missing_pagefind_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pagefind.service", None)  # import fails
    with pytest.raises(search.SearchError, match=r"pip install 'coe-tool\[pagefind\]'"):
        search.pagefind_executable()


def pagefind_repo(root: Path, *, material_search: bool = False) -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "      drafts: show", "      search: pagefind\n      drafts: show")
    if not material_search:
        config = config.replace("  - search:\n", "  - search:\n      enabled: false\n")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "docs").mkdir()
    write_coe(root / "coes", MINIMAL_COE.replace("Error rate rises", "Error rate rises past the quokka"))


def test_a_pagefind_site_has_the_index_the_page_and_the_header_box(in_tmp: Path) -> None:
    pagefind_repo(in_tmp)
    result = CliRunner().invoke(main, ["build", "--strict", "--today", TODAY])
    assert result.exit_code == 0, result.output
    site = in_tmp / "site"
    assert (site / "pagefind/pagefind.js").is_file()
    assert not (site / "search/search_index.json").exists()
    assert (site / "assets/coe/coe-search.js").is_file()
    page = (site / "coes/2025-10-20-checkout/index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" in page
    assert 'action="../../search/"' in page and "coe-search.js" in page
    assert 'id="coe-search"' in (site / "search/index.html").read_text(encoding="utf-8")


def test_with_material_search_still_on_both_indexes_are_built(in_tmp: Path) -> None:
    pagefind_repo(in_tmp, material_search=True)
    result = CliRunner().invoke(main, ["build", "--today", TODAY])
    assert result.exit_code == 0, result.output
    site = in_tmp / "site"
    assert (site / "pagefind/pagefind.js").is_file()
    assert (site / "search/search_index.json").is_file()
    page = (site / "coes/2025-10-20-checkout/index.html").read_text(encoding="utf-8")
    assert "coe-search-box" not in page  # material's box stays the header's only one


def test_a_failed_pagefind_run_fails_the_build_in_one_line_and_keeps_the_old_site(
        in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pagefind_repo(in_tmp)
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--today", TODAY]).exit_code == 0
    before = {p: p.read_bytes() for p in (in_tmp / "site").rglob("*") if p.is_file()}
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(
        in_tmp, "echo 'Error: could not write the index' >&2\nexit 1\n")))
    result = runner.invoke(main, ["build", "--today", TODAY])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["build failed: search: pagefind failed (exit status 1): Error: could "
                     "not write the index; the previous site was left as it was"]
    after = {p: p.read_bytes() for p in (in_tmp / "site").rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in in_tmp.iterdir() if p.name.startswith(".site")] == []


def test_pagefind_missing_stops_the_build_before_it_starts(in_tmp: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    pagefind_repo(in_tmp)
    monkeypatch.setitem(sys.modules, "pagefind.service", None)
    result = CliRunner().invoke(main, ["build", "--today", TODAY])
    assert result.exit_code == 1
    assert ("build failed: search: pagefind needs the Pagefind package: "
            "pip install 'coe-tool[pagefind]'; the previous site") in result.stderr
    assert not (in_tmp / "site").exists()
