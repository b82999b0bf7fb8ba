"""Small helpers for text meant for people: counted nouns and terminal widths.

Here, below every other module, so that the validator's summary, the report tables and
the diagrams' line wrapping count and measure text the same way.
"""

from __future__ import annotations

import unicodedata
from functools import cache


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
