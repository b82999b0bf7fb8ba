"""The site's cross-incident pages: the dashboard, action items, recurrence and services.

Figures, groups and orders come from the queries of `corpus` (the same ones `coe actions`
and `coe stats` use); here they are only laid out, and the Markdown comes from the templates
`templates/site/*.md.jinja`. Every page whose figures depend on "today" (open and
overdue action items, this quarter) says which day it used.

Links are relative, written for mkdocs' default `use_directory_urls: true`: the page
`actions/index.md` is served at `actions/`, so it reaches a COE at `../coes/<slug>/`.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from markupsafe import Markup

from ..corpus.actions import action_rows, group_actions, open_rows, row_order
from ..corpus.dates import newest_first, sort_coes, start_date
from ..corpus.recurrence import (recurrence_rows, recurring_dependencies, recurring_root_causes,
                                 recurring_services)
from ..corpus.services import ServiceSummary, category_counts, quarter_rows, services
from ..corpus.window import headline, window_coes
from ..model import Coe
from ..exports import export_csv, export_json
from . import dashboard
from .pages import environment, front_matter

HOME_URI = "index.md"
DASHBOARD_URI = "dashboard.md"  # where the dashboard goes when docs/ has its own index.md
ACTIONS_URI = "actions/index.md"
OVERDUE_URI = "actions/overdue.md"
RECURRENCE_URI = "recurrence.md"
SERVICES_URI = "services/index.md"
NAV_URIS = (HOME_URI, DASHBOARD_URI, ACTIONS_URI, RECURRENCE_URI, SERVICES_URI)
JSON_URI = "coes.json"
CSV_URI = "action-items.csv"
LATEST = 10  # COEs listed under "Latest COEs"

MAX_SLUG = 60
_WORDS = re.compile(r"[^\W_]+")
# Folder names Windows refuses, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
# What Python-Markdown lets a backslash escape; `<`, `>` and `&` are escaped as HTML.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!])")


# --- shared pieces -----------------------------------------------------------------------


def heading(text: str) -> Markup:
    """Text for a Markdown heading: Markdown punctuation backslash-escaped, then HTML
    escaped, so that a team called `*ops*` or `<b>` reads as written."""
    return Markup(html.escape(_MARKDOWN_PUNCTUATION.sub(r"\\\1", text), quote=True))


def safe_slug(name: str) -> str:
    """A service's folder under services/, or a team's anchor: letters and digits of any
    script, lowercased, words joined by `-`; with a short hash of the name when that loses
    anything (case, accents, punctuation, length) or leaves nothing, so that two names
    never share a folder.

    `search` -> `search`; `支付网关` -> `支付网关`; `Payments Gateway` ->
    `payments-gateway-<6 hex>`; `..` -> `service-<6 hex>`.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    slug = "-".join(_WORDS.findall(text))[:MAX_SLUG].strip("-")
    if slug == name and slug not in _RESERVED:
        return slug
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:6]
    return f"{slug or 'service'}-{digest}"


def service_slugs(names: Iterable[str]) -> dict[str, str]:
    """`safe_slug` of each name, made longer in the unlikely case of a clash."""
    names = sorted(set(names))
    slugs = {name: safe_slug(name) for name in names}
    taken: dict[str, str] = {}
    for name in names:
        slug = slugs[name]
        if slug in taken:
            slug = f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:12]}"
            slugs[name] = slug
        taken[slug] = name
    return slugs


def team_anchor(team: str) -> str:
    """The id of a team's section on the action-item pages."""
    return f"team-{safe_slug(team)}"


def _render(template: str, title: str, **context: object) -> str:
    return environment().get_template(template).render(
        front_matter=Markup(front_matter(title)), heading=heading,
        began=lambda coe: start_date(coe).isoformat(), **context)


# --- action items ------------------------------------------------------------------------


def actions_page(coes: list[Coe], today: date, overdue: bool = False) -> str:
    """The open action items by team and owner; with `overdue`, only the overdue ones."""
    rows = open_rows(coes)
    shown = [row for row in rows if row.is_overdue(today)] if overdue else rows
    return _render(
        "actions.md.jinja", "Overdue action items" if overdue else "Action items",
        overdue_view=overdue, today=today, teams=group_actions(shown, today), anchor=team_anchor,
        shown=len(shown), open=len(rows), overdue=sum(1 for r in rows if r.is_overdue(today)),
        all_items=len(action_rows(coes)),
        root="../../" if overdue else "../",
    )


