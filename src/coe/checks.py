"""Checks the schema cannot express: order, identity, references and the files beside a COE.

Each check reads the data defensively: it runs on files that may also have schema
errors, and looks only at the parts that have the right shape, so one mistake does not
hide another.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from . import folder_files, locate
from .problems import Problem
from .repository import folder_name_problem
from .sources import NARRATIVE_FILE, JsonPath, Source, graph_data, narrative_file
from .times import is_time, parse_time, time_problem

TIME_ORDER = ("start", "detected", "engaged", "mitigated", "resolved")
MAX_CSV_ROWS = 100_000
# Far beyond any real analysis, low enough that one file cannot stall a build or a reader.
MAX_WHY_DEPTH = 20
MAX_WHY_NODES = 300
MAX_TIMELINE = 2_000
MAX_LIST = 1_000  # communications, mitigations, action items, ...
_FOLDER = re.compile(r"^(\d{4}-\d{2}-\d{2})-[\w.-]+$")


def file_problems(source: Source) -> list[Problem]:
    """Every check of one COE on its own (cross-COE checks are in `corpus_problems`)."""
    problems: list[Problem] = []
    for check in (check_limits, check_times, check_timeline, check_ids, check_addresses,
                  check_graphs, check_narrative, check_links, check_folder):
        problems.extend(check(source))
    return problems


def _at(rule: str, source: Source, path: JsonPath, message: str, key: bool = False) -> Problem:
    span = source.span(path)
    line, column = (span.key_line, span.key_column) if key else (span.line, span.column)
    return Problem.of(rule, source.display, line, column, message)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def check_limits(source: Source) -> Iterator[Problem]:
    """Sizes a COE may not exceed: why-tree depth and nodes, timeline and list lengths."""
    data = _dict(source.data)
    nodes = source_why_nodes(source)
    deepest = max(nodes, key=lambda pair: len(pair[0]), default=None)
    if deepest and (len(deepest[0]) - 1) // 2 > MAX_WHY_DEPTH:
        yield _at("COE028", source, deepest[0],
                  f"the why-tree is more than {MAX_WHY_DEPTH} levels deep here; "
                  "split the analysis or summarise the deepest steps")
    if len(nodes) > MAX_WHY_NODES:
        yield _at("COE028", source, ("whys",), f"the why-tree has {len(nodes)} nodes; "
                  f"at most {MAX_WHY_NODES} are drawn", key=True)
    for name, limit in (("timeline", MAX_TIMELINE), ("communications", MAX_LIST),
                        ("mitigations", MAX_LIST), ("dependencies", MAX_LIST),
                        ("action_items", MAX_LIST), ("lessons", MAX_LIST)):
        entries = _list(data.get(name))
        if len(entries) > limit:
            yield _at("COE028", source, (name,), f"{name} has {len(entries)} entries; "
                      f"at most {limit} are allowed", key=True)


def check_times(source: Source) -> Iterator[Problem]:
    """start <= detected <= engaged <= mitigated <= resolved, for those present."""
    times = _dict(_dict(source.data).get("times"))
    previous: tuple[str, Any] | None = None
    for name in TIME_ORDER:
        value = times.get(name)
        if not is_time(value):
            continue
        moment = parse_time(value)
        if previous and moment < previous[1]:
            yield _at(
                "COE020", source, ("times", name),
                f"times.{name} ({value}) is before times.{previous[0]} ({times[previous[0]]}); "
                "times go start <= detected <= engaged <= mitigated <= resolved",
            )
        else:
            previous = (name, moment)


def check_timeline(source: Source) -> Iterator[Problem]:
    """Timeline entries in time order; equal times are allowed."""
    previous: tuple[int, Any] | None = None
    for index, entry in enumerate(_list(_dict(source.data).get("timeline"))):
        value = _dict(entry).get("at")
        if not is_time(value):
            continue
        moment = parse_time(value)
        if previous and moment < previous[1]:
            line = source.span(("timeline", previous[0], "at")).line
            yield _at(
                "COE021", source, ("timeline", index, "at"),
                f"timeline entry at {value} comes after one at a later time "
                f"(line {line}); list the timeline in time order",
            )
        # Compared with the entry just above, so one misplaced entry is one error.
        previous = (index, moment)


def why_nodes(data: Any) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
    """Every node of the why-tree with its path, depth first, in document order."""
    stack = [(("whys", "causes", i), node) for i, node in
             enumerate(_list(_dict(_dict(data).get("whys")).get("causes")))]
    stack.reverse()
    while stack:
        path, node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield path, node
        children = _list(node.get("causes"))
        stack.extend(reversed([(path + ("causes", i), child) for i, child in enumerate(children)]))


def source_why_nodes(source: Source) -> list[tuple[JsonPath, dict[str, Any]]]:
    """`why_nodes` of a source's data, walked once: several checks need them."""
    nodes = source.derived.get("why_nodes")
    if nodes is None:
        nodes = source.derived["why_nodes"] = list(why_nodes(source.data))
    return nodes


