"""Why-trees as diagrams: DOT text from the model, then SVG from Graphviz's `dot`.

The DOT text is plain, deterministic and golden-tested; every piece of user text goes
into HTML-like labels escaped, so no text can change the graph, and node names are
generated (`n0`, `n1`, ...). SVG ids are set here, per COE, because Graphviz's own ids
change from the second graph of a batch on and would collide once many SVGs share a page.

Rendering sends every graph not yet cached through one `dot` process: starting `dot`
costs about ten times more than laying out one of these trees.
"""

from __future__ import annotations

import html
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from urllib.parse import quote

from ..cache import cached_svgs, content_key
from ..model import Coe, WhyNode
from ..words import wrap

log = logging.getLogger(__name__)

# Bump when the DOT conventions or the SVG post-processing change, to drop old cache entries.
FORMAT_VERSION = "whys-1"
BATCH = 100  # graphs per `dot` process: about half a second of work

WRAP_COLUMNS = 36  # main text: the `because`, the `why`, the problem
SMALL_WRAP_COLUMNS = 48  # smaller text (evidence) fits more columns in the same width
ACTIONS_PER_ROW = 4

# Noto Sans CJK covers Latin and CJK, so layout (measured by dot with fontconfig) and the
# browser agree where it is installed; the rest of the list is for browsers without it.
FONT = "Noto Sans CJK SC, Noto Sans, sans-serif"
TEXT_COLOUR = "#212121"
MUTED_COLOUR = "#6b7280"
EDGE_COLOUR = "#78909c"
PROBLEM_FILL, PROBLEM_BORDER = "#fdecea", "#c62828"
CAUSE_FILL, CAUSE_BORDER = "#f5f7fa", "#90a4ae"
ROOT_FILL, ROOT_BORDER = "#fff1c2", "#8a5300"
ACTION_FILL, ACTION_BORDER, ACTION_TEXT = "#e3f2fd", "#1565c0", "#0d47a1"

_NOT_ID = re.compile(r"[^a-z0-9._-]")
_DOT_MISSING = (
    "Graphviz's dot was not found; install it: apt-get install graphviz (Debian/Ubuntu) "
    "or brew install graphviz (macOS)"
)


class DiagramError(Exception):
    """A diagram could not be rendered; `index` is its position in the batch, if known."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


# --- DOT text ---------------------------------------------------------------------------


def action_anchor(item_id: str) -> str:
    """The HTML id under which a page shows an action item: `action-ai-1` for `AI-1`."""
    return f"action-{item_id.lower()}"


def _default_action_href(item_id: str) -> str:
    return "#" + action_anchor(item_id)


def why_tree_dot(coe: Coe, action_href: Callable[[str], str] | None = None) -> str:
    """Deterministic DOT text of the COE's why-tree, problem on top; `coe.whys` must be set.

    `action_href` maps an action item's id to the link of its box (default
    `#action-<id lowercased>`). SVG ids are `<coe id>-<node id>`, lowercased and limited
    to `[a-z0-9._-]`, and `<coe id>-whys` for the graph.
    """
    if coe.whys is None:
        raise ValueError(f"{coe.id} has no why-tree to draw")
    href = action_href or _default_action_href
    prefix = svg_id(coe.id)
    ids = _Ids()
    graph_id = ids.take(f"{prefix}-whys")
    problem_id = ids.take(f"{prefix}-problem")
    actions: dict[str, list[tuple[str, str]]] = {}
    for item in coe.action_items:
        for node_id in dict.fromkeys(item.addresses):
            actions.setdefault(node_id, []).append((item.id, item.title))

    lines = [
        "digraph whys {",
        f'  graph [id="{graph_id}", rankdir=TB, ordering=out, bgcolor=transparent, '
        f'fontname="{FONT}", nodesep=0.3, ranksep=0.4, pad=0.1]',
        f'  node [shape=plain, fontname="{FONT}", fontsize=12, fontcolor="{TEXT_COLOUR}"]',
        f'  edge [color="{EDGE_COLOUR}", penwidth=1.2, arrowsize=0.7]',
        f'  n0 [id="{problem_id}", label=<{_problem_label(coe.whys.problem)}>]',
    ]
    edges: list[str] = []
    counter = 0

    def add(node: WhyNode, parent: str) -> None:
        nonlocal counter
        counter += 1
        name = f"n{counter}"
        node_svg_id = ids.take(f"{prefix}-{svg_id(node.id)}")
        label = _node_label(node, actions.get(node.id, ()), node_svg_id, href, ids)
        lines.append(f'  {name} [id="{node_svg_id}", label=<{label}>]')
        edges.append(f'  {parent} -> {name} [id="{ids.take(node_svg_id + "-edge")}"]')
        for child in node.causes:
            add(child, name)

    for cause in coe.whys.causes:
        add(cause, "n0")
    return "\n".join([*lines, *edges, "}", ""])


def svg_id(text: str) -> str:
    """`text` as a part of an SVG id: lowercased, non-ASCII as `u<hex>`, the rest `-`."""
    return "".join(
        f"u{ord(c):04x}" if ord(c) > 127 else _NOT_ID.sub("-", c) for c in text.lower()
    )


class _Ids:
    """Hands out SVG ids, suffixing `-2`, `-3`... when two would otherwise be equal."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.used:
            n += 1
            candidate = f"{wanted}-{n}"
        self.used.add(candidate)
        return candidate


