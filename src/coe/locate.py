"""Places in text: an offset in a text, a character of a YAML string, or the value at
a JSON path of a COE, as 1-based line and column.

Every message names a line and a column, and they must agree with what an editor shows;
the arithmetic is written once, here.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .sources import JsonPath, Source


@dataclass(frozen=True)
class Place:
    """A 1-based line and column; in the COE's own file, or in the file `beside` it
    (narrative.md) when that is given."""

    line: int
    column: int
    beside: str | None = None


def line_column(text: str, index: int) -> tuple[int, int]:
    """The line and column of character `index` of `text`."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def byte_line_column(data: bytes, index: int) -> tuple[int, int]:
    """The line and column of byte `index` of UTF-8 `data`, the column in characters
    (an undecodable byte counting as one)."""
    before = data[:index]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
    return line, column


def in_scalar(lines: list[str], line: int, column: int, value: str, index: int) -> tuple[int, int]:
    """The line and column in a file of `lines` (as str.splitlines gives them) of
    character `index` of the string `value`, written at `line` and `column`.

    Exact for block scalars (`|`, `>`) and one-line scalars, the ways long text and
    short text are written; for a quoted string folded over several lines, it names the
    right line and an approximate column.
    """
    here = lines[line - 1][column - 1:column] if line <= len(lines) else ""
    lines_before = value.count("\n", 0, index)
    within = index - (value.rfind("\n", 0, index) + 1)
    if here in ("|", ">"):
        line += 1 + lines_before
        while line <= len(lines) and not lines[line - 1].strip():
            line += 1  # blank lines before the content are not part of the count
        content = lines[line - 1] if line <= len(lines) else ""
        return line, len(content) - len(content.lstrip(" ")) + within + 1
    if lines_before:
        return line + lines_before, within + 1
    quoted = 1 if here in ("'", '"') else 0
    return line, column + quoted + within


@dataclass(frozen=True)
class Places:
    """Where the values of a COE were written, by JSON path (the `json_path` of the
    model's parts), as the COE's source knows them.

    Looked up when a review rule needs one, while the source is alive: the rules run
    right after the model is built. Working out the place of every value when the model
    is built costs some 30% more validation per COE, for places of which a COE needs a
    few; holding on to the sources would keep all their positions in memory.
    """

    source: weakref.ref[Source] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return Places, ()  # the source stays in the process that read it

    def _source(self) -> Source:
        source = self.source() if self.source is not None else None
        if source is None:
            raise LookupError("the places of a COE are known only while its source is")
        return source

    def of(self, path: JsonPath) -> Place:
        """Where the value at `path` starts."""
        span = self._source().span(path)
        return Place(span.line, span.column)

    def in_text(self, path: JsonPath, text: str, index: int) -> Place:
        """Where character `index` of `text`, the text at `path`, was written."""
        return Place(*self._source().position_in(path, text, index))

    def file_text(self) -> str:
        """The text of the COE's file as written."""
        return self._source().text
