"""COE pages rendered once: on every core when they are new, from the cache after that.

A COE page is a pure function of the COE's model, "today", its review notes and the
tool's own code and templates, so a hash of those names it in `<cache>/pages/`: a warm
build reads the pages instead of rendering them again (Jinja and the Markdown fields
cost several milliseconds a page), and a cold one renders them in worker processes.

A rendered page is kept split for the site (`plugin.py`): the Markdown that mkdocs
converts holds only the section headings and one placeholder per HTML block between
them, with the block's HTML and the block's words (what the search indexer reads)
beside it. Markdown would only copy the HTML, at the cost of parsing every tag.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache, partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nh3

from ..cache import content_key, fingerprint, write_atomic
from ..model import Coe
from ..problems import Problem
from ..render import pages
from ..resources import data_path
from ..runtime import RENDER_IN_WORKERS_FROM, can_fork, fork_map, pack, unpack

_LOCAL_LINK = re.compile(r'\b(?:src|href)="([^"#?]+)[^"]*"')
# Libraries whose output is part of a page: a new version may change it.
_LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3")


@dataclass(frozen=True)
class PageJob:
    """One COE page to render: the placeholders stand for SVGs drawn elsewhere."""

    coe: Coe
    uri: str
    notes: tuple[Problem, ...] = ()
    diagram: str = ""
    graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedPage:
    """A COE page split for the site; see the module's docstring."""

    markdown: str
    blocks: dict[str, str]  # placeholder key -> HTML
    texts: dict[str, str]  # placeholder key -> the block's text, for the search index
    links: tuple[str, ...] = ()  # the page's relative links, raw


def markup_key(name: str, part: str | int) -> str:
    """A key that stands for a page's block or picture inside an HTML comment until it
    is filled in: hex and a part number or word, never the name itself, which an author
    writes (a folder named `a--><img onerror=...>` would end the comment)."""
    return f"{hashlib.sha256(name.encode('utf-8')).hexdigest()[:20]}-{part}"


def placeholder(key: str) -> str:
    return f"<!--coe-html:{key}-->"


def split_sections(uri: str, page: str) -> tuple[str, dict[str, str]]:
    """The page with each HTML block between its section headings replaced by a
    placeholder, and the blocks by key.

    A heading is a line that follows `pages.SECTION_MARK`: a comment that no COE text
    can produce (text is escaped, Markdown fields lose their comments), so a "## ..."
    line inside a code block stays in its block.
    """
    head, separator, body = page.partition("\n---\n")
    lines: list[str] = []
    block: list[str] = []
    blocks: dict[str, str] = {}

    def flush() -> None:
        text = "\n".join(block).strip("\n")
        if text:
            key = markup_key(uri, len(blocks))
            blocks[key] = text
            lines.extend(["", placeholder(key), ""])
        block.clear()

    body_lines = body.split("\n")
    index = 0
    while index < len(body_lines):
        line = body_lines[index]
        if line == pages.SECTION_MARK and index + 1 < len(body_lines):
            flush()
            lines.append(body_lines[index + 1])
            index += 2
            continue
        block.append(line)
        index += 1
    flush()
    return head + separator + "\n".join(lines) + "\n", blocks


def local_links(page_html: str) -> set[str]:
    """Relative links in a page's HTML: the files it shows from the COE's folder."""
    found = set()
    for target in _LOCAL_LINK.findall(page_html):
        target = html.unescape(target)
        if urlsplit(target).scheme or target.startswith(("/", "\\")):
            continue
        found.add(unquote(target))
    return found


def block_text(html: str) -> str:
    """The words of an HTML block, for the search index."""
    return " ".join(nh3.clean(html.replace("<", " <"), tags=set()).split())


def render_page(job: PageJob, today: date) -> RenderedPage:
    """Render and split one COE page."""
    page = pages.coe_page(job.coe, today, job.diagram, job.graphs, review_notes=list(job.notes))
    markdown, blocks = split_sections(job.uri, page)
    return RenderedPage(markdown, blocks, {key: block_text(block) for key, block in blocks.items()},
                        tuple(sorted(local_links(page))))


