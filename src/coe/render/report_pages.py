"""The site's cross-incident pages: the dashboard, action items, recurrence and services.

Figures come from the queries of `corpus` (the same ones `coe actions` and `coe stats`
use), grouping and ordering are done here, and the Markdown comes from the templates
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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from markupsafe import Markup

from ..corpus import (ActionRow, Recurrence, action_rows, duration_spreads, quarter_of,
                      recurring_dependencies, recurring_root_causes, recurring_services,
                      root_cause_categories, sort_coes, start_date)
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
SEVERE = 2  # SEV1 and SEV2 count as severe on the services pages

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


def newest_first(coes: Iterable[Coe]) -> list[Coe]:
    """COEs by start, newest first."""
    return list(reversed(sort_coes(coes)))


def _render(template: str, title: str, **context: object) -> str:
    return environment().get_template(template).render(
        front_matter=Markup(front_matter(title)), heading=heading,
        began=lambda coe: start_date(coe).isoformat(), **context)


# --- action items ------------------------------------------------------------------------


@dataclass
class OwnerGroup:
    """An owner's items within a team, overdue first."""

    owner: str
    rows: list[ActionRow] = field(default_factory=list)
    overdue: int = 0


@dataclass
class TeamGroup:
    """A team's owners, those with the most overdue items first."""

    team: str
    owners: list[OwnerGroup] = field(default_factory=list)
    open: int = 0
    overdue: int = 0

    @property
    def anchor(self) -> str:
        """The id of the team's section on the action-item pages."""
        return f"team-{safe_slug(self.team)}"


def row_order(row: ActionRow, today: date) -> tuple:
    """Overdue first, the longest overdue first; then by due date, COE and item."""
    return (-row.days_overdue(today), row.item.due, row.coe.id, row.item.id)


def group_actions(rows: Iterable[ActionRow], today: date) -> list[TeamGroup]:
    """Rows by team, then owner: teams and owners with the most overdue items first (then
    the most items, then by name); items without a team under `dashboard.NO_TEAM`."""
    teams: dict[str, dict[str, OwnerGroup]] = {}
    for row in rows:
        owners = teams.setdefault(row.item.team or dashboard.NO_TEAM, {})
        owners.setdefault(row.item.owner, OwnerGroup(row.item.owner)).rows.append(row)
    groups = []
    for team, owners in teams.items():
        for group in owners.values():
            group.rows.sort(key=lambda row: row_order(row, today))
            group.overdue = sum(1 for row in group.rows if row.is_overdue(today))
        ordered = sorted(owners.values(), key=lambda g: (-g.overdue, -len(g.rows),
                                                         g.owner.casefold(), g.owner))
        groups.append(TeamGroup(team, ordered, sum(len(g.rows) for g in ordered),
                                sum(g.overdue for g in ordered)))
    return sorted(groups, key=lambda g: (-g.overdue, -g.open, g.team.casefold(), g.team))


def open_rows(coes: Iterable[Coe]) -> list[ActionRow]:
    """The open and in-progress items of `coes`."""
    return [row for row in action_rows(coes) if row.item.is_open]


def actions_page(coes: list[Coe], today: date, overdue: bool = False) -> str:
    """The open action items by team and owner; with `overdue`, only the overdue ones."""
    rows = open_rows(coes)
    shown = [row for row in rows if row.is_overdue(today)] if overdue else rows
    return _render(
        "actions.md.jinja", "Overdue action items" if overdue else "Action items",
        overdue_view=overdue, today=today, teams=group_actions(shown, today),
        shown=len(shown), open=len(rows), overdue=sum(1 for r in rows if r.is_overdue(today)),
        all_items=len(action_rows(coes)),
        root="../../" if overdue else "../",
    )


# --- recurrence --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecurrenceRow:
    """A recurring service, dependency or root-cause category, with what it touches."""

    name: str
    coes: tuple[Coe, ...]
    services: tuple[str, ...]  # the other services the COEs affected, most COEs first
    open: int
    overdue: int


def recurrence_rows(found: list[Recurrence], today: date) -> list[RecurrenceRow]:
    """Each recurrence with the services its COEs affected and their open action items."""
    result = []
    for recurrence in found:
        counts: dict[str, int] = {}
        for coe in recurrence.coes:
            for service in dict.fromkeys(coe.services):
                counts[service] = counts.get(service, 0) + 1
        counts.pop(recurrence.name, None)  # the others: what else it touches
        services = sorted(counts, key=lambda s: (-counts[s], s.casefold(), s))
        rows = open_rows(recurrence.coes)
        result.append(RecurrenceRow(
            recurrence.name, recurrence.coes, tuple(services), len(rows),
            sum(1 for row in rows if row.is_overdue(today))))
    return result


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


