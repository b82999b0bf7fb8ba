"""Read a COE's YAML into plain JSON-model data, keeping where every key and value was.

YAML is read the way the format page says: YAML 1.2's core schema (timestamps stay
strings, only true/false are booleans), duplicate keys refused, anchors, aliases and
tags refused (never executed). The data is built from libyaml's event stream rather
than with a loader, because a loader would already have expanded aliases, resolved
YAML 1.1 types and forgotten positions by the time we could object.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import folder_files, locate
from .problems import Problem
from .yaml_scalars import STR_TAGS, scalar

# libyaml's parser is ten times faster; the pure-Python one gives the same events.
_EventSource = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = folder_files.MAX_COE_BYTES
MAX_DEPTH = 100

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Span:
    """Where a value (and, inside a mapping, its key) starts; 1-based.

    `plain` keeps the raw text of an unquoted scalar that YAML read as something other
    than text (a number, a boolean, null), so a type error can say what happened.
    """

    line: int
    column: int
    key_line: int
    key_column: int
    plain: str | None = None


@dataclass
class Source:
    """A COE file read into data, with the place of every value."""

    path: Path
    display: str
    data: Any
    # (value mark, key mark, plain text) of each value, as libyaml gave them (0-based),
    # kept by container: for each mapping and list of `data`, under its id(), its
    # entries' by key or by index; the document's under None. Keyed by path, they cost
    # a tuple per value to build and hash, for the few values a problem points at.
    marks: dict[int | None, Any] = field(default_factory=dict)
    text: str = ""
    # What several checks derive from `data` (the why-tree's nodes, ...), worked out once.
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def position_in(self, path: JsonPath, value: str, index: int) -> tuple[int, int]:
        """The line and column in the file of character `index` of the string at `path`."""
        span = self.span(path)
        return locate.in_scalar(self.text.splitlines(), span.line, span.column, value, index)

    def has(self, path: JsonPath) -> bool:
        """True when the file has a value at `path`."""
        return self._marks(path)[1]

    def span(self, path: JsonPath) -> Span:
        """The span of `path`, or of its nearest ancestor that has one."""
        found = self._marks(path)[0]
        if found is None:
            return Span(1, 1, 1, 1)
        value, key, plain = found
        return Span(value.line + 1, value.column + 1, key.line + 1, key.column + 1, plain)

    def _marks(self, path: JsonPath) -> tuple[tuple[Any, Any, str | None] | None, bool]:
        """The marks of `path` or of its nearest ancestor with some; and whether they are
        the path's own."""
        found = self.marks.get(None)
        node = self.data
        for part in path:
            entries = self.marks.get(id(node)) if isinstance(node, (dict, list)) else None
            entry = None
            if isinstance(entries, dict):
                entry = entries.get(part) if isinstance(part, str) else None
            elif isinstance(entries, list) and isinstance(part, int) and 0 <= part < len(entries):
                entry = entries[part]
            if entry is None:
                return found, False
            found, node = entry, node[part]
        return found, found is not None


NARRATIVE_FILE = "narrative.md"


def narrative_file(source: Source) -> tuple[str | None, folder_files.FolderFileError | None]:
    """The text of narrative.md beside the COE, read once for every stage that needs it:
    (None, None) when there is none; (None, why) when it may not be read (a link out of
    the folder, a FIFO, too large, not UTF-8)."""
    if not folder_files.exists(source.path.parent, NARRATIVE_FILE):
        return None, None
    return _folder_text(source, NARRATIVE_FILE, folder_files.MAX_NARRATIVE_BYTES)


def graph_data(source: Source, name: str) -> str:
    """The text of the graph data file `name` beside the COE, read once for the checks
    and the model; FolderFileError when it may not be read."""
    text, error = _folder_text(source, name, folder_files.MAX_DATA_BYTES)
    if error is not None:
        raise error
    return text or ""


def _folder_text(source: Source, name: str, limit: int) -> tuple[str | None, folder_files.FolderFileError | None]:
    key = ("file", name)
    found = source.derived.get(key)
    if found is None:
        try:
            found = (folder_files.read_text(source.path.parent, name, limit), None)
        except folder_files.FolderFileError as error:
            found = (None, error)
        source.derived[key] = found
    return found


