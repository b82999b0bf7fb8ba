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
from collections.abc import Iterable
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