def _problem_label(problem: str) -> str:
    rows = [
        _row(_small("problem", MUTED_COLOUR)),
        _row("<B>" + _lines(problem, WRAP_COLUMNS) + "</B>"),
    ]
    return _table(rows, PROBLEM_FILL, PROBLEM_BORDER, border=2)


def _node_label(node: WhyNode, actions: list[tuple[str, str]] | tuple[()], node_svg_id: str,
                href: Callable[[str], str], ids: _Ids) -> str:
    marker = _small("<B>ROOT CAUSE</B>", ROOT_BORDER, escaped=True) if node.root_cause else ""
    rows = [
        f'<TR><TD ALIGN="LEFT">{_small(node.id, MUTED_COLOUR)}</TD>'
        f'<TD ALIGN="RIGHT">{marker}</TD></TR>'
    ]
    if node.why:
        rows.append(_row("<I>" + _lines(node.why, WRAP_COLUMNS) + "</I>"))
    rows.append(_row(_lines(node.because, WRAP_COLUMNS)))
    if node.category:
        rows.append(_row(_small(node.category, MUTED_COLOUR)))
    if node.evidence:
        text = _lines("evidence: " + node.evidence, SMALL_WRAP_COLUMNS)
        rows.append(_row(_small(text, MUTED_COLOUR, escaped=True)))
    if actions:
        rows.append(_row(_action_boxes(actions, node_svg_id, href, ids)))
    if node.root_cause:
        return _table(rows, ROOT_FILL, ROOT_BORDER, border=3)
    return _table(rows, CAUSE_FILL, CAUSE_BORDER, border=1)


def _action_boxes(actions: list[tuple[str, str]] | tuple[()], node_svg_id: str,
                  href: Callable[[str], str], ids: _Ids) -> str:
    cells = [
        f'<TD BORDER="1" COLOR="{ACTION_BORDER}" BGCOLOR="{ACTION_FILL}" '
        f'HREF="{_escape(_url(href(item_id)))}" TITLE="{_escape(title)}" '
        f'ID="{ids.take(f"{node_svg_id}-{svg_id(item_id)}")}">'
        f"{_small(item_id, ACTION_TEXT)}</TD>"
        for item_id, title in actions
    ]
    rows = [
        "<TR>" + "".join(cells[i:i + ACTIONS_PER_ROW]) + "</TR>"
        for i in range(0, len(cells), ACTIONS_PER_ROW)
    ]
    return '<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2">' + "".join(rows) + "</TABLE>"