# --- recurrence --------------------------------------------------------------------------


def recurrence_page(coes: list[Coe], today: date, slugs: dict[str, str]) -> str:
    """Services, dependencies and root-cause categories found in more than one COE."""
    return _render(
        "recurrence.md.jinja", "Recurrence", today=today, coes=coes, slugs=slugs,
        sections=[
            ("Services", "Service", "services", "Affected in more than one COE.",
             recurrence_rows(recurring_services(coes), today)),
            ("Dependencies", "Dependency", "dependencies",
             "Named in the dependency analysis of more than one COE: the same faulty "
             "component, or a component used the same faulty way.",
             recurrence_rows(recurring_dependencies(coes), today)),
            ("Root-cause categories", "Category", "root-causes",
             "Categories of root-cause nodes of the why-trees of more than one COE.",
             recurrence_rows(recurring_root_causes(coes), today)),
        ],
        root="../",
    )


# --- services ----------------------------------------------------------------------------


def services_page(summaries: list[ServiceSummary], today: date) -> str:
    """Every service with its COEs and open action items, linking to its page."""
    return _render("services.md.jinja", "Services", today=today, services=summaries,
                   root="../")


def service_page(summary: ServiceSummary, today: date) -> str:
    """One service: its COEs newest first, per-quarter counts and times, open items."""
    rows = sorted(open_rows(summary.coes), key=lambda row: row_order(row, today))
    return _render(
        "service.md.jinja", f"Service: {summary.name}", today=today, service=summary,
        quarters=quarter_rows(summary.coes, today),
        categories=category_counts(summary.coes),
        rows=rows, root="../../",
    )


# --- the dashboard -----------------------------------------------------------------------


def dashboard_page(coes: list[Coe], today: date, cache_dir: Path | None,
                   root: str = "") -> str:
    """The dashboard: headline figures, the charts (drawn here, or read from the cache),
    the latest COEs and links to every report and data file. `root` leads from the
    page's folder to the site's."""
    charts = dashboard.dashboard_charts(coes, today)
    svgs = dashboard.render_charts(charts, cache_dir)
    figures = [(chart, Markup(svgs[chart.name])) for chart in charts]
    return _render(
        "dashboard.md.jinja", "Dashboard", today=today, head=headline(coes, today),
        wide=figures[:1], figures=figures[1:], period=dashboard.period_text(today),
        window=len(window_coes(coes, today)),
        latest=newest_first(coes)[:LATEST], coes=coes, root=root,
        json_uri=JSON_URI, csv_uri=CSV_URI,
    )


# --- everything together -----------------------------------------------------------------


def report_pages(coes: Iterable[Coe], today: date, cache_dir: Path | None,
                 home: bool = True) -> dict[str, str]:
    """The Markdown of every report page by uri.

    The dashboard is the home page (`index.md`) when `home`, else `dashboard.md` (the
    site has its own home page); `NAV_URIS` are the ones meant for the navigation.
    """
    coes = sort_coes(coes)
    slugs = service_slugs(s for coe in coes for s in coe.services)
    summaries = services(coes, today, slugs)
    result = {
        HOME_URI if home else DASHBOARD_URI:
            dashboard_page(coes, today, cache_dir, root="" if home else "../"),
        ACTIONS_URI: actions_page(coes, today),
        OVERDUE_URI: actions_page(coes, today, overdue=True),
        RECURRENCE_URI: recurrence_page(coes, today, slugs),
        SERVICES_URI: services_page(summaries, today),
    }
    for summary in summaries:
        result[f"services/{summary.slug}/index.md"] = service_page(summary, today)
    return result


def report_data(coes: Iterable[Coe], today: date) -> dict[str, str]:
    """The files published for other tools, by uri: every COE as JSON, the action items
    as CSV (what `coe export` writes; the JSON on one line, as programs read it: a
    thousand COEs are 16 MB indented, and take seconds to indent)."""
    coes = sort_coes(coes)
    return {JSON_URI: export_json(coes, today, indent=None), CSV_URI: export_csv(coes, today)}
