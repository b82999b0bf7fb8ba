"""The dashboard and the report pages in real Chromium: charts seen, every link resolving."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import LOCAL_HOSTS, assert_clean

REPORT_PAGES = ["", "actions/", "actions/overdue/", "recurrence/", "services/",
                "services/search/"]
_ID = re.compile(r'\bid="([^"]+)"')


@pytest.fixture
def site(built: Path, serve) -> str:
    return serve(built / "site")


def test_the_dashboard_charts_are_visible(site: str, page) -> None:
    page.goto(site)
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator(".md-content")).to_contain_text("As of 2026-11-27")
    charts = page.locator("figure.coe-chart > svg")
    expect(charts).to_have_count(5)
    text_colour = page.evaluate(
        "getComputedStyle(document.querySelector('.md-content')).color")
    for index in range(5):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 120, box
        assert chart.get_attribute("role") == "img"
        assert len(chart.get_attribute("aria-label") or "") > 20
        # Axis text follows the page's colour (currentColor), so it reads on any theme.
        fill = chart.locator("text").first.evaluate("t => getComputedStyle(t).fill")
        assert fill == text_colour
    assert "Open action items by team" in (charts.nth(4).get_attribute("aria-label") or "")
    cards = page.locator(".coe-card")
    expect(cards.filter(has_text="Overdue action items")).to_contain_text("15")
    expect(cards.filter(has_text="COEs in 2026-Q4")).to_contain_text("3")
    assert_clean(page)


def local_links(page) -> set[str]:
    """Every link of the page as an absolute URL, those leaving the site left out."""
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    return {href for href in hrefs
            if urlsplit(href).scheme in ("http", "https")
            and (urlsplit(href).hostname or "") in LOCAL_HOSTS}


@pytest.mark.parametrize("path", REPORT_PAGES)
def test_every_link_of_the_report_pages_resolves(site: str, page, path: str) -> None:
    page.goto(site + path)
    expect(page.locator("h1").first).to_be_visible()
    links = local_links(page)
    assert any("/coes/" in link for link in links)
    documents: dict[str, str] = {}
    broken = []
    for link in sorted(links):
        document, fragment = urldefrag(link)
        if document not in documents:
            response = page.request.get(document)
            if response.status != 200:
                broken.append(f"{link}: HTTP {response.status}")
                continue
            documents[document] = (response.text()
                                   if "html" in response.headers.get("content-type", "")
                                   else "")
        if fragment and unquote(fragment) not in {
                unquote(found) for found in _ID.findall(documents[document])}:
            broken.append(f"{link}: no element with id {unquote(fragment)!r}")
    assert not broken, "broken links on /" + path + ":\n  " + "\n  ".join(broken)
    assert_clean(page)


def test_an_action_item_link_lands_on_the_item(site: str, page) -> None:
    page.goto(site + "actions/overdue/")
    link = page.locator("a[href*='#action-ai-3']").first
    target = (link.get_attribute("href") or "").split("#")[1]
    link.click()
    expect(page.page).to_have_url(re.compile(f"/coes/[^/]+/#{target}$"))
    expect(page.locator(f"tr#{target}")).to_be_in_viewport()
    assert_clean(page)


def test_the_data_files_download(site: str, page) -> None:
    page.goto(site)
    for name, kind in (("coes.json", "json"), ("action-items.csv", "csv")):
        href = page.locator(f"a[href='{name}']").first.evaluate("a => a.href")
        response = page.request.get(href)
        assert response.status == 200, name
        body = response.text()
        assert body.startswith("{" if kind == "json" else "coe,coe_title,"), name
    assert_clean(page)