class ReadError(Exception):
    """The file could not be read into data; carries the one problem that says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def read_source(path: Path, display: str | None = None) -> Source:
    """Read the YAML file at `path`; raise ReadError naming file, line and column."""
    shown = display or str(path)
    text = decode(read_bytes(path, shown), shown)
    return parse_text(text, path, shown)


def read_bytes(path: Path, shown: str) -> bytes:
    """The file's bytes, refusing files over MAX_BYTES before reading them, and files
    that are not regular files inside their folder (a link to /etc/passwd, a FIFO)."""

    def fail(message: str) -> ReadError:
        return ReadError(Problem.of("COE001", shown, 1, 1, message))

    try:
        return folder_files.read(path.parent, path.name, MAX_BYTES)
    except folder_files.FolderFileError as error:
        if error.kind == "too-large":
            raise fail(
                f"file is {error.size / 1_000_000:.1f} MB; a COE file may be at most "
                f"{MAX_BYTES // 1_000_000} MB (put long data in files beside it)"
            ) from None
        raise fail(f'"{path.name}" {error}') from None


def decode(data: bytes, shown: str) -> str:
    """UTF-8 text, without a byte-order mark; other encodings are refused at the bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(Problem.of("COE001", shown, 1, 1, "file is UTF-16; save it as UTF-8"))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = locate.byte_line_column(data, error.start)
        raise ReadError(
            Problem.of(
                "COE001", shown, line, column,
                f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8",
            )
        ) from None


def parse_text(text: str, path: Path, shown: str) -> Source:
    """Build the data and spans of one YAML document from `text`."""
    source = Source(path=path, display=shown, data=None, text=text)
    # Reading creates many objects and no reference cycles; the cyclic collector would
    # only slow it down by a third.
    collecting = gc.isenabled()
    gc.disable()
    try:
        source.data = _Builder(source, text).document()
    except yaml.MarkedYAMLError as error:
        raise ReadError(_syntax_problem(error, text, shown)) from None
    except UnicodeEncodeError as error:  # a lone surrogate, only from text not read from a file
        line, column = locate.line_column(text, error.start)
        raise ReadError(Problem.of("COE001", shown, line, column,
                                   "text holds a lone surrogate, which is not Unicode")) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        line, column = locate.line_column(text, min(error.position, len(text)))
        code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or " ")
        raise ReadError(Problem.of(
            "COE002", shown, line, column,
            f"character U+{code:04X} is not allowed in YAML; remove it or write it as an escape",
        )) from None
    except yaml.YAMLError as error:
        message = " ".join(str(error).split())
        raise ReadError(Problem.of("COE002", shown, 1, 1, f"YAML error: {message}")) from None
    finally:
        if collecting:
            gc.enable()
    return source


