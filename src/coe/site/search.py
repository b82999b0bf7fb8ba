"""Pagefind search: an index the browser loads in pieces, for sites with thousands of COEs.

material's search (lunr) puts every page's text into one `search/search_index.json` that
the browser downloads and indexes before the first result: at 1,000 COEs 15 MB and ten
seconds, at 20,000 252 MB, and the tab crashes (README, "Search on large sites").
Pagefind, run over the finished site, writes an index in fragments (`pagefind/`): a
query loads the few pieces it needs, about 0.3 MB at either size.

The plugin (`plugin.py`, the only module that imports mkdocs) calls in here:
- `prepare_page` on every finished page: marks what Pagefind indexes and puts a search
  box in the header;
- `search_page` for the "Search" page, which shows Pagefind's own UI (no CDN);
- `run_pagefind` once the site is written.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection
from html import escape
from pathlib import Path

from ..render.report_pages import ACTIONS_URI, OVERDUE_URI, RECURRENCE_URI, SERVICES_URI
from .plan import INDEX_URI

CHOICES = ("material", "pagefind")
SEARCH_URI = "search.md"
BUNDLE_DIR = "pagefind"  # Pagefind's output, beside the pages: <site>/pagefind/
ASSETS = ("coe-search.css", "coe-search.js")
# Pagefind splits Chinese into words only in pages whose language is Chinese, with a
# dictionary that disagrees with the browser's word breaker on the query ("解析器" is one
# word to the browser and two, 解析 + 器, to Pagefind's index). So the index is given each
# Chinese character as a word (a hair space between them, in the copy of the page that
# Pagefind reads: `index_copy`), and the Search page turns a Chinese query into its
# characters: it finds the pages holding them all, those holding them most often first,
# while English words keep the stemming of the site's language.
HAN = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAIR_SPACE = "\u200a"  # white space to Pagefind; the Search page joins the characters again
_HAN_PAIR = re.compile(f"([{HAN}])(?=[{HAN}])")
_TEXT = re.compile(r">[^<]+<")
# Pagefind joins the text of adjacent cells: "<td>ana</td><td>high</td>" would be the one
# word "anahigh". A space after each cell, term and item keeps their words apart.
_CELL_END = re.compile(r"(</(?:td|th|dt|dd|li)>)(?=<)")
# Permalink marks (the pilcrow after each heading) are not words of the COE.
EXCLUDED = ".headerlink"
INSTALL_HINT = "pip install 'coe-tool[pagefind]'"

_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"')
_HEADER_END = re.compile(r"(<header\b.*?)(</nav>)", re.S)


class SearchError(Exception):
    """Pagefind is missing or failed; the message is one line for the build's log."""


def pagefind_executable() -> Path:
    """The Pagefind binary that the `pagefind` package ships (its `extended` extra: the
    binary that also segments pages whose language is Chinese or Japanese).

    PAGEFIND_BINARY_PATH, which the package honours, names another one.
    """
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise SearchError(f"search: pagefind needs the Pagefind package: {INSTALL_HINT}") from None
    executable = get_executable()
    if executable is None or not executable.is_file():
        raise SearchError(f"search: pagefind: no Pagefind binary found; {INSTALL_HINT}")
    return executable


def search_page() -> str:
    """The Markdown of the Search page: a box that `coe-search.js` fills with Pagefind's UI
    (kept out of material's index, for a site that still has both)."""
    return (
        "---\ntitle: Search\nhide:\n  - toc\nsearch:\n  exclude: true\n---\n\n# Search\n\n"
        '<div id="coe-search" class="coe-search"></div>\n'
        "<noscript><p>Searching needs JavaScript.</p></noscript>\n"
    )


def indexed(uri: str, generated: Collection[str]) -> bool:
    """Whether Pagefind indexes the page: the COE pages and the reports that sum them up
    (the dashboard, the services table, the review rules), not the reports that list
    what the COE pages hold (all COEs, the action items, recurrence, each service's COEs).
    Those would match most queries ahead of the COE that holds the words, and at 20,000
    COEs they are pages of 3 to 54 MB, whose text Pagefind sends whole when it shows one
    as a result. Not docs/ pages either: readers search incidents.
    """
    if uri not in generated or uri in (INDEX_URI, ACTIONS_URI, OVERDUE_URI, RECURRENCE_URI, SEARCH_URI):
        return False
    return not (uri.startswith("services/") and uri != SERVICES_URI)


