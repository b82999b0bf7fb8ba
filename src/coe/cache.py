"""The build cache: rendered pages, diagrams and charts kept by content hash in `.cache/`.

An entry is written atomically and read only when it looks complete, so an
interrupted build or a damaged file costs a re-render, never a broken page.

Every key also hashes a random secret kept in the user's cache folder. The site shows
cached HTML and SVG as they are, and `.cache/` sits in the repository, where a pull
request can add files: an entry it brings is named by a key no build here computes,
so it is never read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

SECRET_BYTES = 32


def user_cache_dir() -> Path | None:
    """The tool's folder in the user's cache: $XDG_CACHE_HOME/coe-tool, else
    ~/.cache/coe-tool; None for a user without a home (a container's nameless uid)."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coe-tool"
    except RuntimeError:
        return None


@cache
def secret() -> bytes:
    """This user's random secret (see the module's docstring), made on first use.

    When it cannot be kept, this process uses one of its own: the cache is not reused
    by the next build, nothing worse. Forked workers inherit it.
    """
    folder = user_cache_dir()
    made = os.urandom(SECRET_BYTES)
    if folder is None:
        return made
    path = folder / "secret"
    try:
        kept = bytes.fromhex(path.read_text(encoding="ascii"))
        if len(kept) == SECRET_BYTES:
            return kept
    except (OSError, ValueError):
        pass  # none yet, or damaged: a new one
    try:
        write_atomic(path, made.hex())
    except OSError:
        pass
    return made


def content_key(*parts: str) -> str:
    """A sha256 over this user's secret and the parts, each length-prefixed so that no
    two splits collide."""
    digest = hashlib.sha256(secret())
    for part in parts:
        data = part.encode("utf-8")
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def fingerprint(roots: Iterable[Path], libraries: Iterable[str]) -> str:
    """A hash of the files under `roots` (a file or a folder each; compiled Python left
    out) and of the installed versions of `libraries`: what a cached result was made by."""
    digest = hashlib.sha256()
    for root in roots:
        root = root.resolve()
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and path.suffix != ".pyc":
                digest.update(path.relative_to(root.parent).as_posix().encode())
                digest.update(path.read_bytes())
    for name in libraries:
        try:
            digest.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} missing".encode())
    return digest.hexdigest()


def read_svg(path: Path) -> str | None:
    """A cached SVG, or None when absent or truncated."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    stripped = text.strip()
    return text if stripped.startswith("<svg") and stripped.endswith("</svg>") else None


def cached_svgs(folder: Path | None, keys: Sequence[str], make: Callable[[list[int]], list[str]],
                unwritable: Callable[[OSError], None] | None = None) -> list[str]:
    """The SVG for each of `keys`: read from `folder/<key>.svg` when kept there, else made.

    `make` gets, for each key missing, the index of its first occurrence (a key given
    twice is made once: one call for all, as `dot` renders a batch in one process), and
    returns their SVGs in that order; they are kept in `folder`. A write that fails goes
    to `unwritable` when given, else raises. `folder` None: everything is made.
    """
    svgs: dict[str, str] = {}
    if folder is not None:
        for key in dict.fromkeys(keys):
            kept = read_svg(folder / f"{key}.svg")
            if kept is not None:
                svgs[key] = kept
    missing: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key not in svgs:
            missing.setdefault(key, index)
    for key, svg in zip(missing, make(list(missing.values())) if missing else []):
        svgs[key] = svg
        if folder is not None:
            try:
                write_atomic(folder / f"{key}.svg", svg)
            except OSError as error:
                if unwritable is None:
                    raise
                unwritable(error)
    return [svgs[key] for key in keys]


def cached_svg(folder: Path | None, key: str, make: Callable[[], str]) -> str:
    """The SVG kept under `key` in `folder`, else `make()`'s, kept there for next time."""
    return cached_svgs(folder, [key], lambda _: [make()])[0]


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