def _table(rows: list[str], fill: str, border_colour: str, border: int) -> str:
    return (
        f'<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" '
        f'STYLE="rounded" BGCOLOR="{fill}" COLOR="{border_colour}">' + "".join(rows)
        + "</TABLE>"
    )


def _row(content: str) -> str:
    return f'<TR><TD COLSPAN="2" ALIGN="LEFT" BALIGN="LEFT">{content}</TD></TR>'


def _small(text: str, colour: str, escaped: bool = False) -> str:
    body = text if escaped else _escape(text)
    return f'<FONT POINT-SIZE="9" COLOR="{colour}">{body}</FONT>'


def _lines(text: str, columns: int) -> str:
    return "<BR/>".join(_escape(line) for line in wrap(_printable(text), columns))


def _escape(text: str) -> str:
    """User text for an HTML-like label or one of its attributes, shown as written.

    After parsing the label, dot expands `\\N`, `\\G`, ... (the node's name, the graph's)
    and turns `\\\\` into `\\`: doubling every backslash keeps them literal.
    """
    return html.escape(_printable(text), quote=True).replace("\\", "\\\\")


def _url(url: str) -> str:
    """`url` with what may not stand in a URL percent-encoded: dot 2.43 writes links into
    the SVG without escaping them, so a quote or `<` would break the document."""
    return quote(_printable(url), safe="!#$%&'()*+,-./:;=?@[]_~" + _ALNUM)


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _printable(text: str) -> str:
    """Control characters (other than newlines) and lone surrogates, which dot's XML
    parser refuses, as visible replacements; tabs as a space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNPRINTABLE.sub("\ufffd", text)


_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


# --- SVG --------------------------------------------------------------------------------


def render_svgs(sources: list[str], cache_dir: Path | None, timeout: float = 30.0) -> list[str]:
    """SVG, ready to inline in HTML, for each DOT text of `sources`, in the same order.

    Graphs found in `cache_dir/diagrams/` are not rendered again; all the others go
    through one `dot` process. `timeout` is in seconds per `dot` process; if the batch
    fails or times out, its graphs are rendered one at a time to find the one at fault,
    and `DiagramError` names its index.
    """
    if not sources:
        return []
    dot = shutil.which("dot")
    if dot is None:
        raise DiagramError(_DOT_MISSING)
    version = _dot_version(dot, _mtime(dot), timeout)
    folder = cache_dir / "diagrams" if cache_dir is not None else None
    keys = [content_key(source, version, FORMAT_VERSION) for source in sources]

    def unwritable(error: OSError) -> None:  # costs time next build, not this build
        log.warning("Could not cache a diagram in %s: %s", folder, error)

    return cached_svgs(
        folder, keys,
        lambda todo: _render_batches(dot, [(index, sources[index]) for index in todo], timeout),
        unwritable)


def render_why_trees(coes: list[Coe], cache_dir: Path | None) -> dict[str, str]:
    """The why-tree SVG of every COE that has a tree, by COE id, rendered in one batch."""
    with_trees = [coe for coe in coes if coe.whys]
    sources = [why_tree_dot(coe) for coe in with_trees]
    try:
        svgs = render_svgs(sources, cache_dir)
    except DiagramError as error:
        index = getattr(error, "index", None)
        if index is not None:
            raise DiagramError(f"{with_trees[index].folder}: {error}") from None
        raise
    return {coe.id: svg for coe, svg in zip(with_trees, svgs)}


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


@cache
def _dot_version(dot: str, mtime_ns: int, timeout: float) -> str:
    """`dot -V`'s line, asked once per executable: it is part of every cache key."""
    try:
        done = _run_dot([dot, "-V"], b"", timeout)
    except subprocess.TimeoutExpired:
        raise DiagramError(f"Graphviz's dot -V did not answer within {timeout:g} s") from None
    return (done.stderr or done.stdout).decode("utf-8", "replace").strip()