@dataclass(frozen=True)
class QuarterRow:
    quarter: str
    coes: int
    severe: int
    median_detect: float | None
    median_mitigate: float | None


@dataclass(frozen=True)
class ServiceSummary:
    """A service and its COEs, newest first, with the figures its pages show."""

    name: str
    slug: str
    coes: tuple[Coe, ...]
    severe: int
    median_detect: float | None
    median_mitigate: float | None
    open: int
    overdue: int

    @property
    def last(self) -> date:
        return start_date(self.coes[0])


def services(coes: list[Coe], today: date, slugs: dict[str, str]) -> list[ServiceSummary]:
    """Every affected service: the most COEs first, then the most recent, then by name."""
    by_service: dict[str, list[Coe]] = {}
    for coe in coes:
        for service in dict.fromkeys(coe.services):
            by_service.setdefault(service, []).append(coe)
    result = []
    for name, found in by_service.items():
        spreads = duration_spreads(found)
        rows = open_rows(found)
        result.append(ServiceSummary(
            name, slugs[name], tuple(newest_first(found)),
            sum(1 for c in found if c.severity <= SEVERE),
            spreads.time_to_detect.median, spreads.time_to_mitigate.median, len(rows),
            sum(1 for row in rows if row.is_overdue(today))))
    return sorted(result, key=lambda s: (-len(s.coes), -s.last.toordinal(),
                                         s.name.casefold(), s.name))


def quarter_rows(coes: Iterable[Coe], today: date) -> list[QuarterRow]:
    """Every quarter from the first COE's to today's (later ones if a COE is dated later),
    newest first, quarters without COEs included."""
    coes = list(coes)
    by_quarter: dict[str, list[Coe]] = {}
    for coe in coes:
        by_quarter.setdefault(quarter_of(coe), []).append(coe)
    first = min(start_date(c) for c in coes)
    last = max([today, *(start_date(c) for c in coes)])
    quarters = []
    back = 0
    while True:
        start = dashboard.quarter_start(last, back)
        quarters.append(dashboard.quarter_key(start))
        if start <= first:
            break
        back += 1
    result = []
    for quarter in quarters:
        found = by_quarter.get(quarter, [])
        spreads = duration_spreads(found)
        result.append(QuarterRow(quarter, len(found),
                                 sum(1 for c in found if c.severity <= SEVERE),
                                 spreads.time_to_detect.median,
                                 spreads.time_to_mitigate.median))
    return result


def services_page(summaries: list[ServiceSummary], today: date) -> str:
    """Every service with its COEs and open action items, linking to its page."""
    return _render("services.md.jinja", "Services", today=today, services=summaries,
                   root="../")


def service_page(summary: ServiceSummary, today: date) -> str:
    """One service: its COEs newest first, per-quarter counts and times, open items."""
    categories: dict[str, int] = {}
    for coe in summary.coes:
        for category in root_cause_categories(coe):
            categories[category] = categories.get(category, 0) + 1
    rows = sorted(open_rows(summary.coes), key=lambda row: row_order(row, today))
    return _render(
        "service.md.jinja", f"Service: {summary.name}", today=today, service=summary,
        quarters=quarter_rows(summary.coes, today),
        categories=sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])),
        rows=rows, root="../../",
    )


# --- the dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The dashboard's headline figures."""

    quarter: str
    previous: str
    by_severity: tuple[tuple[int, int], ...]  # (severity, COEs this quarter)
    coes: int
    detect: float | None
    detect_before: float | None
    mitigate: float | None
    mitigate_before: float | None
    open: int
    overdue: int


def headline(coes: list[Coe], today: date) -> Headline:
    """COEs this quarter by severity, median times against the previous quarter, items."""
    quarter = dashboard.quarter_key(today)
    previous = dashboard.quarter_key(dashboard.quarter_start(today, 1))
    # A COE dated after today has not happened yet as far as the figures go.
    now = [c for c in coes if quarter_of(c) == quarter and start_date(c) <= today]
    before = [c for c in coes if quarter_of(c) == previous]
    severities: dict[int, int] = {}
    for coe in now:
        severities[coe.severity] = severities.get(coe.severity, 0) + 1
    this, last = duration_spreads(now), duration_spreads(before)
    rows = open_rows(coes)
    return Headline(
        quarter, previous, tuple(sorted(severities.items())), len(now),
        this.time_to_detect.median, last.time_to_detect.median,
        this.time_to_mitigate.median, last.time_to_mitigate.median,
        len(rows), sum(1 for row in rows if row.is_overdue(today)),
    )


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
        window=len(dashboard.window_coes(coes, today)),
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