def header_box(search_url: str) -> str:
    """A search box for the header: it opens the Search page with the words typed."""
    return (
        f'<form class="coe-search-box" action="{escape(search_url)}" method="get" role="search">'
        '<input type="search" name="q" placeholder="Search" aria-label="Search the COEs" '
        'autocomplete="off" autocapitalize="off" spellcheck="false" required>'
        "</form>"
    )


def prepare_page(html: str, *, index: bool, search_url: str | None) -> str:
    """A finished page for Pagefind: its article marked `data-pagefind-body` when it is
    to be indexed (Pagefind then skips every unmarked page), and, given the Search page's
    URL relative to this page, a search box at the end of the header."""
    if index:
        html = _ARTICLE.sub(lambda m: m[0] + " data-pagefind-body", html, count=1)
    if search_url is not None:
        html = _HEADER_END.sub(lambda m: m[1] + header_box(search_url) + m[2], html, count=1)
    return html


def split_han(html: str) -> str:
    """The page with a hair space between adjacent Chinese characters of its text (not of
    its tags: heading ids must stay as they are for Pagefind's links to sections)."""
    if not _HAN_PAIR.search(html):
        return html
    return _TEXT.sub(lambda m: _HAN_PAIR.sub(r"\1" + HAIR_SPACE, m[0]), html)


def index_copy(html: str) -> str:
    """The page as Pagefind is to read it: Chinese split into characters, cells apart."""
    return _CELL_END.sub(r"\1 ", split_han(html))


def write_index_source(site_dir: Path, source: Path) -> int:
    """Write into `source` what Pagefind is to read: an `index_copy` of each page marked
    `data-pagefind-body`, at the same path (the paths are the results' URLs). Returns how
    many pages that is."""
    count = 0
    for page in sorted(site_dir.rglob("*.html")):
        html = page.read_text(encoding="utf-8", errors="replace")
        if "data-pagefind-body" not in html:
            continue
        target = source / page.relative_to(site_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(index_copy(html), encoding="utf-8")
        count += 1
    return count


def pagefind_command(executable: Path, source: Path, bundle: Path) -> list[str]:
    """The Pagefind run over the pages in `source`, writing its index into `bundle`."""
    return [str(executable), "--site", str(source), "--output-path", str(bundle),
            "--exclude-selectors", EXCLUDED, "--quiet"]


def run_pagefind(site_dir: Path) -> None:
    """Index the built site with Pagefind into `<site_dir>/pagefind/`.

    Raises SearchError, with Pagefind's own last words, when it cannot run or fails.
    """
    executable = pagefind_executable()
    site_dir = site_dir.resolve()
    # Beside the site, never published with it.
    source = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.pagefind-", dir=site_dir.parent))
    try:
        if not write_index_source(site_dir, source):
            raise SearchError("search: pagefind: no page to index (none is marked data-pagefind-body)")
        command = pagefind_command(executable, source, site_dir / BUNDLE_DIR)
        try:
            done = subprocess.run(command, capture_output=True, text=True, errors="replace")
        except OSError as error:
            raise SearchError(f"search: pagefind could not run ({command[0]}): {error}") from None
    finally:
        shutil.rmtree(source, ignore_errors=True)
    if done.returncode != 0:
        said = ([line.strip() for line in done.stderr.splitlines() if line.strip()]
                or [line.strip() for line in done.stdout.splitlines() if line.strip()])
        why = said[-1] if said else "no output"
        raise SearchError(f"search: pagefind failed (exit status {done.returncode}): {why}")
    if not (site_dir / BUNDLE_DIR / "pagefind.js").is_file():
        raise SearchError(f"search: pagefind wrote no index into {site_dir / BUNDLE_DIR}")
