"""What the site holds: validated COEs turned into pages, diagrams, charts and assets.

This is the whole build except mkdocs itself: `plugin.py` hands the plan to mkdocs as
generated files, so the same plan could feed another static-site engine.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from .. import folder_files
from ..memo import Memo as ValidationMemo
from ..model import Coe
from ..problems import Level, Problem
from ..render import charts, diagrams, pages, report_pages
from ..repository import COE_FILE
from ..review import ReviewSettings
from ..runtime import RENDER_IN_WORKERS_FROM, give_back, in_background, pack, unpack
from ..safe_svg import SvgError, clean_svg
from ..validate import validate
from .marker import MARKER_URI, marker
from .page_store import PageJob, block_text, markup_key, render_pages, split_sections

COES_URI = "coes"
INDEX_URI = f"{COES_URI}/index.md"
RULES_URI = "review-rules.md"
ASSETS = ("coe.css", "coe.js")
# Keys are `rendered.markup_key`s: hex, a dash and a part.
_KEY = r"([0-9a-f]{20}-[0-9a-z-]+)"
_PLACEHOLDER = re.compile(rf"<!--coe-svg:{_KEY}-->")
_HTML_BLOCK = re.compile(rf"<!--coe-html:{_KEY}-->")
_FILLED = re.compile(rf'<div data-coe-html="{_KEY}"><p>[^<]*</p></div>|<!--coe-html:{_KEY}-->')


@dataclass
class ServeMemo:
    """What a long-running process (`coe serve`) keeps from one build for the next: each
    file's validation results and the rendered COE pages by content hash. A one-off
    build keeps none, so that each page's HTML can leave memory once it is written."""

    pages: dict[str, bytes] = field(default_factory=dict)  # packed, see rendered.render_pages
    validation: ValidationMemo = field(default_factory=ValidationMemo)


@dataclass
class Plan:
    """Everything the build adds: pages (uri -> Markdown) and files (uri -> path)."""

    coe_count: int = 0  # the COEs on the site (their models are not kept past planning)
    pages: dict[str, str] = field(default_factory=dict)
    nav_pages: set[str] = field(default_factory=set)
    files: dict[str, Path] = field(default_factory=dict)
    # other generated files: uri -> UTF-8 (a str of text with one CJK letter takes two
    # bytes a character, and coes.json is 12 MB at 1,000 COEs)
    data: dict[str, bytes] = field(default_factory=dict)
    # Diagrams and charts by placeholder key: put into the finished HTML of their page,
    # so that neither Markdown nor the search indexer parses thousands of SVG tags.
    # These three are packed (`pack`): at 1,000 COEs they are 80 MB of text, held from
    # planning until their page is indexed or written, while mkdocs holds its own copy
    # of every page.
    svgs: dict[str, bytes] = field(default_factory=dict)
    html: dict[str, bytes] = field(default_factory=dict)  # HTML blocks by key, see rendered.py
    texts: dict[str, bytes] = field(default_factory=dict)  # their text, for the search index
    edit_paths: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    hidden_drafts: int = 0

    def searchable_html(self, html: str) -> str:
        """The rendered page with each HTML block set aside by `rendered.split_sections`
        as its text alone: what the search indexer reads, in a marked box that
        `fill_html` fills later."""
        if "<!--coe-html:" not in html:
            return html

        def box(match: re.Match[str]) -> str:
            key = match[1]
            packed = self.texts.pop(key, None)  # each page is indexed once a build
            words = (unpack(packed) if packed is not None
                     else block_text(unpack(self.html.get(key, b""))))
            return f'<div data-coe-html="{key}"><p>{words}</p></div>'

        return _HTML_BLOCK.sub(box, html)

    def fill_html(self, html: str) -> str:
        """The finished page with the full HTML of each block set aside, whether the
        search indexer saw its text (`searchable_html`) or not."""
        if "coe-html" not in html:
            return html
        # Each block goes into one page, written once a build: dropping it as it is
        # used keeps a large site's blocks from all staying in memory to the end.
        return _FILLED.sub(lambda m: unpack(self.html.pop(m[1] or m[2], b"")), html)

    def fill_placeholders(self, html: str) -> str:
        """The page's HTML with each placeholder replaced by its SVG."""
        if "<!--coe-svg:" not in html:
            return html
        return _PLACEHOLDER.sub(lambda m: unpack(self.svgs.pop(m[1], b"")), html)  # as fill_html

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.ERROR]


def coe_uri(coe: Coe) -> str:
    """The page of a COE, e.g. coes/2025-10-20-dns-race/index.md."""
    return f"{COES_URI}/{coe.slug}/index.md"


def _svg_placeholder(key: str) -> str:
    """An HTML comment standing for the SVG `Plan.svgs[key]` until `fill_placeholders`."""
    return f"<!--coe-svg:{key}-->"