def _run_dot(command: list[str], data: bytes, timeout: float) -> subprocess.CompletedProcess:
    """The one place that starts `dot` (the graphviz package's `pipe` takes no timeout)."""
    try:
        return subprocess.run(command, input=data, capture_output=True, timeout=timeout,
                              check=False)
    except FileNotFoundError:
        raise DiagramError(_DOT_MISSING) from None


def _render_batches(dot: str, graphs: list[tuple[int, str]], timeout: float) -> list[str]:
    """`_render` over batches of at most `BATCH` graphs, as many at once as there are
    cores: one `dot` process uses one core, and a smaller batch keeps each far from the
    timeout."""
    batches = [graphs[start:start + BATCH] for start in range(0, len(graphs), BATCH)]
    workers = min(len(batches), os.cpu_count() or 1)
    if workers < 2:
        return [svg for batch in batches for svg in _render(dot, batch, timeout)]
    # Threads suffice: each waits on its own `dot` process.
    with ThreadPoolExecutor(workers) as pool:
        done = list(pool.map(lambda batch: _render(dot, batch, timeout), batches))
    return [svg for svgs in done for svg in svgs]


def _render(dot: str, graphs: list[tuple[int, str]], timeout: float) -> list[str]:
    """SVG for each `(index, dot text)`, all in one `dot` process if it succeeds."""
    if not graphs:
        return []
    batch = "\n".join(source for _, source in graphs).encode("utf-8", "replace")
    try:
        done = _run_dot([dot, "-Tsvg"], batch, timeout)
    except subprocess.TimeoutExpired:
        done = None
    if done is not None and done.returncode == 0:
        documents = _split(done.stdout.decode("utf-8", "replace"))
        if len(documents) != len(graphs):
            raise DiagramError(
                f"Graphviz's dot returned {len(documents)} SVG documents for {len(graphs)} "
                "graphs"
            )
        return [inline_dot_svg(document) for document in documents]
    if len(graphs) > 1:
        return [svg for graph in graphs for svg in _render(dot, [graph], timeout)]
    index = graphs[0][0]
    if done is None:
        raise DiagramError(
            f"Graphviz's dot took more than {timeout:g} s on diagram {index}", index
        )
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    reason = lines[0] if lines else f"exit status {done.returncode}"
    raise DiagramError(f"Graphviz's dot failed on diagram {index}: {reason}", index)


_DOCUMENT = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)
_SVG_TAG = re.compile(r"<svg\b[^>]*>")
# From the second graph of a batch on, dot prefixes the graph's id with `page0,1_`.
_BATCH_PREFIX = re.compile(r'(<g id=")page\d+,\d+_([^"]*" class="graph")')
_HREF = re.compile(r'(href=")([^"]*)(")')
_BARE_AMPERSAND = re.compile(r"&(?!#?[A-Za-z0-9]+;)")


def _split(output: str) -> list[str]:
    """The SVG documents of dot's output for several graphs, written one after another."""
    return _DOCUMENT.findall(output)


def inline_dot_svg(document: str) -> str:
    """One of dot's SVG documents as an element to inline in HTML.

    Without the XML declaration, the DOCTYPE and the comments, with the graph's id as
    set in the DOT text wherever the graph stood in a batch, and scaled down to the width
    of its container when wider (`max-width:100%;height:auto`, the `viewBox` kept).
    """
    start = document.find("<svg")
    svg = _COMMENT.sub("", document[start:] if start >= 0 else document).strip()
    svg = _BATCH_PREFIX.sub(r"\1\2", svg, count=1)
    # dot 2.43 leaves `&` in links as it is: XML wants `&amp;`
    svg = _HREF.sub(lambda m: m[1] + _BARE_AMPERSAND.sub("&amp;", m[2]) + m[3], svg)

    def scalable(match: re.Match[str]) -> str:
        tag = re.sub(r'\s+style="[^"]*"', "", match.group())
        return tag[:-1].rstrip() + ' style="max-width:100%;height:auto">'

    return _SVG_TAG.sub(scalable, svg, count=1)
