"""The built site in real Chromium: what a reader sees, offline, without errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coe.model import build_coe
from coe.validate import validate

from ..conftest import ROOT
from .conftest import assert_clean, screenshot

AUTH = "2025-08-05-auth-key-rotation-stale-jwks"
DNS_CN = "2025-11-11-internal-dns-resolver-overload"


def model(slug: str):
    return build_coe(validate([ROOT / "coes" / slug], keep_data=True).checked[0].source)


@pytest.fixture
def site(built: Path, serve) -> str:
    return serve(built / "site")


def test_coe_page_shows_tree_timeline_and_cards(site: str, page, tmp_path: Path) -> None:
    coe = model(AUTH)
    page.goto(f"{site}coes/{AUTH}/")
    expect(page.locator("h1")).to_have_text(coe.title)
    diagram = page.locator(".coe-whys__diagram svg")
    expect(diagram).to_be_visible()
    assert diagram.locator("g.node").count() == len(coe.whys.nodes()) + 1
    assert diagram.locator("g.edge").count() == len(coe.whys.nodes())
    expect(page.locator(".coe-timeline > li")).to_have_count(len(coe.timeline))
    expect(page.locator(".coe-timeline > li").first).to_be_visible()
    cards = page.locator(".coe-card")
    expect(cards).to_have_count(5)
    expect(cards.filter(has_text="Time to mitigate")).to_contain_text("42 min")
    expect(page.locator(".coe-graph svg")).to_be_visible()
    shot = screenshot(page, tmp_path / "coe-page.png")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        page.set_viewport_size({"width": 1280, "height": 1400})
        page.screenshot(path=str(ROOT / "docs/images/coe-page.png"))
    assert shot.stat().st_size > 10_000
    assert_clean(page)


def test_action_ids_on_the_tree_link_to_the_items(site: str, page) -> None:
    page.goto(f"{site}coes/{AUTH}/")
    link = page.locator(".coe-whys__diagram svg a[*|href^='#action-']").first
    target = link.get_attribute("href") or link.get_attribute("xlink:href")
    assert target and page.locator(f"tr{target}").count() == 1
    assert_clean(page)


def unique_word(slug: str) -> str:
    """A word of the COE's timeline that no other COE uses: found by search, it names one page."""
    others = " ".join(
        [(p / "coe.yaml").read_text(encoding="utf-8").lower()
         for p in (ROOT / "coes").iterdir() if p.name != slug]
        + [p.read_text(encoding="utf-8").lower() for p in (ROOT / "docs").rglob("*.md")]
    )
    for entry in model(slug).timeline:
        for word in re.findall(r"[A-Za-z]{7,}", entry.event):
            if word.lower() not in others:
                return word
    raise AssertionError("no unique timeline word")


def search(page, site: str, words: str) -> None:
    """Type `words` into material's search box and wait for its results to settle."""
    page.goto(site)
    page.locator("input.md-search__input").click()
    # Material loads its index in a worker; what is typed before it is ready is lost.
    expect(page.locator(".md-search-result__meta")).to_have_text("Type to start searching")
    box = page.locator("input.md-search__input")
    box.fill(words)
    box.press("End")  # material searches on keyup; fill() alone types no key
    expect(page.locator(".md-search-result__meta")).to_contain_text(
        re.compile(r"\d+ matching document"))


def test_search_finds_a_coe_by_a_word_of_its_timeline(site: str, page) -> None:
    word = unique_word(AUTH)
    search(page, site, word)
    results = page.locator(".md-search-result__item a")
    expect(results.first).to_be_visible()
    hrefs = {results.nth(i).get_attribute("href") or "" for i in range(results.count())}
    assert {href.split("#")[0] for href in hrefs} == {f"{site}coes/{AUTH}/"}
    assert_clean(page)


def test_search_finds_a_coe_by_a_chinese_word(site: str, page) -> None:
    assert "解析器" in model(DNS_CN).title
    search(page, site, "解析器")
    results = page.locator(".md-search-result__item a")
    expect(results.first).to_be_visible()
    hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any(DNS_CN in href for href in hrefs)
    assert_clean(page)


def test_index_filters_by_severity_service_and_status(site: str, page) -> None:
    coes = [model(p.name) for p in sorted((ROOT / "coes").iterdir())]
    page.goto(f"{site}coes/")
    visible = page.locator(".coe-index tbody tr:visible")
    expect(visible).to_have_count(len(coes))
    page.select_option("select[data-filter='severity']", "1")
    expect(visible).to_have_count(sum(c.severity == 1 for c in coes))
    page.select_option("select[data-filter='severity']", "")
    page.select_option("select[data-filter='services']", "config-push")
    with_service = [c for c in coes if "config-push" in c.services]
    expect(visible).to_have_count(len(with_service))
    page.select_option("select[data-filter='status']", "draft")
    drafts = sum(c.status == "draft" for c in with_service)
    expect(visible).to_have_count(drafts)
    expect(page.locator("[data-filter-count]")).to_have_text(f"{drafts} shown")
    assert_clean(page)


def test_every_page_loads_offline_without_errors(built: Path, site: str, page) -> None:
    for html in sorted((built / "site").rglob("index.html")):
        path = html.parent.relative_to(built / "site").as_posix()
        page.goto(site + ("" if path == "." else path + "/"))
        expect(page.locator("h1").first).to_be_visible()
    assert_clean(page)
