"""The report pages and the dashboard's charts, on the example COEs as of 2026-11-27.

Every expected figure below was worked out by hand from the YAML of coes/ (due dates,
statuses, teams, times, root-cause nodes), not by running the code, and is written as a
literal: a change in a query shows up as a difference from what a person counted.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest

from coe.corpus import load_corpus
from coe.corpus.actions import team_actions
from coe.corpus.window import headline
from coe.model import Coe
from coe.render import dashboard, report_pages
from coe.render.charts import TEXT_SENTINEL
from coe.render.report_pages import safe_slug, service_slugs

from .conftest import ROOT, TODAY
from .test_corpus import OPEN_BY_TEAM, OVERDUE_BY_TEAM

DAY = date.fromisoformat(TODAY)


@pytest.fixture(scope="module")
def coes() -> list[Coe]:
    return list(load_corpus(ROOT / "coes").coes)


@pytest.fixture(scope="module")
def pages(coes: list[Coe]) -> dict[str, str]:
    return report_pages.report_pages(coes, DAY, None)


# --- headline figures --------------------------------------------------------------------


def test_headline_without_coes_this_quarter_shows_a_dash(coes: list[Coe]) -> None:
    later = date(2030, 2, 1)
    head = headline(coes, later)
    assert head.coes == 0 and head.detect is None and head.detect_before is None
    page = report_pages.dashboard_page(coes, later, None)
    assert "As of 2030-02-01" in page
    card = re.search(r"Median time to detect, 2030-Q1</div><div class=\"coe-card__value\">"
                     r"([^<]*)<", page)
    assert card and card[1] == "—"
    assert "none this quarter" in page


def test_dashboard_page_shows_the_figures_and_the_date(pages: dict[str, str]) -> None:
    page = pages["index.md"]
    assert page.startswith('---\ntitle: "Dashboard"\n')
    assert "As of 2026-11-27" in page
    values = re.findall(r'<div class="coe-card__label">([^<]*)</div>'
                        r'<div class="coe-card__value">(?:<a [^>]*>)?([^<]*)<', page)
    assert values == [
        ("COEs in 2026-Q4", "3"),
        ("Median time to detect, 2026-Q4", "4 min"),
        ("Median time to mitigate, 2026-Q4", "41 min"),
        ("Open action items", "29"),
        ("Overdue action items", "15"),
    ]
    assert "32 min</span> in <span class=\"coe-nowrap\">2026-Q3" in page
    assert "1 h 52 min</span> in" in page
    assert page.count('<svg ') == 5 and page.count('role="img"') == 5
    # The latest COEs, newest first, as the old home page had them.
    latest = re.findall(r'<li><a href="coes/([^/]+)/"><code>(COE-\d+)</code>', page)
    assert [coe_id for _, coe_id in latest] == [f"COE-{n}" for n in range(1012, 1002, -1)]
    for link in ("actions/", "actions/overdue/", "recurrence/", "services/", "coes/",
                 "coes.json", "action-items.csv"):
        assert f'href="{link}"' in page


def test_every_report_page_says_which_day_it_used(pages: dict[str, str]) -> None:
    assert len(pages) == 5 + 14  # dashboard, actions, overdue, recurrence, services + 14
    for uri, page in pages.items():
        assert "As of 2026-11-27" in page, uri


# --- the charts' data --------------------------------------------------------------------


def test_coes_per_month_stacked_by_severity(coes: list[Coe]) -> None:
    chart = dashboard.monthly_chart(coes, DAY)
    series = {s.name: [int(v) for v in s.values] for s in chart.series}
    months = list(chart.labels)

    def month(*pairs: tuple[str, int]) -> list[int]:
        counts = [0] * len(months)
        for name, count in pairs:
            counts[months.index(name)] = count
        return counts

    # COE-1001 (2025-06) is before the window. COE-1004 began 2025-11-11T00:03+08:00,
    # which is 2025-11-10 in UTC: November either way.
    assert series == {
        "SEV1": month(("2025-11", 1), ("2026-08", 1)),           # COE-1004, COE-1009
        "SEV2": month(("2025-08", 1), ("2026-01", 1), ("2026-05", 1), ("2026-11", 1)),
        "SEV3": month(("2026-03", 1), ("2026-07", 1), ("2026-10", 1)),
        "SEV4": month(("2025-09", 1)),                           # COE-1003
        "SEV5": month(("2026-11", 1)),                           # COE-1011
    }
    assert [int(chart.total(i)) for i in range(len(months))] == [
        0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 2]
    assert "11 COEs" in chart.label


def test_median_times_per_quarter(coes: list[Coe]) -> None:
    chart = dashboard.durations_chart(coes, DAY)
    detect, mitigate = chart.series
    # 2025-Q3: COE-1002 (3, 42) and COE-1003 (47, 76); 2025-Q4: COE-1004 (2, 71);
    # 2026-Q1: COE-1005 (3, 82) and COE-1006 (195, 330); 2026-Q2: COE-1007 (2, 39);
    # 2026-Q3 and 2026-Q4 as in the headline.
    assert detect.values == (25, 2, 99, 2, 32, 4)
    assert mitigate.values == (59, 71, 206, 39, 112, 41)
    assert "2026-Q1 1 h 39 min" in chart.label and "2026-Q1 3 h 26 min" in chart.label


def test_open_and_overdue_items_by_team(coes: list[Coe]) -> None:
    teams = team_actions(coes, DAY)
    assert {team: on_time + late for team, on_time, late in teams} == OPEN_BY_TEAM
    assert {team: late for team, _, late in teams if late} == OVERDUE_BY_TEAM
    assert teams[0] == ("notifications", 2, 2)
    chart = dashboard.actions_chart(coes, DAY)
    assert len(chart.labels) == dashboard.TOP_TEAMS + 1
    assert chart.labels[-1] == "4 other teams"  # 16 teams with open items, 12 shown
    assert sum(sum(s.values) for s in chart.series) == 29


def test_root_causes_and_detection_methods(coes: list[Coe]) -> None:
    # Root-cause categories of COE-1002..COE-1012 (the window), one count per COE.
    causes = dashboard.root_cause_chart(coes, DAY)
    assert list(zip(causes.labels, causes.series[0].values)) == [
        ("process", 8), ("configuration", 7), ("software-bug", 7), ("detection-gap", 6),
        ("capacity", 5), ("dependency", 5), ("deployment", 3), ("hardware", 1)]
    methods = dashboard.detection_chart(coes, DAY)
    assert dict(zip(methods.labels, methods.series[0].values)) == {
        "aggregate-alarm": 2, "service-alarm": 2, "subsystem-alarm": 2, "canary": 1,
        "customer-report": 1, "manual": 1, "social-media": 1, "support-case": 1}


# --- drawing -----------------------------------------------------------------------------


def test_charts_are_deterministic_inline_svgs_with_labels(coes: list[Coe]) -> None:
    charts = dashboard.dashboard_charts(coes, DAY)
    assert [c.name for c in charts] == ["months", "times", "detection", "root-causes",
                                        "actions"]
    ids: set[str] = set()
    for chart in charts:
        svg = dashboard.chart_svg(chart)
        assert svg == dashboard.chart_svg(chart)
        assert svg.startswith("<svg") and "<style" not in svg and "<?xml" not in svg
        assert 'role="img"' in svg and 'aria-label="' in svg
        assert "currentColor" in svg and TEXT_SENTINEL not in svg
        found = re.findall(r'\bid="([^"]+)"', svg)
        assert all(i.startswith(chart.id_prefix + "-") for i in found)
        assert not ids & set(found)
        ids |= set(found)
        assert chart.title in svg
        assert "\n\n" not in svg  # a blank line would end the Markdown HTML block


def test_empty_charts_say_so() -> None:
    chart = dashboard.actions_chart([], DAY)
    assert "no open action items" in dashboard.chart_svg(chart)
    assert "no COEs in these quarters" in dashboard.chart_svg(dashboard.durations_chart([], DAY))


def test_charts_are_cached_by_content(coes: list[Coe], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    charts = dashboard.dashboard_charts(coes, DAY)
    first = dashboard.render_charts(charts, tmp_path)
    assert len(list((tmp_path / "charts").glob("*.svg"))) == 5

    def no_drawing(chart: dashboard.Chart) -> str:
        raise AssertionError(f"{chart.name} was drawn again")

    monkeypatch.setattr(dashboard, "chart_svg", no_drawing)
    assert dashboard.render_charts(charts, tmp_path) == first
    later = dashboard.dashboard_charts(coes, date(2026, 11, 28))  # the window is the same
    assert dashboard.chart_cache_key(later[0]) == dashboard.chart_cache_key(charts[0])
    assert dashboard.chart_cache_key(later[4]) != dashboard.chart_cache_key(charts[4])


# --- action items ------------------------------------------------------------------------


def test_actions_pages_link_each_item_to_its_anchor(pages: dict[str, str]) -> None:
    page = pages["actions/index.md"]
    assert ('href="../coes/2025-08-05-auth-key-rotation-stale-jwks/#action-ai-3"'
            in page)
    assert page.count('<tr class="coe-action') == 29
    assert "343 d" in page
    overdue = pages["actions/overdue.md"]
    assert overdue.count('<tr class="coe-action coe-action--overdue"') == 15
    assert overdue.count('<tr class="coe-action') == 15
    assert ('href="../../coes/2025-08-05-auth-key-rotation-stale-jwks/#action-ai-3"'
            in overdue)
    # The team headings are Markdown, escaped: `search-sre` keeps its hyphen.
    assert "\n## search\\-sre\n" in page
    assert "\n## 网络基础设施\n" in overdue


def test_headings_escape_markdown_and_html() -> None:
    assert str(report_pages.heading("<b>*ops*</b> & [x](y)")) == (
        "&lt;b&gt;\\*ops\\*&lt;/b&gt; &amp; \\[x\\]\\(y\\)")


# --- recurrence --------------------------------------------------------------------------


def test_recurrence_page_lists_the_coes(pages: dict[str, str]) -> None:
    page = pages["recurrence.md"]
    assert "does anything else use the same faulty component?" in page
    for heading in ("## Services", "## Dependencies", "## Root-cause categories"):
        assert heading in page
    dependencies = page.split("## Dependencies")[1].split("## Root-cause categories")[0]
    row = dependencies.split("<tr>")[2]  # after the header row
    assert 'href="../services/config-push/"><strong>config-push</strong>' in row
    assert re.findall(r"<code>(COE-\d+)</code>", row) == ["COE-1002", "COE-1007", "COE-1012"]
    assert "8 <span class=\"coe-overdue\">4 overdue</span>" in row


# --- services ----------------------------------------------------------------------------


def test_service_slugs_are_safe_and_unique() -> None:
    assert safe_slug("search") == "search"
    assert safe_slug("支付网关") == "支付网关"
    assert re.fullmatch(r"payments-gateway-[0-9a-f]{6}", safe_slug("Payments Gateway"))
    assert re.fullmatch(r"service-[0-9a-f]{6}", safe_slug("../.."))
    assert re.fullmatch(r"con-[0-9a-f]{6}", safe_slug("con"))
    assert re.fullmatch(r"zurich-[0-9a-f]{6}", safe_slug("Zürich"))
    names = ["search", "Search", "SEARCH", "a/b", "a b", "a-b", "..", "...", "x" * 200]
    slugs = service_slugs(names)
    assert len(set(slugs.values())) == len(names)
    for slug in slugs.values():
        assert "/" not in slug and "." not in slug and slug == slug.lower()
        assert len(slug) <= 80


def test_a_page_per_service(pages: dict[str, str]) -> None:
    services = sorted(uri.split("/")[1] for uri in pages
                      if uri.startswith("services/") and uri != "services/index.md")
    assert services == sorted([
        "auth-service", "cart", "checkout-api", "config-push", "coupon-service",
        "internal-dns", "mobile-bff", "notifications", "object-storage",
        "payments-gateway", "payments-webhooks", "rate-limiter", "search", "session-store"])
    page = pages["services/search/index.md"]
    assert page.startswith('---\ntitle: "Service: search"\n')
    # Newest first: COE-1008 (2026-07-07), COE-1007, COE-1004 (2025-11-10 UTC), COE-1001.
    assert re.findall(r'<a href="../../coes/[^/]+/"><code>(COE-\d+)</code>', page) == [
        "COE-1008", "COE-1007", "COE-1004", "COE-1001"]
    quarters = re.findall(r"<td>(\d{4}-Q\d)</td><td>(\d+)</td>", page)
    assert quarters == [("2026-Q4", "0"), ("2026-Q3", "1"), ("2026-Q2", "1"),
                        ("2026-Q1", "0"), ("2025-Q4", "1"), ("2025-Q3", "0"),
                        ("2025-Q2", "1")]
    # Open items of COE-1001 (1), 1004 (2), 1007 (4) and 1008 (2); overdue: COE-1001 AI-4,
    # COE-1004 AI-1, COE-1007 AI-3 and AI-5, COE-1008 AI-4.
    assert page.count('<tr class="coe-action') == 9
    assert page.count('<tr class="coe-action coe-action--overdue"') == 5
    index = pages["services/index.md"]
    assert re.findall(r'<a href="([^"]+)/"><strong>([^<]+)</strong>', index)[:3] == [
        ("checkout-api", "checkout-api"), ("notifications", "notifications"),
        ("search", "search")]


def test_without_a_home_page_the_dashboard_has_its_own(coes: list[Coe]) -> None:
    pages = report_pages.report_pages(coes, DAY, None, home=False)
    assert "index.md" not in pages
    page = pages[report_pages.DASHBOARD_URI]
    assert 'href="../actions/overdue/"' in page and 'href="../coes.json"' in page


# --- the built site ----------------------------------------------------------------------


def test_the_site_publishes_coes_json_and_action_items_csv(built: Path) -> None:
    text = (built / "site/coes.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["today"] == TODAY
    # What `coe export` writes, on one line: programs read it, and indenting a thousand
    # COEs takes seconds.
    from coe.exports import export_json

    exported = export_json(load_corpus(built / "coes").coes, date.fromisoformat(TODAY))
    assert json.loads(exported) == document and text.count("\n") == 1 < exported.count("\n")
    assert [c["id"] for c in document["coes"]] == [f"COE-{n}" for n in range(1001, 1013)]
    rows = list(csv.DictReader(io.StringIO(
        (built / "site/action-items.csv").read_text(encoding="utf-8"))))
    # 6 + 7 + 6 + 8 + 7 + 6 + 8 + 6 + 8 + 6 + 3 + 2 items in COE-1001 .. COE-1012.
    assert len(rows) == 73
    assert sum(row["overdue"] == "true" for row in rows) == 15
    assert {row["today"] for row in rows} == {TODAY}


def test_the_site_has_the_report_pages_in_its_nav(built: Path) -> None:
    home = (built / "site/index.html").read_text(encoding="utf-8")
    assert "<h1" in home and "Dashboard" in home
    nav = home.split('<div class="md-content"')[0]
    for link in ('href="actions/"', 'href="recurrence/"', 'href="services/"', 'href="coes/"'):
        assert link in nav
    assert "services/search/" not in nav and "actions/overdue/" not in nav
    for page in ("actions/index.html", "actions/overdue/index.html", "recurrence/index.html",
                 "services/index.html", "services/auth-service/index.html"):
        assert "As of 2026-11-27" in (built / "site" / page).read_text(encoding="utf-8")