def check_ids(source: Source) -> Iterator[Problem]:
    """Why-node ids and action-item ids are each unique within the COE."""
    nodes = [(path, node.get("id")) for path, node in source_why_nodes(source)]
    actions = [(("action_items", i), _dict(item).get("id"))
               for i, item in enumerate(_list(_dict(source.data).get("action_items")))]
    for what, entries in (("why-node", nodes), ("action item", actions)):
        first: dict[str, JsonPath] = {}
        for path, ident in entries:
            if not isinstance(ident, str):
                continue
            if ident in first:
                line = source.span(first[ident] + ("id",)).line
                yield _at(
                    "COE022", source, path + ("id",),
                    f'{what} id "{ident}" is already used at line {line}; ids must be unique in a COE',
                )
            else:
                first[ident] = path


def check_addresses(source: Source) -> Iterator[Problem]:
    """Every `addresses` entry names a node of this COE's why-tree."""
    ids = [node["id"] for _, node in source_why_nodes(source) if isinstance(node.get("id"), str)]
    for i, item in enumerate(_list(_dict(source.data).get("action_items"))):
        for j, address in enumerate(_list(_dict(item).get("addresses"))):
            if not isinstance(address, str) or address in ids:
                continue
            if ids:
                from difflib import get_close_matches  # only a mistake needs it

                close = get_close_matches(address, ids, n=1, cutoff=0.5)
                hint = f'; did you mean "{close[0]}"?' if close else f"; the nodes are {', '.join(ids)}"
                message = f'addresses names "{address}", which is not a node of the why-tree{hint}'
            else:
                message = f'addresses names "{address}", but this COE has no why-tree yet'
            yield _at("COE023", source, ("action_items", i, "addresses", j), message)


def check_graphs(source: Source) -> Iterator[Problem]:
    """Each impact graph's CSV is a regular file in the COE's folder, of `time,value` rows."""
    graphs = _list(_dict(_dict(source.data).get("impact")).get("graphs"))
    for i, graph in enumerate(graphs):
        name = _dict(graph).get("data")
        if not isinstance(name, str):
            continue
        path = ("impact", "graphs", i, "data")
        display = str(Path(source.display).parent / name)
        try:
            kind = folder_files.kind_problem(name)
            if kind:
                yield _at("COE024", source, path, f'graph data "{name}" {kind}')
                continue
            text = graph_data(source, name)
        except folder_files.FolderFileError as error:
            if error.kind in ("absolute", "outside"):
                message = f'graph data "{name}" must be a file inside the COE\'s folder'
            elif error.kind == "missing":
                message = f'graph data file "{name}" not found beside coe.yaml'
            elif error.kind == "not-text":
                yield Problem.of("COE024", display, 1, 1, "graph data is not UTF-8 text")
                continue
            else:
                message = f'graph data "{name}" {error}'
            yield _at("COE024", source, path, message)
            continue
        yield from csv_problems(text, display)