def _syntax_problem(error: yaml.MarkedYAMLError, text: str, shown: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.splitlines()
    here = lines[line - 1][column - 1 : column] if line <= len(lines) else ""
    if here == "\t":
        message = "tab character; YAML indents with spaces only"
    elif "mapping values are not allowed" in (error.problem or ""):
        message = 'YAML syntax error: ": " inside unquoted text; put the whole value in quotes'
    else:
        problem = (error.problem or "").strip()
        context = (error.context or "").strip()
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return Problem.of("COE002", shown, line, column, message)


_ScalarEvent = yaml.ScalarEvent
_MappingStart = yaml.MappingStartEvent
_SequenceStart = yaml.SequenceStartEvent
_MappingEnd = yaml.MappingEndEvent
_SequenceEnd = yaml.SequenceEndEvent
_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_STARTS = (_MappingStart, _SequenceStart)
_ENDS = (_MappingEnd, _SequenceEnd)


def top_level_text(text: str, key: str) -> tuple[str, int, int] | None:
    """The text value of `key` in the top-level mapping of `text`, with its 1-based line
    and column, reading the YAML only as far as that key; None when it is not there or
    not text, or the YAML breaks before it.

    For the ids of the repository's other COEs, which `coe validate PATH` needs to see
    that an id is unique: a COE's id comes second, so reading a whole file for it would
    cost some thirty times more. What comes after the key is not read, so a file that
    breaks later still holds on to its id (its own validation reports the break).
    """
    try:
        next_event = _EventSource(text).get_event
        next_event(), next_event()  # StreamStart, DocumentStart
        if next_event().__class__ is not _MappingStart:
            return None
        while True:
            name = next_event()
            if scalar(name) is None:
                return None  # the end of the mapping, or a key a COE may not have
            event = next_event()
            if name.value == key:
                found = scalar(event)
                if found is None or not isinstance(found[0], str):
                    return None
                return found[0], event.start_mark.line + 1, event.start_mark.column + 1
            depth = 1 if event.__class__ in _STARTS else 0
            while depth:  # skip the value: a list or mapping is skipped to its end
                kind = next_event().__class__
                if kind in _STARTS:
                    depth += 1
                elif kind in _ENDS:
                    depth -= 1
    except (yaml.YAMLError, UnicodeEncodeError):
        return None


class _Builder:
    """Turns libyaml's events into dicts, lists and scalars, recording spans.

    The hot path of validation: spans are stored as libyaml's marks and turned into
    `Span`s only when a message needs one.
    """

    def __init__(self, source: Source, text: str) -> None:
        self.source = source
        self.next = _EventSource(text).get_event
        self.depth = 0

    def fail(self, rule: str, mark: Any, message: str) -> ReadError:
        return ReadError(
            Problem.of(rule, self.source.display, mark.line + 1, mark.column + 1, message)
        )

    def document(self) -> Any:
        self.next()  # StreamStart
        event = self.next()
        if isinstance(event, yaml.StreamEndEvent):
            raise ReadError(Problem.of(
                "COE001", self.source.display, 1, 1,
                "file is empty; a COE is a YAML mapping of fields (schema_version, id, title, ...)",
            ))
        first = self.next()
        if not isinstance(first, _MappingStart):
            what = {
                _SequenceStart: "a list",
                _ScalarEvent: "a single value",
                yaml.AliasEvent: "an alias",
            }.get(type(first), "not a mapping")
            raise self.fail(
                "COE005", first.start_mark,
                f"the top level is {what}; a COE is a mapping of fields (schema_version: 1, id: ...)",
            )
        self.source.marks[None] = (first.start_mark, first.start_mark, None)
        data = self.value(first)
        self.next()  # DocumentEnd
        event = self.next()
        if not isinstance(event, yaml.StreamEndEvent):
            raise self.fail(
                "COE003", event.start_mark,
                "a second YAML document; a COE file holds exactly one (remove the '---')",
            )
        return data

    def value(self, event: Any) -> Any:
        kind = event.__class__
        if kind is _ScalarEvent:  # one that scalar() refused: anchored, or tagged other than text
            return self._specialscalar(event)
        if kind is yaml.AliasEvent:
            raise self.fail(
                "COE003", event.start_mark,
                f"alias *{event.anchor} is not allowed in a COE; write the value out",
            )
        if event.anchor is not None:
            raise self._anchor_error(event)
        if event.tag is not None and event.tag not in _COLLECTION_TAGS:
            raise self._tag_error(event)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(
                "COE003", event.start_mark, f"nested more than {MAX_DEPTH} levels deep"
            )
        result = self.mapping() if kind is _MappingStart else self.sequence()
        self.depth -= 1
        return result

    def _specialscalar(self, event: Any) -> str:
        if event.anchor is not None:
            raise self._anchor_error(event)
        if event.tag in STR_TAGS:
            return event.value
        raise self._tag_error(event)

    def _anchor_error(self, event: Any) -> ReadError:
        return self.fail(
            "COE003", event.start_mark,
            f"anchor &{event.anchor} is not allowed in a COE; write values out in full",
        )

    def _tag_error(self, event: Any) -> ReadError:
        tag = event.tag.replace("tag:yaml.org,2002:", "!!")
        return self.fail(
            "COE003", event.start_mark,
            f"tag {tag} is not allowed in a COE; a COE is plain data (quote the value if it is text)",
        )

    def mapping(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        marks: dict[str, tuple[Any, Any, str | None]] = {}
        self.source.marks[id(result)] = marks
        next_event = self.next
        while True:
            key_event = next_event()
            kind = key_event.__class__
            if kind is _MappingEnd:
                return result
            if kind is not _ScalarEvent:
                self.value(key_event)  # raises for an alias or anchor
                raise self.fail(
                    "COE003", key_event.start_mark,
                    "a key must be plain text, not a list or mapping",
                )
            if key_event.anchor is not None or key_event.tag is not None:
                self._specialscalar(key_event)
            key = key_event.value  # keys are text: `1:` is the field "1"
            if key in result:
                first = marks[key][1]
                raise self.fail(
                    "COE004", key_event.start_mark,
                    f'duplicate key "{key}" (first at line {first.line + 1}); '
                    "YAML would silently keep only the last one",
                )
            event = next_event()
            value, plain = scalar(event) or (self.value(event), None)
            marks[key] = (event.start_mark, key_event.start_mark, plain)
            result[key] = value

    def sequence(self) -> list[Any]:
        result: list[Any] = []
        marks: list[tuple[Any, Any, str | None]] = []
        self.source.marks[id(result)] = marks
        next_event = self.next
        append, mark = result.append, marks.append
        while True:
            event = next_event()
            if event.__class__ is _SequenceEnd:
                return result
            value, plain = scalar(event) or (self.value(event), None)
            mark((event.start_mark, event.start_mark, plain))
            append(value)