@cache
def tool_fingerprint() -> str:
    """A hash of the package's code, its site templates and the libraries rendering uses:
    pages cached by another version of any of them are not reused."""
    return fingerprint((Path(__file__).parents[1], data_path("templates", "site")), _LIBRARIES)


def page_key(job: PageJob, today: date) -> str:
    """The content hash naming a page in the cache.

    The model's repr holds every field the page can show (frozen dataclasses, in field
    order; only the fields as written are left out, which pages never read).
    """
    return content_key(tool_fingerprint(), today.isoformat(), job.uri, repr(job.coe),
                       repr(job.notes), job.diagram, repr(job.graphs))


def _encoded(page: RenderedPage) -> str:
    """A page as the cache and the memo keep it."""
    return json.dumps({"markdown": page.markdown, "blocks": page.blocks, "texts": page.texts,
                       "links": list(page.links)}, ensure_ascii=False)


def _decoded(text: str) -> RenderedPage | None:
    """The page `_encoded` gave `text`; None when the text is not one (damaged)."""
    try:
        stored = json.loads(text)
        page = RenderedPage(stored["markdown"], dict(stored["blocks"]), dict(stored["texts"]),
                            tuple(stored["links"]))
    except (ValueError, KeyError, TypeError):
        return None
    typed = (isinstance(page.markdown, str)
             and all(isinstance(v, str) for v in (*page.blocks.values(), *page.texts.values()))
             and all(isinstance(link, str) for link in page.links))
    return page if typed else None


def _read_cached(path: Path) -> RenderedPage | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None  # absent or not text: rendered again
    return _decoded(text)


def _write_cached(path: Path, page: RenderedPage) -> None:
    try:
        write_atomic(path, _encoded(page))
    except OSError:
        pass  # a cache that cannot be written costs time on the next build, nothing else


def _render_all(jobs: list[PageJob], today: date) -> Iterator[RenderedPage]:
    """Each job's page, in order: in forked workers when there are many."""
    if len(jobs) < RENDER_IN_WORKERS_FROM or not can_fork():
        yield from (render_page(job, today) for job in jobs)
        return
    pages.environment().get_template("coe.md.jinja")  # compiled once, before the fork
    yield from fork_map(partial(render_page, today=today), jobs)


def render_pages(jobs: list[PageJob], today: date, cache_dir: Path | None,
                 memo: dict[str, bytes] | None = None) -> Iterator[RenderedPage]:
    """Each job's page, in order: from `memo` (pages kept, packed, by a long-running
    process, `coe serve`) or `cache_dir/pages/` when there, else rendered (in worker
    processes when there are many) and stored in both.

    Pages are read or rendered as they are taken, so that a large site's are never all
    in memory at once; once the last is taken, `memo` holds these pages only.
    """
    folder = cache_dir / "pages" if cache_dir is not None else None
    keys = [page_key(job, today) for job in jobs] if folder or memo is not None else []
    kept = memo or {}  # replaced only once the last page is taken
    paths = [folder / f"{key}.json" for key in keys] if folder is not None else []
    missing = [index for index in range(len(jobs))
               if not (keys and keys[index] in kept) and not (paths and paths[index].is_file())]
    renders = _render_all([jobs[index] for index in missing], today)
    fresh = set(missing)
    packed: dict[str, bytes] = {}
    for index, job in enumerate(jobs):
        page = remembered = None
        made = index in fresh
        if made:
            page = next(renders)
        elif keys[index] in kept:
            remembered = kept[keys[index]]
            page = _decoded(unpack(remembered))
        else:
            page = _read_cached(paths[index])
        if page is None:  # a damaged entry: rendered again
            page, remembered, made = render_page(job, today), None, True
        if made and paths:
            _write_cached(paths[index], page)
        if memo is not None:
            # Packed: the pages of a thousand COEs are 60 MB as text, held while serving.
            packed[keys[index]] = remembered or pack(_encoded(page))
        yield page
    if memo is not None:
        memo.clear()
        memo.update(packed)
