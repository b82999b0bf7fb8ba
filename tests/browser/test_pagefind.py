"""`search: pagefind` in real Chromium: the header's box, the Search page, offline."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect


from ..conftest import ROOT, TODAY, coe_in
from .conftest import assert_clean
from .test_site import AUTH, DNS_CN, model

MATERIAL_SEARCH = re.compile(r"^  - search:\n(?:      .*\n)+", re.M)


@pytest.fixture(scope="module")
def pagefind_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example COEs built with `search: pagefind` and without material's search
    plugin, as the README says to set it up."""
    repo = tmp_path_factory.mktemp("pagefind-repo")
    shutil.copytree(ROOT / "coes", repo / "coes")
    shutil.copytree(ROOT / "docs", repo / "docs")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = MATERIAL_SEARCH.sub("", config).replace("      drafts: show", "      drafts: show\n      search: pagefind")
    assert "  - search:" not in config and "search: pagefind" in config
    (repo / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = coe_in(repo, "build", "--strict", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert not (repo / "site/search/search_index.json").exists()
    return repo / "site"


def unique_stem(slug: str) -> str:
    """A word of the COE's timeline whose first six letters no other COE uses: Pagefind
    stems words ("publishes" finds "published"), so only then does it name one page."""
    others = " ".join((p / "coe.yaml").read_text(encoding="utf-8").lower()
                      for p in (ROOT / "coes").iterdir() if p.name != slug)
    for entry in model(slug).timeline:
        for word in re.findall(r"[A-Za-z]{7,}", entry.event):
            if word.lower()[:6] not in others:
                return word
    raise AssertionError("no timeline word of a unique stem")


def result_links(page) -> list[str]:
    """The pages of the search results shown (sub-results, links to sections, left out)."""
    links = page.locator(".pagefind-ui__result-link")
    expect(links.first).to_be_visible()
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    return [href for href in hrefs if "#" not in href]


def test_the_header_box_finds_a_coe_by_a_word_of_its_timeline(pagefind_site: Path, serve, page) -> None:
    site = serve(pagefind_site)
    word = unique_stem(AUTH)
    page.goto(f"{site}coes/")
    box = page.locator("header form.coe-search-box input")
    box.fill(word)
    box.press("Enter")
    expect(page.page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.locator(".pagefind-ui__message")).to_have_text(re.compile(r"1 result for"))
    assert result_links(page) == [f"/coes/{AUTH}/"]
    expect(page.locator(".pagefind-ui__result-excerpt mark").first).to_have_text(
        re.compile(word, re.I))
    assert_clean(page)


def test_the_search_page_finds_a_coe_by_a_chinese_word(pagefind_site: Path, serve, page) -> None:
    assert "解析器" in model(DNS_CN).title
    site = serve(pagefind_site)
    page.goto(f"{site}search/")
    box = page.locator("input.pagefind-ui__search-input")
    box.fill("解析器")
    links = result_links(page)
    assert links[0] == f"/coes/{DNS_CN}/"  # the COE itself first, before reports naming it
    # the excerpt reads as Chinese: no gaps between the characters the index splits
    title = page.locator(".pagefind-ui__result-title .pagefind-ui__result-link").first
    expect(title).to_have_text(model(DNS_CN).title)
    assert_clean(page)


def test_the_search_loads_pieces_of_the_index(pagefind_site: Path, serve, page) -> None:
    site = serve(pagefind_site)
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    page.goto(f"{site}search/?q=JWKS")
    result_links(page)
    chunks = [url for url in fetched if url.endswith(".pf_index")]
    assert 0 < len(chunks) < len(list((pagefind_site / "pagefind/index").iterdir()))
    assert not any(url.endswith("search_index.json") for url in fetched)
    assert_clean(page)
