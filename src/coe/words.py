"""Small helpers for text meant for people: counted nouns, display widths, line breaks.

Here, below every other module, so that the validator's summary, the report tables and
the diagrams' line wrapping count and measure text the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_NO_LINE_START = set("，。、：；！？）」』】》〉’”,.;:!?)]}")


def one_line(text: str) -> str:
    """`text` as it may stand inside one line of output for a terminal or a CI log: line
    breaks, other control characters and invisible format characters (bidi overrides,
    zero-width) written as escapes, so that no text from a COE can start a line of its
    own (`::error`, `::set-output` in a GitHub log) or reorder what a reader sees."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else
                   {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c, f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF
                                                        else f"\\U{ord(c):08x}")
                   for c in text)


def plural(count: int, noun: str) -> str:
    """`count` and `noun`, with an s unless the count is one: `1 error`, `2 warnings`."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def display_width(text: str) -> int:
    """Columns `text` takes in a monospace terminal: East-Asian wide characters count 2."""
    return len(text) if text.isascii() else sum(char_width(c) for c in text)


@cache
def char_width(char: str) -> int:
    """Columns one character takes: 0 for a combining mark, 2 when East-Asian wide."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def wrap(text: str, columns: int) -> list[str]:
    """`text` as lines of at most `columns` display columns, its newlines kept as breaks.

    Latin text breaks at spaces, which stay at the end of the line so that joining the
    lines gives the text back; words longer than a line are cut. CJK text breaks between
    any two wide characters, except before closing punctuation, which may hang over.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, columns))
    return lines


_RUNS = re.compile(r" +|[^ ]+")


def _tokens(paragraph: str) -> list[str]:
    """Runs of spaces, runs of narrow non-space characters (words), single wide characters."""
    tokens: list[str] = []
    for run in _RUNS.findall(paragraph):
        if run.isascii():
            tokens.append(run)
            continue
        start, word = len(tokens), ""
        for char in run:
            width = char_width(char)
            if width == 2:
                if word:
                    tokens.append(word)
                    word = ""
                tokens.append(char)
            elif width == 0 and not word and len(tokens) > start:
                tokens[-1] += char  # a combining mark stays on its character
            else:
                word += char
        if word:
            tokens.append(word)
    return tokens


def _wrap_paragraph(paragraph: str, columns: int) -> list[str]:
    lines: list[str] = []
    line, used = "", 0
    for token in _tokens(paragraph):
        width = display_width(token)
        if token.startswith(" ") or not line or used + width <= columns:
            fits = True
        else:
            # closing punctuation stays with what it closes, overhanging by a character
            fits = token[0] in _NO_LINE_START and used + width <= columns + 2
        if not fits:
            lines.append(line)
            line, used = "", 0
        if width > columns and not token.startswith(" "):
            for char in token:
                width_of_char = char_width(char)
                if line and used + width_of_char > columns:
                    lines.append(line)
                    line, used = "", 0
                line += char
                used += width_of_char
            continue
        line += token
        used += width
    lines.append(line)
    return lines