def _plan_coe_pages(plan: Plan, coes: list[Coe], notes: dict[Path, list[Problem]], today: date,
                    cache_dir: Path | None, memo: ServeMemo | None) -> None:
    """Each COE's page, its diagrams and charts, and the files of its folder it shows."""
    jobs = [PageJob(coe, coe_uri(coe),
                    tuple(notes.get(coe.folder.resolve(), [])) if coe.status != "published" else (),
                    _svg_placeholder(markup_key(coe.slug, "whys")) if coe.whys else "",
                    tuple(_svg_placeholder(markup_key(coe.slug, f"graph-{i}"))
                          for i in range(len(coe.impact.graphs))))
            for coe in coes]
    rendered = render_pages(jobs, today, cache_dir, memo.pages if memo else None)
    trees = diagrams.render_why_trees(coes, cache_dir)
    for job, page in zip(jobs, rendered):
        coe = job.coe
        if coe.id in trees:
            plan.svgs[markup_key(coe.slug, "whys")] = pack(trees[coe.id])
        for index, svg in enumerate(charts.render_impact_graphs(coe, cache_dir)):
            plan.svgs[markup_key(coe.slug, f"graph-{index}")] = pack(svg)
        plan.pages[job.uri] = page.markdown
        plan.html.update((key, pack(block)) for key, block in page.blocks.items())
        plan.texts.update((key, pack(text)) for key, text in page.texts.items())
        plan.edit_paths[job.uri] = coe.folder / "coe.yaml"
        folder = f"{COES_URI}/{coe.slug}"
        shown = {"coe.yaml", *(g.data for g in coe.impact.graphs), *page.links}
        for name in sorted(shown):
            _plan_folder_file(plan, coe.folder, name, f"{folder}/{Path(os.path.normpath(name)).as_posix()}")


def _plan_folder_file(plan: Plan, folder: Path, name: str, uri: str) -> None:
    """Publish a file of a COE's folder at `uri` when it may be: coe.yaml, or a regular
    file inside the folder of a published kind, an SVG rebuilt safe. Validation has named
    every file it found that may not be; one it could not see is left out in silence."""
    try:
        path = folder_files.locate(folder, name)
        if name == COE_FILE:
            plan.files[uri] = path
        elif folder_files.kind_problem(name) is None:
            if name.lower().endswith(".svg"):
                plan.data[uri] = clean_svg(folder_files.read(folder, name, folder_files.MAX_LINKED_BYTES))
            else:
                plan.files[uri] = path
    except (folder_files.FolderFileError, SvgError):
        pass


def _reports(coes: list[Coe], today: date, cache_dir: Path | None, home: bool,
             hidden_drafts: int) -> tuple[dict[str, str], dict[str, bytes]]:
    """The index and report pages (uri -> Markdown) and the data files (uri -> UTF-8)."""
    reports = {INDEX_URI: pages.index_page(coes, today, hidden_drafts),
               **report_pages.report_pages(coes, today, cache_dir, home=home)}
    data = report_pages.report_data(coes, today)
    return reports, {uri: text.encode("utf-8") for uri, text in data.items()}


def plan_site(coes_dir: Path, today: date, drafts: str = "show", cache_dir: Path | None = None,
              home: bool = True, root: Path | None = None,
              settings: ReviewSettings | None = None, memo: ServeMemo | None = None) -> Plan:
    """Validate `coes_dir` and, when there are no errors, plan every page and file.

    Problems name files relative to `root`, the repository, as `coe validate` does;
    `memo` carries work over from the previous build of the same process.
    """
    plan = Plan()
    settings = replace(settings or ReviewSettings(), today=today)
    report = validate([coes_dir], settings=settings, root=root, keep_models=True,
                      memo=memo.validation if memo else None)
    plan.problems = report.problems
    if plan.errors:
        return plan
    coes = sorted((c.model for c in report.checked if c.model), key=lambda c: c.slug)
    notes = {c.path.parent.resolve(): [p for p in c.problems if p.level is Level.WARNING]
             for c in report.checked}
    if drafts == "hide":
        plan.hidden_drafts = sum(1 for c in coes if c.status == "draft")
        coes = [c for c in coes if c.status != "draft"]
    plan.coe_count = len(coes)
    # The reports are drawn in a worker process while this one renders or reads the
    # COE pages and diagrams.
    pending = in_background(_reports, coes, today, cache_dir, home, plan.hidden_drafts,
                            wanted=len(coes) >= RENDER_IN_WORKERS_FROM)
    _plan_coe_pages(plan, coes, notes, today, cache_dir, memo)
    reports, data = pending.result()
    for uri, page in reports.items():  # HTML apart from their marked headings
        plan.pages[uri], blocks = split_sections(uri, page)
        plan.html.update((key, pack(block)) for key, block in blocks.items())
    plan.nav_pages.add(INDEX_URI)
    plan.pages[RULES_URI] = pages.rules_page()
    plan.nav_pages.add(RULES_URI)
    plan.nav_pages.update(uri for uri in reports if uri in report_pages.NAV_URIS)
    plan.data.update(data)
    plan.data[MARKER_URI] = marker([coe_uri(coe) for coe in coes], plan.hidden_drafts)
    give_back()  # what planning freed, before mkdocs allocates its pages
    return plan
