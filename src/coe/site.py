"""What the site holds: validated COEs turned into pages, diagrams, charts and assets.

This is the whole build except mkdocs itself: `plugin.py` hands the plan to mkdocs as
generated files, so the same plan could feed another static-site engine.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nh3

from .cache import read_svg, write_atomic
from .checks import inside_folder
from .model import Coe
from .problems import Level, Problem
from .review import ReviewSettings
from .render import charts, diagrams, pages, report_pages
from .validate import validate

COES_URI = "coes"
INDEX_URI = f"{COES_URI}/index.md"
RULES_URI = "review-rules.md"
ASSETS = ("coe.css", "coe.js")
_PLACEHOLDER = re.compile(r"<!--coe-svg:([^>]+?)-->")
_HTML_BLOCK = re.compile(r"<!--coe-html:([^>]+?)-->")
_SEARCH_BOX = re.compile(r'<div data-coe-html="([^"]+)"><p>[^<]*</p></div>')
_LOCAL_LINK = re.compile(r'\b(?:src|href)="([^"#?]+)[^"]*"')


@dataclass
class Plan:
    """Everything the build adds: pages (uri -> Markdown) and files (uri -> path)."""

    coes: list[Coe] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    nav_pages: set[str] = field(default_factory=set)
    files: dict[str, Path] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)  # other generated files: uri -> text
    # Diagrams and charts by placeholder key: put into the finished HTML of their page,
    # so that neither Markdown nor the search indexer parses thousands of SVG tags.
    svgs: dict[str, str] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)  # HTML blocks by key, see defer_html
    edit_paths: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    hidden_drafts: int = 0

    def placeholder(self, key: str, svg: str) -> str:
        """An HTML comment standing for `svg` in a page until `fill_placeholders`."""
        if not svg:
            return ""
        self.svgs[key] = svg
        return f"<!--coe-svg:{key}-->"

    def defer_html(self, uri: str, page: str) -> str:
        """The page with each block of HTML between its headings set aside for
        `fill_html`: Markdown would only copy it, at the cost of parsing every tag.

        Only for pages whose body is HTML apart from their section headings (the COE
        pages), which stay Markdown for the table of contents.
        """
        head, separator, body = page.partition("\n---\n")
        lines, block, count = [], [], 0

        def flush() -> None:
            nonlocal count
            html = "\n".join(block).strip("\n")
            if html:
                key = f"{uri}#{count}"
                count += 1
                self.html[key] = html
                lines.extend(["", f"<!--coe-html:{key}-->", ""])
            block.clear()

        for line in body.split("\n"):
            # Only the template's own headings: a "# comment" line inside a code block
            # of a Markdown field must stay in its HTML block.
            if line.startswith("## ") and line[3:] in pages.SECTION_TITLES:
                flush()
                lines.append(line)
            else:
                block.append(line)
        flush()
        return head + separator + "\n".join(lines) + "\n"

    def searchable_html(self, html: str) -> str:
        """The rendered page with each block `defer_html` set aside as its text alone:
        what the search indexer reads, in a marked box that `fill_html` fills later."""
        if "<!--coe-html:" not in html:
            return html

        def text_of(match: re.Match[str]) -> str:
            block = self.html.get(match[1], "")
            words = " ".join(nh3.clean(block.replace("<", " <"), tags=set()).split())
            return f'<div data-coe-html="{match[1]}"><p>{words}</p></div>'

        return _HTML_BLOCK.sub(text_of, html)

    def fill_html(self, html: str) -> str:
        """The finished page with the full HTML of each block `defer_html` set aside."""
        if "data-coe-html=" not in html:
            return html
        return _SEARCH_BOX.sub(lambda m: self.html.get(m[1], ""), html)

    def fill_placeholders(self, html: str) -> str:
        """The page's HTML with each placeholder replaced by its SVG."""
        if "<!--coe-svg:" not in html:
            return html
        return _PLACEHOLDER.sub(lambda m: self.svgs.get(m[1], ""), html)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.ERROR]


def coe_uri(coe: Coe) -> str:
    """The page of a COE, e.g. coes/2025-10-20-dns-race/index.md."""
    return f"{COES_URI}/{coe.slug}/index.md"


