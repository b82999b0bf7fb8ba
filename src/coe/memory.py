"""A large build in less memory: text packed while it waits, freed memory given back.

glibc keeps the small blocks a process frees for its own reuse. A large build frees
most of what planning allocated (models, rendered pages) just before mkdocs allocates
its own, differently sized, objects; without a trim between the two the process holds
both. Elsewhere (macOS, musl) there is nothing to call and nothing is done.
"""

from __future__ import annotations

import ctypes
import zlib
from functools import cache
from typing import Any


@cache
def _malloc_trim() -> Any:
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


def give_back() -> None:
    """Return the free memory at the top and in the middle of the heap to the system."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def pack(text: str) -> bytes:
    """Text held until its page is written, in a fifth of the memory: HTML and SVG
    compress well, and the fastest level costs a second per 200 MB."""
    return zlib.compress(text.encode("utf-8"), 1)


def unpack(packed: bytes) -> str:
    """The text given to `pack`; nothing for nothing."""
    return zlib.decompress(packed).decode("utf-8") if packed else ""
