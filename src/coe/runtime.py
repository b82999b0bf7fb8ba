"""How a large run stays fast and small, kept out of the stages: forked workers that
inherit their work instead of receiving it pickled, the cyclic garbage collector paused
where only acyclic data is made, text packed while it waits, and freed memory given back.

None of it changes what a stage computes; each stage says only what it wants done.

glibc keeps the small blocks a process frees for its own reuse. A large build frees
most of what planning allocated (models, rendered pages) just before mkdocs allocates
its own, differently sized, objects; without a trim between the two the process holds
both. Elsewhere (macOS, musl) there is nothing to call and nothing is done.
"""

from __future__ import annotations

import contextlib
import gc
import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

# multiprocessing, concurrent.futures and ctypes are imported where they are used: a
# `coe validate` of a few files needs none of them, and they cost 20 ms to import.

T = TypeVar("T")
R = TypeVar("R")

# Below these counts, starting worker processes costs more than it saves.
VALIDATE_IN_WORKERS_FROM = 100  # files to read and check
RENDER_IN_WORKERS_FROM = 40  # pages to render


def workers() -> int:
    """How many worker processes a run uses: one a core, at most eight."""
    return min(os.cpu_count() or 1, 8)


def can_fork() -> bool:
    """Whether workers can be forked (and so inherit their work) here, with a core to spare."""
    if workers() < 2:
        return False
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off for a stretch that makes many objects and no cycles: it
    would only walk them, a third of the time of reading YAML."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# What the workers of `fork_map` or `in_background` run: forked workers inherit it with
# the rest of this process's memory, so only an index goes out and only results come back.
_HANDED: tuple[Callable[..., Any], Sequence[Any]] | None = None


def _run_handed(index: int) -> Any:
    assert _HANDED is not None
    function, items = _HANDED
    return function(items[index])


def fork_map(function: Callable[[T], R], items: Sequence[T], chunk: int | None = None) -> Iterator[R]:
    """`function(item)` of each item, in order, as forked workers finish them; the workers
    live for this call and run without the cyclic collector (they make acyclic data).
    `chunk` caps the items a worker takes at a time. Call only where `can_fork()`."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _HANDED
    count = workers()
    size = max(1, len(items) // (count * 4))
    context = multiprocessing.get_context("fork")
    _HANDED = (function, items)
    try:
        with ProcessPoolExecutor(count, mp_context=context, initializer=gc.disable) as pool:
            yield from pool.map(_run_handed, range(len(items)),
                                chunksize=min(size, chunk) if chunk else size)
    finally:
        _HANDED = None


def _call(arguments: tuple[Callable[..., Any], tuple[Any, ...]]) -> Any:
    function, args = arguments
    return function(*args)


def in_background(function: Callable[..., T], *args: Any, wanted: bool = True) -> Future[T]:
    """`function(*args)` in a forked process while this one goes on (the arguments, all
    the COEs' models say, inherited rather than pickled); run here and now when not
    `wanted` or where processes cannot fork."""
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    global _HANDED
    if wanted and can_fork():
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                   initializer=gc.disable)
        _HANDED = (_call, [(function, args)])
        try:
            future = pool.submit(_run_handed, 0)  # forks the worker, with _HANDED set
        finally:
            _HANDED = None
        pool.shutdown(wait=False)  # the worker ends once the result is sent
        return future
    done: Future[T] = Future()
    done.set_result(function(*args))
    return done


@cache
def _malloc_trim() -> Any:
    import ctypes

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
