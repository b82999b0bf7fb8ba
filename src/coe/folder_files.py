"""The files of a COE's folder: which the tool may read, and which the site publishes.

Every byte of a COE folder comes from whoever wrote the pull request, and a committed
symbolic link is a file like any other. So a file is read only when it is a regular file
whose real path lies inside its COE's folder (a link that stays inside is fine), it is
opened without following a link and without waiting on a FIFO, and no more than its
limit is read. The site publishes only the kinds a COE needs, each checked to be what
its name says; an SVG is rebuilt from an allow-list of elements and attributes, since a
browser runs the script of an SVG opened on its own.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

MAX_COE_BYTES = 1_000_000  # coe.yaml: far beyond any real analysis
MAX_NARRATIVE_BYTES = 1_000_000  # as coe.yaml: a story, not a data dump
MAX_DATA_BYTES = 10_000_000  # an impact graph's CSV (100,000 rows at most are drawn)
MAX_LINKED_BYTES = 10_000_000  # an image, a PDF, a CSV or a text file linked from Markdown

# What the site publishes from a COE's folder, by suffix (any case): the kinds a COE
# needs, none that a browser runs. Each binary kind must start as its kind does.
PUBLISHED_KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".png": ("a PNG image", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("a JPEG image", (b"\xff\xd8\xff",)),
    ".jpeg": ("a JPEG image", (b"\xff\xd8\xff",)),
    ".gif": ("a GIF image", (b"GIF87a", b"GIF89a")),
    ".webp": ("a WebP image", (b"RIFF",)),
    ".svg": ("an SVG image", ()),
    ".pdf": ("a PDF document", (b"%PDF-",)),
    ".csv": ("CSV text", ()),
    ".txt": ("plain text", ()),
}
_DRIVE = re.compile(r"^[A-Za-z]:")


class FolderFileError(Exception):
    """Why a file of a COE's folder may not be read or published.

    `kind` says which case (for callers that word some cases their own way); the text is
    a clause that follows the file's name: `"narrative.md" is a symbolic link ...`.
    """

    def __init__(self, kind: str, clause: str, size: int = 0) -> None:
        super().__init__(clause)
        # absolute | outside | link-outside | missing | not-regular | too-large | not-text
        self.kind = kind
        self.size = size  # of a file too large


def locate(folder: Path, name: str) -> Path:
    """The real path of the regular file `name` inside `folder`; FolderFileError otherwise."""
    if not name or name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise FolderFileError("absolute", "is an absolute path")
    try:
        root = folder.resolve()
        written = Path(os.path.normpath(root / name))
        if written == root or not written.is_relative_to(root):
            raise FolderFileError("outside", "leaves the COE's folder")
        target = written.resolve()
        if target == root or not target.is_relative_to(root):
            raise FolderFileError(
                "link-outside",
                "is a symbolic link to a place outside the COE's folder; commit the file itself")
        mode = os.stat(target).st_mode
    except FolderFileError:
        raise
    except FileNotFoundError:
        raise FolderFileError("missing", "is not in the COE's folder") from None
    except (OSError, ValueError, RuntimeError) as error:  # a link loop, a NUL, a long name
        reason = getattr(error, "strerror", None) or "not a file name that can be read"
        raise FolderFileError("missing", f"cannot be read: {reason}") from None
    if not stat.S_ISREG(mode):
        raise FolderFileError("not-regular", f"is {_what(mode)}, not a regular file")
    return target


def _what(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def exists(folder: Path, name: str) -> bool:
    """True when `name` is anything at all in `folder` (a broken link too): a file the
    COE means to have, whether or not it may be read."""
    return os.path.lexists(folder / name)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS = (os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
               | getattr(os, "O_CLOEXEC", 0))


def read(folder: Path, name: str, limit: int, upto: int | None = None) -> bytes:
    """The bytes of the regular file `name` inside `folder`, at most `limit` of them (the
    first `upto` only, when given); FolderFileError when it may not be read or is larger."""
    descriptor = None
    if _NOFOLLOW and "/" not in name and "\\" not in name and name not in ("", ".", ".."):
        # A name in the folder itself leaves it only by being a link: opened without
        # following one, it is read at the cost of an open (coe.yaml, a thousand times).
        try:
            descriptor = os.open(folder / name, _OPEN_FLAGS)
        except FileNotFoundError:
            raise FolderFileError("missing", "is not in the COE's folder") from None
        except OSError:
            pass  # a link (inside the folder or not), or unreadable: `locate` says which
    if descriptor is None:
        path = locate(folder, name)
        try:
            # The real path, opened without following a link and without waiting for a
            # writer: should the file become either after `locate`, opening fails.
            descriptor = os.open(path, _OPEN_FLAGS)
        except OSError as error:
            raise FolderFileError("missing", f"cannot be read: {error.strerror or error}") from None
    _check_open(descriptor, limit)
    with open(descriptor, "rb") as stream:
        data = stream.read(limit + 1 if upto is None else min(upto, limit + 1))
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data


def _check_open(descriptor: int, limit: int) -> None:
    """Raise FolderFileError, closing `descriptor`, unless it is a regular file of at
    most `limit` bytes."""
    info = os.fstat(descriptor)
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = FolderFileError("not-regular", f"is {_what(info.st_mode)}, not a regular file")
    elif info.st_size > limit:
        problem = _too_large(info.st_size, limit)
    if problem is not None:
        os.close(descriptor)
        raise problem


def _too_large(size: int, limit: int) -> FolderFileError:
    return FolderFileError("too-large", f"is {_megabytes(size)}; at most {_megabytes(limit)} is read",
                           size)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size % 1_000_000 else f"{size // 1_000_000} MB"


def read_text(folder: Path, name: str, limit: int) -> str:
    """`read` as UTF-8 text (a byte-order mark dropped); FolderFileError("not-text") when
    the bytes are not UTF-8."""
    try:
        return read(folder, name, limit).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FolderFileError("not-text", f"is not UTF-8 text (byte {error.start + 1})") from None


def kind_problem(name: str) -> str | None:
    """Why the site does not publish a file named `name`, or None when it does."""
    suffix = Path(name).suffix.lower()
    if suffix in PUBLISHED_KINDS:
        return None
    shown = f"({suffix})" if suffix else "(no suffix)"
    return (f"is of a kind the site does not publish {shown}; link images (.png, .jpg, .gif, "
            ".webp, .svg), PDF, CSV or plain text (.txt)")


def content_problem(name: str, data: bytes) -> str | None:
    """Why the bytes of a file of a published kind are not what its name says, or None."""
    what, signatures = PUBLISHED_KINDS[Path(name).suffix.lower()]
    if signatures and not data.startswith(signatures):
        return f"is not {what}, as its name says"
    if name.lower().endswith(".webp") and data[8:12] != b"WEBP":
        return f"is not {what}, as its name says"
    return None