def csv_problems(text: str, display: str) -> Iterator[Problem]:
    """Problems of a graph's data, at their line and column in the CSV file."""

    def problem(line: int, column: int, message: str) -> Problem:
        return Problem.of("COE024", display, line, column, message)

    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if header is None or [cell.strip() for cell in header] != ["time", "value"]:
        shown = ",".join(header) if header else "nothing"
        yield problem(1, 1, f'graph data must start with the header "time,value", got "{shown}"')
        return
    count = 0
    for count, row in enumerate(rows, start=1):
        line = count + 1
        if count > MAX_CSV_ROWS:
            yield problem(line, 1, f"graph data has more than {MAX_CSV_ROWS} rows")
            return
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            yield problem(line, 1, f"expected 2 columns (time,value), got {len(row)}")
            continue
        when, value = row[0].strip(), row[1].strip()
        reason = time_problem(when)
        if reason:
            yield problem(line, 1, f"time {reason}, got \"{when}\"")
        if not _is_number(value):
            yield problem(line, len(row[0]) + 2, f'value must be a number, got "{value}"')
    if count == 0:
        yield problem(1, 1, "graph data has a header but no rows")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def check_narrative(source: Source) -> Iterator[Problem]:
    """narrative.md, when there is one, is a regular UTF-8 file of the COE's folder; and
    the narrative is either the `narrative` field or narrative.md, not both."""
    text, error = narrative_file(source)
    if "narrative" in _dict(source.data) and (text is not None or error is not None):
        yield _at(
            "COE025", source, ("narrative",),
            "narrative is given twice, here and in narrative.md; keep one of them",
            key=True,
        )
    if error is not None:
        display = str(Path(source.display).parent / NARRATIVE_FILE)
        if error.kind == "not-text":
            yield Problem.of("COE027", display, 1, 1, "narrative.md is not UTF-8 text")
        else:
            yield Problem.of("COE001", display, 1, 1, f'"{NARRATIVE_FILE}" {error}')


_LINKS = re.compile(
    r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)"          # [text](target) and ![alt](target)
    r"|^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)"  # [label]: target
    r"|\b(?:src|href)\s*=\s*(?:\"([^\"]*)|'([^']*)|([^\s>\"']+))",  # HTML attributes
    re.MULTILINE,
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def markdown_fields(data: Any) -> Iterator[tuple[JsonPath, str]]:
    """Every Markdown field of a COE with its path."""
    data = _dict(data)
    for path in (("summary",), ("narrative",), ("detection", "analysis"),
                 ("impact", "customer_experience")):
        value: Any = data
        for part in path:
            value = _dict(value).get(part)
        if isinstance(value, str):
            yield path, value
    for name, key in (("timeline", "event"), ("communications", "message"),
                      ("dependencies", "blast_radius")):
        for i, entry in enumerate(_list(data.get(name))):
            value = _dict(entry).get(key)
            if isinstance(value, str):
                yield (name, i, key), value
    for i, lesson in enumerate(_list(data.get("lessons"))):
        if isinstance(lesson, str):
            yield ("lessons", i), lesson


def _link_name(target: str) -> str | None:
    """The file a link target names, or None for a web address, an anchor or nothing."""
    if _SCHEME.match(target) or target.startswith(("#", "//")):
        return None
    return unquote(target.split("#")[0].split("?")[0]) or None


def link_problem(folder: Path, target: str) -> str | None:
    """Why a link in a Markdown field cannot be shown, or None when it can: the file
    must be a regular file inside the COE's folder, of a kind the site publishes and
    what its name says (an SVG that can be made safe)."""
    name = _link_name(target)
    if name is None:
        return None
    try:
        folder_files.locate(folder, name)
        kind = folder_files.kind_problem(name)
        if kind:
            return f'linked file "{name}" {kind}'
        svg = name.lower().endswith(".svg")
        data = folder_files.read(folder, name, folder_files.MAX_LINKED_BYTES,
                                 upto=None if svg else 16)
    except folder_files.FolderFileError as error:
        if error.kind == "absolute":
            return f'link "{target}" is an absolute path; link files beside coe.yaml by relative path'
        if error.kind == "outside":
            return f'link "{target}" leaves the COE\'s folder; only files beside coe.yaml can be shown'
        if error.kind == "missing":
            return f'linked file "{name}" not found beside coe.yaml'
        return f'linked file "{name}" {error}'
    if not svg:
        problem = folder_files.content_problem(name, data)
        return f'linked file "{name}" {problem}' if problem else None
    from .safe_svg import SvgError, clean_svg  # few COEs link an SVG

    try:
        clean_svg(data)
    except SvgError as error:
        return f'linked file "{name}" {error} (line {error.line}, column {error.column} of the SVG)'
    return None