def local_links(page_html: str) -> set[str]:
    """Relative links in a page's HTML: the files it shows from the COE's folder."""
    found = set()
    for target in _LOCAL_LINK.findall(page_html):
        target = html.unescape(target)
        if urlsplit(target).scheme or target.startswith(("/", "\\")):
            continue
        found.add(unquote(target))
    return found


def render_diagrams(coes: list[Coe], cache_dir: Path | None) -> dict[str, str]:
    """The why-tree SVG of every COE that has a tree, by COE id, rendered in one batch."""
    with_trees = [coe for coe in coes if coe.whys]
    sources = [diagrams.why_tree_dot(coe) for coe in with_trees]
    try:
        svgs = diagrams.render_svgs(sources, cache_dir)
    except diagrams.DiagramError as error:
        index = getattr(error, "index", None)
        if index is not None:
            raise diagrams.DiagramError(f"{with_trees[index].folder}: {error}") from None
        raise
    return {coe.id: svg for coe, svg in zip(with_trees, svgs)}


def render_charts(coe: Coe, cache_dir: Path | None) -> tuple[str, ...]:
    """The SVG of each impact graph of a COE, from the cache when unchanged."""
    result = []
    for index, graph in enumerate(coe.impact.graphs):
        prefix = f"{diagrams.svg_id(coe.id)}-g{index}"
        key = charts.chart_cache_key(coe, graph, id_prefix=prefix)
        path = cache_dir / "charts" / f"{key}.svg" if cache_dir else None
        svg = read_svg(path) if path else None
        if svg is None:
            svg = charts.impact_graph_svg(coe, graph, id_prefix=prefix)
            if path:
                write_atomic(path, svg)
        result.append(svg)
    return tuple(result)


def plan_site(coes_dir: Path, today: date, drafts: str = "show", cache_dir: Path | None = None,
              home: bool = True, root: Path | None = None,
              settings: ReviewSettings | None = None) -> Plan:
    """Validate `coes_dir` and, when there are no errors, plan every page and file.

    Problems name files relative to `root`, the repository, as `coe validate` does.
    """
    plan = Plan()
    settings = replace(settings or ReviewSettings(), today=today)
    report = validate([coes_dir], settings=settings, root=root, keep_models=True)
    plan.problems = report.problems
    if plan.errors:
        return plan
    coes = sorted((c.model for c in report.checked if c.model), key=lambda c: c.slug)
    notes = {c.path.parent.resolve(): [p for p in c.problems if p.level is Level.WARNING]
             for c in report.checked}
    if drafts == "hide":
        plan.hidden_drafts = sum(1 for c in coes if c.status == "draft")
        coes = [c for c in coes if c.status != "draft"]
    plan.coes = coes
    trees = render_diagrams(coes, cache_dir)
    for coe in coes:
        uri = coe_uri(coe)
        shown_notes = notes.get(coe.folder.resolve(), []) if coe.status != "published" else []
        diagram = plan.placeholder(f"{coe.slug}/whys", trees.get(coe.id, ""))
        graphs = tuple(plan.placeholder(f"{coe.slug}/graph-{i}", svg)
                       for i, svg in enumerate(render_charts(coe, cache_dir)))
        page = pages.coe_page(coe, today, diagram, graphs,
                              review_notes=shown_notes)
        plan.pages[uri] = plan.defer_html(uri, page)
        plan.edit_paths[uri] = coe.folder / "coe.yaml"
        folder = f"{COES_URI}/{coe.slug}"
        shown = {"coe.yaml", *(g.data for g in coe.impact.graphs), *local_links(page)}
        for name in sorted(shown):
            path = inside_folder(coe.folder, name)
            if path is not None and path.is_file():
                plan.files[f"{folder}/{Path(os.path.relpath(path, coe.folder.resolve())).as_posix()}"] = path
    plan.pages[INDEX_URI] = pages.index_page(coes, today, plan.hidden_drafts)
    plan.nav_pages.add(INDEX_URI)
    plan.pages[RULES_URI] = pages.rules_page()
    plan.nav_pages.add(RULES_URI)
    reports = report_pages.report_pages(coes, today, cache_dir, home=home)
    plan.pages.update(reports)
    plan.nav_pages.update(uri for uri in reports if uri in report_pages.NAV_URIS)
    plan.data.update(report_pages.report_data(coes, today))
    return plan