def _links(text: str) -> Iterator[tuple[int, str]]:
    """(index, target) of each link in `text`."""
    # Every form of link has a "[" or a src or href attribute, and most text has none:
    # the expression, tried at every character, costs more than all the other checks.
    if "[" not in text and "src" not in text and "href" not in text:
        return
    for match in _LINKS.finditer(text):
        group = next(g for g in range(1, 6) if match.group(g) is not None)
        yield match.start(group), match.group(group)


def check_links(source: Source) -> Iterator[Problem]:
    """Files linked from Markdown fields exist inside the COE's folder."""
    folder = source.path.parent
    for path, text in markdown_fields(source.data):
        for index, target in _links(text):
            problem = link_problem(folder, target)
            if problem:
                line, column = source.position_in(path, text, index)
                yield Problem.of("COE027", source.display, line, column, problem)
    text = narrative_file(source)[0]
    if text:
        display = str(Path(source.display).parent / NARRATIVE_FILE)
        for index, target in _links(text):
            problem = link_problem(folder, target)
            if problem:
                line, column = locate.line_column(text, index)
                yield Problem.of("COE027", display, line, column, problem)


def dependencies(source: Source) -> tuple[list[str], list[str]]:
    """The files beside coe.yaml, other than narrative.md, that the checks and the model
    of this COE look at through `folder_files`: (graph data files, linked files).

    For a memo of results, which must see when one of them changes: naming a file that
    does not matter costs a look at it, leaving one out would keep a stale result.
    """
    data = _dict(source.data)
    graphs = [name for graph in _list(_dict(data.get("impact")).get("graphs"))
              if isinstance(name := _dict(graph).get("data"), str)]
    texts = [text for _, text in markdown_fields(data)]
    narrative = narrative_file(source)[0]
    if narrative:
        texts.append(narrative)
    links = [name for text in texts for _, target in _links(text)
             if (name := _link_name(target)) is not None]
    return graphs, links


def check_folder(source: Source) -> Iterator[Problem]:
    """The folder's name is safe in an address, and is YYYY-MM-DD-short-slug, dated by the
    incident's start."""
    if source.path.name != "coe.yaml":
        return
    name = source.path.parent.name
    unsafe = folder_name_problem(name)
    if unsafe:  # the name must change anyway: one problem, not a second about its shape
        yield Problem.of("COE029", source.display, 1, 1, unsafe)
        return
    match = _FOLDER.match(name)
    if not match:
        yield Problem.of(
            "COE026", source.display, 1, 1,
            f'folder "{name}" should be named YYYY-MM-DD-short-slug, like 2025-10-20-dns-race',
        )
        return
    start = _dict(_dict(source.data).get("times")).get("start")
    if is_time(start) and parse_time(start).date().isoformat() != match[1]:
        yield _at(
            "COE026", source, ("times", "start"),
            f"folder date {match[1]} differs from the start date {start[:10]}; "
            "name the folder after the day impact began",
        )


@dataclass(frozen=True)
class Identity:
    """A COE's id and where it is written: all that cross-COE checks need of a file."""

    ident: str
    display: str
    line: int
    column: int


def identity(source: Source) -> Identity | None:
    """The COE's id with its place, when it has a textual id."""
    ident = _dict(source.data).get("id")
    if not isinstance(ident, str):
        return None
    span = source.span(("id",))
    return Identity(ident, source.display, span.line, span.column)


def corpus_problems(identities: list[Identity]) -> Iterator[Problem]:
    """COE ids are unique across the repository."""
    by_id: dict[str, list[Identity]] = {}
    for who in identities:
        by_id.setdefault(who.ident, []).append(who)
    for ident, holders in by_id.items():
        if len(holders) < 2:
            continue
        for who in holders:
            others = [o.display for o in holders if o is not who]
            more = f" and {len(others) - 1} more" if len(others) > 1 else ""
            yield Problem.of(
                "COE022", who.display, who.line, who.column,
                f"id {ident} is also used by {others[0]}{more}; "
                "COE ids are unique across the repository (`coe new` picks a free one)",
            )
